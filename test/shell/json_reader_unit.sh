#!/usr/bin/env bash
# Unit tests of the pure-C JSON reader (src/json_reader.c), built outside the
# server with AddressSanitizer and UBSan; prints TAP.
set -euo pipefail
exec "$(dirname "$0")/../unit/run.sh"

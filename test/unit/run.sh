#!/usr/bin/env bash
# test/unit/run.sh — build and run the pure-C unit tests (TAP on stdout).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p test/unit/build
cc -std=c99 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -fsanitize=address,undefined \
   -Isrc -o test/unit/build/json_reader_test test/unit/json_reader_test.c src/json_reader.c -lm
test/unit/build/json_reader_test

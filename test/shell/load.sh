#!/usr/bin/env bash
# test/shell/load.sh — the application load of test/bench/load.sh, short and
# small, checked for errors only (TAP).
#
# 16 app clients (create / list 100 / search / mood trend, as an application
# role with its identity set per transaction) and a DBA client refreshing the
# statistics every 2 s run for 15 s on 10 000 generated entries of 2 000 users,
# on a throwaway cluster of their own.  Asserts no failed or aborted
# transaction, no lost write, statistics equal to the live views afterwards
# and a server log free of warnings, errors, deadlocks, crashes and lock
# waits; never a timing.  Sizes can be changed with the LOAD_* variables of
# test/bench/load.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
export LOAD_USERS=${LOAD_USERS:-2000} LOAD_ENTRIES=${LOAD_ENTRIES:-10000} LOAD_TEXTS=${LOAD_TEXTS:-200}
export LOAD_CLIENTS=${LOAD_CLIENTS:-16} LOAD_SECONDS=${LOAD_SECONDS:-15} LOAD_REFRESH_EVERY=${LOAD_REFRESH_EVERY:-2}
exec bash test/bench/load.sh --tap

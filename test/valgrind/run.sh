#!/usr/bin/env bash
# test/valgrind/run.sh [TEST...] — the regression suite on a server under valgrind.
#
# Builds and installs the extension, starts a throwaway cluster whose
# postmaster and every backend run under valgrind's memcheck (backends are
# forked, so valgrind follows them; one log per process), runs pg_regress
# over sql/*.sql (or the named tests, e.g. 10_moodstats 30_search_snippet),
# stops the cluster and reports every memcheck error whose stack passes
# through journaling.so.  Errors elsewhere are counted, not reported: the
# Debian server is not built with USE_VALGRIND, so memcheck sees only what
# malloc sees (reads past or before a memory context's blocks, uninitialised
# bytes reaching a branch or a system call), never palloc chunk bounds; the
# suppressions in test/valgrind/postgres.supp silence the server's own known
# noise.  Slow (tens of minutes): not part of scripts/test.  Exits non-zero
# when an error points into journaling.so.
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_packages valgrind
build_and_install

if [ $# -gt 0 ]; then tests=("$@"); else
  tests=(); for f in sql/*.sql; do tests+=("$(basename "$f" .sql)"); done
fi
# 01_install creates the extension the others use.
[ "${tests[0]}" = 01_install ] || tests=(01_install "${tests[@]}")

cluster_start
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null
VG=$CLUSTER_DIR/valgrind
mkdir -p "$VG" && chown postgres: "$VG"
cp test/valgrind/postgres.supp "$VG/"
# Each backend under memcheck is ~30x slower: no pg_cron worker, generous timeouts.
runuser -u postgres -- valgrind --tool=memcheck --quiet --leak-check=no --track-origins=no \
    --num-callers=40 --error-limit=no --read-var-info=no --gen-suppressions=all \
    --suppressions="$VG/postgres.supp" --log-file="$VG/%p.log" \
    "$PG_BIN/postgres" -D "$CLUSTER_DIR/data" -c shared_preload_libraries= \
    -c max_worker_processes=8 -c autovacuum=off -c max_parallel_workers_per_gather=0 \
    >"$CLUSTER_DIR/server.log" 2>&1 &
for i in $(seq 1 300); do
  pg_isready -q -h "$CLUSTER_DIR" -p 5432 && break
  sleep 1
done
pg_isready -q -h "$CLUSTER_DIR" -p 5432 || { tail -20 "$CLUSTER_DIR/server.log"; cluster_stop; die "server under valgrind did not start"; }
trap cluster_stop EXIT

log "pg_regress under valgrind: ${tests[*]}"
start=$(date +%s)
rm -rf results regression.diffs regression.out
make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS="${tests[*]}" ISOLATION= >"$VG/installcheck.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
grep -E '\.\.\. |^(not )?ok ' "$VG/installcheck.log"
[ $rc -ne 0 ] && [ -s regression.diffs ] && head -100 regression.diffs
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w -t 300 stop >/dev/null
wait

# Split the logs into error blocks (a blank line ends each); keep those that
# pass through journaling.so: a frame in the library, or (with its debug
# information) in one of our source files.
ourfiles=$(cd src && ls *.c *.h | sed 's/[.]/[.]/' | paste -sd'|')
total=$(cat "$VG"/[0-9]*.log | grep -cE '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Source and destination overlap|Mismatched free|Argument)')
ours=$(OURS="journaling[.]so|[ (]($ourfiles):[0-9]+[)]" awk '
  /^==[0-9]+== [A-Z]/ && !inblock { inblock = 1; block = "" }
  inblock { block = block $0 "\n" }
  /^==[0-9]+== *$/ && inblock { if (block ~ ENVIRON["OURS"]) print block; inblock = 0 }
  END { if (inblock && block ~ ENVIRON["OURS"]) print block }
' "$VG"/[0-9]*.log)
nours=$(grep -c '^==[0-9]*== [A-Z]' <<<"$ours")
nlogs=$(ls "$VG"/[0-9]*.log | wc -l)
echo "valgrind: ${#tests[@]} regression tests (pg_regress exit $rc) in ${secs} s over $nlogs processes;" \
     "${total:-0} memcheck errors in all, $nours through journaling.so"
if [ "$nours" -gt 0 ]; then
  echo "$ours"
  exit 1
fi
[ $rc -eq 0 ]

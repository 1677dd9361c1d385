#!/usr/bin/env bash
# Faults: kill -9 of the backend and cancellation in the middle of an import
# and of a statistics refresh.
#
# - A backend killed (SIGKILL) while journaling.import_file streams a
#   1,000,000-record file, or after the import returned but before COMMIT,
#   leaves nothing of that run after the postmaster's crash recovery: the
#   entries, import_runs and import_errors are those of the committed runs,
#   and a later import of the same file imports every record (none was left
#   over to be skipped as a duplicate).
# - A backend killed inside refresh_statistics(true), once while it rewrites
#   daily_stats and once while it rewrites user_statistics, leaves the old
#   snapshot of both tables (same md5), the change log unconsumed and no
#   refresh_log row; a refresh run to its end then equals the live views.
# - statement_timeout and pg_cancel_backend stop the same import and refresh
#   within 2 s (measured from the timeout or the cancel to the error reaching
#   the client), and nothing is written.
# - A jrnl entry whose text holds 1,000,000 distinct @tags (their
#   de-duplication was quadratic and deaf to cancels) imports in seconds, and
#   statement_timeout stops it within 2 s.
# - pg_amcheck --heapallindexed finds nothing wrong after the crashes.
#
# A killed backend makes the postmaster restart every backend of its cluster,
# so this test starts a cluster of its own (not the one scripts/test shares)
# and stops it at the end.  Runs as root (kill -9 of a postgres process);
# prints TAP.  FAULTS_VERBOSE=1 prints the measured latencies on stderr too.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
unset PGDATABASE PGHOST PGPORT PGUSER PGOPTIONS PGAPPNAME
cluster_start -o "-c synchronous_commit=on -c restart_after_crash=on"
trap cluster_stop EXIT
LOG=$CLUSTER_DIR/server.log
DIR=$CLUSTER_DIR/files
mkdir -p "$DIR" && chmod 755 "$DIR"
db=journaling_faults
uid=5dad10db-0000-4000-8000-00000000fa17
opts="{\"user_id\": \"$uid\"}"
LIMIT=2.0                      # seconds a cancel may take

sql() { q -d $db -c "$1"; }
now() { date +%s.%N; }
# seconds from $1 to $2 minus $3, 3 decimals
span() { awk -v a="$1" -v b="$2" -v c="${3:-0}" 'BEGIN { printf "%.3f", b - a - c }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "yes" : "no" }'; }
note() { echo "# $*"; [ "${FAULTS_VERBOSE:-}" = 1 ] && echo "faults: $*" >&2; return 0; }

# Poll a boolean expression until true (every 20 ms, at most 60 s): a test
# that the work reached the point described by $2.
wait_for() {
  local deadline=$(( $(date +%s) + 60 )) got=reached
  until [ "$(sql "SELECT $1")" = t ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { got="not reached in 60 s"; break; }
    sleep 0.02
  done
  is "$got" reached "$2"
}
# Wait until the cluster accepts connections again after a crash.
wait_recovered() {
  local deadline=$(( $(date +%s) + 120 ))
  until q -d postgres -c "SELECT 1" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
backend_of() { sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$1'"; }
# Start SQL $2 in the background as application $1 (output in $DIR/$1.out).
start() { PGAPPNAME=$1 q -d $db -c "$2" >"$DIR/$1.out" 2>&1 & BG=$!; }
# Run SQL $2 with statement_timeout $1 ms (output in OUT); LAT is the time
# from the timeout to the error.
with_timeout() {
  local t0 t1
  t0=$(now)
  OUT=$(PGOPTIONS="-c statement_timeout=$1" timeout 300 "$PG_BIN/psql" -X -q -At -d $db -c "$2" 2>&1)
  t1=$(now)
  LAT=$(span "$t0" "$t1" "$(awk -v ms="$1" 'BEGIN { print ms / 1000 }')")
  note "$3: statement_timeout $1 ms, error $LAT s after the timeout"
}
# pg_cancel_backend the backend of application $1 started by start(); LAT
# is the time from the cancel to its client's exit.
cancel() {
  local pid t0 t1
  pid=$(backend_of "$1")
  t0=$(now)
  sql "SELECT pg_cancel_backend($pid)" >/dev/null
  wait $BG
  t1=$(now)
  LAT=$(span "$t0" "$t1")
  OUT=$(cat "$DIR/$1.out")
  note "$2: pg_cancel_backend, error $LAT s after the cancel"
}
# OUT holds the error $1 and LAT is below LIMIT: two tests about $2.
stopped() {
  is "$(grep -o "$1" <<<"$OUT")" "$1" "$2: $1"
  is "$(below "$LAT" $LIMIT)" yes "$2: the error arrives within ${LIMIT} s ($LAT s)"
}
# The postmaster logged the kill of $1 while it ran $2, then recovered.
crash_logged() {
  local after
  after=$(grep -A1000000 "server process (PID $1) was terminated by signal 9" "$LOG")
  if grep -qF "Failed process was running: $2" <<<"$(head -2 <<<"$after")" &&
     grep -q "all server processes terminated; reinitializing" <<<"$after" &&
     grep -q "database system is ready to accept connections" <<<"$after"; then
    echo logged
  else
    echo "not logged: $(head -3 <<<"$after")"
  fi
}
# pg_amcheck --heapallindexed over the database: "clean" when it exits 0,
# reports nothing, and did check the heap and indexes of the tables at stake.
amcheck() {
  local out rc rel missing=
  out=$("$PG_BIN/pg_amcheck" -h "$PGHOST" -U postgres -d $db --install-missing --heapallindexed --verbose 2>&1); rc=$?
  for rel in 'heap table "'$db'.journaling.journal_entries"' 'btree index "'$db'.journaling.journal_entries_pkey"' \
             'heap table "'$db'.journaling.import_runs"' 'heap table "'$db'.journaling.daily_stats"' \
             'btree index "'$db'.journaling.daily_stats_pkey"' 'btree index "'$db'.journaling.user_statistics_pkey"'; do
    grep -qF "checking $rel" <<<"$out" || missing="$missing $rel"
  done
  out=$(grep -vE '^pg_amcheck: (checking|including|in database)|NOTICE:  extension "amcheck" already exists' <<<"$out")
  if [ $rc -eq 0 ] && [ -z "$out" ] && [ -z "$missing" ]; then echo clean; else echo "exit $rc; not checked:$missing; $out"; fi
}

# ---------------------------------------------------------------- data
python3 - "$DIR" <<'PY'
import sys
d = sys.argv[1]
def gen(name, prefix, count):
    with open(f"{d}/{name}", "w") as f:
        f.write("[")
        for i in range(count):
            f.write('%s{"content":"%s%d","entry_date":"2024-%02d-%02d","mood_score":%d}\n'
                    % ("," if i else "", prefix, i, 1 + i % 12, 1 + i % 28, i % 3 - 1))
        f.write("]\n")
gen("base.json", "b", 1000)
gen("mid.json", "m", 20000)
gen("big.json", "r", 1000000)
PY
chmod 644 "$DIR"/*.json

q -d postgres -c "CREATE DATABASE $db"
q -d $db -c "CREATE EXTENSION journaling CASCADE" -c "INSERT INTO journaling.users (id, username) VALUES ('$uid', 'faults')" 2>/dev/null
import_sql() { echo "SELECT processed, imported, skipped, failed FROM journaling.import_file('$DIR/$1', 'entries', '$opts') WHERE kind = 'total'"; }
# entries, runs:imported:unfinished, errors, md5 of import_runs
import_state() {
  sql "SELECT (SELECT count(*) FROM journaling.journal_entries) || ' '
         || (SELECT count(*) || ':' || coalesce(sum(imported), 0) || ':' || count(*) FILTER (WHERE finished_at IS NULL)
               FROM journaling.import_runs) || ' '
         || (SELECT count(*) FROM journaling.import_errors) || ' '
         || (SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM journaling.import_runs r)"
}
heap() { sql "SELECT pg_relation_size('journaling.journal_entries')"; }

is "$(sql "$(import_sql base.json)")" "1000|1000|0|0" "a first import of 1,000 records commits"
base_state=$(import_state)
is "$(sql "SELECT count(*) || ' ' || sum(imported) FROM journaling.import_runs") $(sql "SELECT count(*) FROM journaling.journal_entries")" \
   "1 1000 1000" "import_runs agrees with journal_entries (1 run, 1,000 rows)"

# ------------------------------------------------ import: statement_timeout, pg_cancel_backend
size0=$(heap)
with_timeout 2000 "$(import_sql big.json)" "import_file of 1,000,000 records"
stopped "canceling statement due to statement timeout" "statement_timeout stops an import of 1,000,000 records"
is "$(awk -v a="$(heap)" -v b="$size0" 'BEGIN { print (a > b + 65536) ? "writing" : "idle" }')" writing \
   "the timed-out import had inserted rows (journal_entries grew from $size0 to $(heap) bytes)"
is "$(import_state)" "$base_state" "after the timeout: no entry, no import_runs or import_errors row of that run"

size0=$(heap)
start faults_import "$(import_sql big.json)"
wait_for "pg_relation_size('journaling.journal_entries') > $size0 + 1048576" "the import is inserting (journal_entries grew by 1 MB)"
cancel faults_import "import_file of 1,000,000 records"
stopped "canceling statement due to user request" "pg_cancel_backend stops an import of 1,000,000 records while it inserts"
is "$(import_state)" "$base_state" "after the cancel: no entry, no import_runs or import_errors row of that run"

# ------------------------------------------------ import: kill -9 while streaming
size0=$(heap)
start faults_import "$(import_sql big.json)"
wait_for "pg_relation_size('journaling.journal_entries') > $size0 + 2097152" "the import is inserting (journal_entries grew by 2 MB)"
pid=$(backend_of faults_import)
inside=$(sql "SELECT state || ' ' || (backend_xid IS NOT NULL) FROM pg_stat_activity WHERE pid = $pid")
kill -9 "$pid"
wait $BG
wait_recovered || echo "# the cluster did not come back"
is "$inside" "active true" "the import's backend was active in a write transaction when killed"
is "$(crash_logged "$pid" "SELECT processed, imported, skipped, failed FROM journaling.import_file")" logged \
   "the server log shows the import's backend terminated by signal 9, then crash recovery"
is "$(grep -c 'server closed the connection unexpectedly' "$DIR/faults_import.out")" 1 "the client of the killed import lost its connection"
is "$(import_state)" "$base_state" "after crash recovery: no entry, no import_runs or import_errors row of the killed run"

# ------------------------------------------------ import: kill -9 after the import, before COMMIT
mkfifo "$DIR/fifo"
PGAPPNAME=faults_itx q -d $db <"$DIR/fifo" >"$DIR/itx.out" 2>&1 &
BG=$!
exec 3>"$DIR/fifo"
printf 'BEGIN;\n%s;\nSELECT count(*) FROM journaling.journal_entries;\n' "$(import_sql mid.json)" >&3
wait_for "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'faults_itx' AND state = 'idle in transaction'
                  AND query LIKE 'SELECT count(*)%' AND backend_xid IS NOT NULL)" \
         "the importing transaction is idle, uncommitted, after the import and a count"
pid=$(backend_of faults_itx)
kill -9 "$pid"
exec 3>&-
wait $BG
wait_recovered || echo "# the cluster did not come back"
is "$(head -2 "$DIR/itx.out" | tr '\n' ' ')" "20000|20000|0|0 21000 " \
   "a transaction imported 20,000 records (21,000 entries visible inside it) and was killed before COMMIT"
is "$(crash_logged "$pid" "SELECT count")" logged "the server log shows that backend terminated by signal 9, then crash recovery"
is "$(import_state)" "$base_state" "after crash recovery: nothing of the uncommitted import"
is "$(sql "$(import_sql mid.json)")" "20000|20000|0|0" \
   "importing the same file again imports all 20,000 records (none left over from the killed runs)"
is "$(sql "SELECT count(*) || ' ' || sum(imported) || ' ' || count(*) FILTER (WHERE finished_at IS NULL) FROM journaling.import_runs") $(sql "SELECT count(*) FROM journaling.journal_entries")" \
   "2 21000 0 21000" "import_runs holds the two committed runs, finished, and their counts add up to the entries"

# ------------------------------------------------ import: a jrnl entry with 1,000,000 distinct @tags
# Tags are collected from the text when the entry has none; their
# de-duplication was quadratic and deaf to cancels (25 s for 100,000 tags).
# A million tags take ~1 s even on an idle machine, so the 200 ms timeout
# always lands inside the import.
python3 - "$DIR/tags.json" <<'PY'
import json, sys
body = " ".join("@Tag%d" % i for i in range(1000000)) + " @tag5 @TAG7\n"
json.dump({"tags": {}, "entries": [{"title": "Many tags. ", "body": body, "date": "2024-05-01", "time": "09:00"}]},
          open(sys.argv[1], "w"))
PY
chmod 644 "$DIR/tags.json"
jrnl_sql="SELECT processed, imported, skipped, failed FROM journaling.import_file('$DIR/tags.json', 'jrnl', '$opts') WHERE kind = 'total'"
with_timeout 200 "$jrnl_sql" "import_file of a jrnl entry with 1,000,000 tags"
stopped "canceling statement due to statement timeout" "statement_timeout stops an import of one jrnl entry with 1,000,000 distinct tags"
t0=$(now)
out=$(timeout 300 "$PG_BIN/psql" -X -q -At -d $db -c "$jrnl_sql" 2>&1)
t1=$(now)
took=$(span "$t0" "$t1")
note "import_file of a jrnl entry with 1,000,000 tags: $took s"
is "$out $(below "$took" 20)" "1|1|0|0 yes" "the entry with 1,000,000 tags imports in less than 20 s ($took s)"
is "$(sql "SELECT cardinality(tags) || ' ' || array_to_string(tags[1:3], ',') || ' ' || tags[1000000]
           FROM journaling.journal_entries WHERE source = 'jrnl'")" "1000000 @tag0,@tag1,@tag2 @tag999999" \
   "its tags are the 1,000,000 distinct ones, lower-cased, in order of appearance"

is "$(amcheck)" clean "pg_amcheck --heapallindexed is clean after the import crashes"

# ------------------------------------------------ refresh data
# 400,000 entries of 500 users, two a day over 400 days, refreshed: the old
# snapshot; then 100,000 more (100 new users, new days) pending in the change
# log.  refresh_statistics(true) then runs for a few seconds.
q -d $db >/dev/null <<'SQL'
INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-4000-8000-' || lpad(u::text, 12, '0'))::uuid, 'u' || u FROM generate_series(1, 600) u;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT ('00000000-0000-4000-8000-' || lpad((1 + i % 500)::text, 12, '0'))::uuid, 'e' || i,
       DATE '2021-01-01' + i / 1000, (i % 201 - 100) / 100.0, ARRAY['t' || i % 7, 'x' || i % 11]
  FROM generate_series(1, 400000) i;
SELECT * FROM journaling.refresh_statistics();
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT ('00000000-0000-4000-8000-' || lpad((1 + i % 600)::text, 12, '0'))::uuid, 'e' || i,
       DATE '2021-01-01' + i / 1200, (i % 201 - 100) / 100.0, ARRAY['t' || i % 5]
  FROM generate_series(400001, 500000) i;
SQL
# md5 of the user, daily (+ weekly) tables, pending changes, refresh_log rows
stats_state() {
  sql "SELECT (SELECT md5(string_agg(s::text, ',' ORDER BY s.user_id)) FROM journaling.user_statistics s) || ' '
         || (SELECT md5(string_agg(d::text, ',' ORDER BY d.user_id, d.day)) FROM journaling.daily_stats d)
         || (SELECT md5(string_agg(w::text, ',' ORDER BY w.user_id, w.week)) FROM journaling.weekly_stats w) || ' '
         || (SELECT count(*) FROM journaling.stats_changes) || ' '
         || (SELECT count(*) FROM journaling.refresh_log)"
}
old_state=$(stats_state)
read -r _ _ pending _ <<<"$old_state"
is "$(awk -v p="$pending" 'BEGIN { print (p >= 50000) ? "pending" : p }')" pending \
   "the 100,000 new entries are pending in the change log ($pending (user, day) pairs)"
refresh_sql="SELECT * FROM journaling.refresh_statistics(true)"
holds() {   # the refresh backend holds RowExclusiveLock on journaling.$1
  echo "EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE a.application_name = 'faults_refresh' AND l.mode = 'RowExclusiveLock'
                   AND l.relation = 'journaling.$1'::regclass)"
}

# ------------------------------------------------ refresh: kill -9 in two phases
kill_refresh() {   # wait condition, phase name
  local pid
  start faults_refresh "$refresh_sql"
  wait_for "$1" "the refresh is writing $2"
  pid=$(backend_of faults_refresh)
  kill -9 "$pid"
  wait $BG
  wait_recovered || echo "# the cluster did not come back"
  is "$(crash_logged "$pid" "$refresh_sql")" logged \
     "refresh killed while writing $2: the server log shows signal 9, then crash recovery"
  is "$(stats_state)" "$old_state" \
     "after recovery: $2 and the other table keep the old snapshot (md5), the change log is unconsumed, no refresh_log row"
}
kill_refresh "$(holds daily_stats) AND NOT $(holds user_statistics)" daily_stats
kill_refresh "$(holds user_statistics)" user_statistics

# ------------------------------------------------ refresh: statement_timeout and pg_cancel_backend
with_timeout 500 "$refresh_sql" "refresh_statistics(true)"
stopped "canceling statement due to statement timeout" "statement_timeout stops refresh_statistics(true) over 520,000 entries"
is "$(stats_state)" "$old_state" "after the timeout: old snapshot, change log unconsumed, no refresh_log row"

start faults_refresh "$refresh_sql"
wait_for "$(holds user_statistics)" "the refresh is writing user_statistics"
cancel faults_refresh "refresh_statistics(true) writing user_statistics"
stopped "canceling statement due to user request" "pg_cancel_backend stops refresh_statistics(true) while it writes user_statistics"
is "$(stats_state)" "$old_state" "after the cancel: old snapshot, change log unconsumed, no refresh_log row"

# ------------------------------------------------ refresh to the end: the new snapshot
is "$(sql "SELECT mode FROM journaling.refresh_statistics()")" bulk "an uninterrupted refresh commits"
read -r us ds pending logs <<<"$(stats_state)"
read -r ous ods _ ologs <<<"$old_state"
is "$([ "$us" != "$ous" ] && [ "$ds" != "$ods" ] && echo new) $pending $((logs - ologs))" "new 0 1" \
   "both tables changed (the old snapshot was not the new one), the change log is consumed, one refresh_log row"
is "$(sql "$(cat "$(dirname "$0")/stats_mismatches.sql")")" 0 \
   "daily_stats and user_statistics equal the live views"
is "$(sql "SELECT count(*) FROM ((SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats
                                  EXCEPT SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats_live)
                                 UNION ALL
                                 (SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats_live
                                  EXCEPT SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats)) x")" 0 \
   "weekly_stats equals the live view"
is "$(amcheck)" clean "pg_amcheck --heapallindexed is clean after the refresh crashes"
is "$(grep -cE 'PANIC|TRAP:' "$LOG")" 0 "no PANIC or assertion failure in the server log"
done_testing

#!/usr/bin/env bash
# Hostile input on a cluster of the test's own, as an application role under
# row-level security (and as superuser where only a superuser may call):
#   1. sqlsmith: SQLSMITH_QUERIES (10 000) random queries, fixed seed, 1 s
#      statement_timeout, against a database with rows in every table
#      (fill_every_table.sql: every legacy sample, two users of the app role);
#   2. every journaling function called with odd arguments
#      (test/hostile/odd_arguments.sql, about 9 600 calls);
#   3. 400 mutated moodstats values through binary COPY (moodstats_recv).
# Then the server log must show no crash, no assertion failure, no PANIC and
# no internal error (class XX) raised from our C code, and the server must
# still answer.  Prints TAP.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
cd "$REPO_ROOT"
ensure_packages sqlsmith
QUERIES=${SQLSMITH_QUERIES:-10000}
SEED=${SQLSMITH_SEED:-20251122}
APP=hostile_app DB=hostile

cluster_start
trap cluster_stop EXIT
LOG=$CLUSTER_DIR/server.log
WORK=$CLUSTER_DIR/hostile
mkdir -p "$WORK/scratch/sub" "$WORK/copies"
# a directory whose symbolic links lead back up the tree
ln -s . "$WORK/scratch/sub/loop"
ln -s .. "$WORK/scratch/sub/up"
echo '[]' >"$WORK/scratch/sub/a.json"
chown -R postgres: "$WORK"

q -d postgres -c "ALTER SYSTEM SET log_line_prefix = '%e '" -c "ALTER SYSTEM SET log_error_verbosity = verbose" \
  -c "ALTER SYSTEM SET track_functions = 'all'" -c "SELECT pg_reload_conf()" -c "CREATE DATABASE $DB" >/dev/null
ensure_role $APP
{ q -d $DB -c "CREATE EXTENSION journaling CASCADE" && fill_every_table $DB $APP &&
  q -d $DB -v app=$APP -f test/hostile/setup.sql &&
  q -d $DB -c "ALTER ROLE $APP SET statement_timeout = '1s'"; } >/dev/null 2>&1 \
  || die "could not prepare the hostile-input database"
# psql for the calls themselves: errors are expected and go on
psql() { "$PG_BIN/psql" -X -q "$@"; }

offset() { stat -c %s "$LOG"; }
# Log lines written since byte offset $1.
since() { tail -c +$(($1 + 1)) "$LOG"; }
# Internal errors (class XX) with their locations, among log lines on stdin.
internal() { grep -A6 -E '^XX[0-9A-Z]{3} ERROR' | grep -E '^XX[0-9A-Z]{3} (ERROR|LOCATION)' || true; }
OURS="LOCATION: .*, ($(cd src && ls *.c | paste -sd'|')):[0-9]+$"
# Calls of our C functions counted since the last pg_stat_reset().
c_calls() {
  q -d $DB -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions f JOIN pg_proc p ON p.oid = f.funcid
               WHERE f.schemaname = 'journaling' AND p.prolang = 13 AND f.funcname <> 'current_user_id'"
}

# 1. sqlsmith as the application role
q -d $DB -c "SELECT pg_stat_reset()" >/dev/null
at=$(offset)
start=$(date +%s)
sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$DB user=$APP" --seed="$SEED" \
         --max-queries="$QUERIES" --verbose >"$WORK/sqlsmith.out" 2>"$WORK/sqlsmith.err"
rc=$?
secs=$(($(date +%s) - start))
done_queries=$(grep -oE '^queries: [0-9]+' "$WORK/sqlsmith.err" | tail -1 | grep -oE '[0-9]+$')
rate=$(grep -oE '^error rate: [0-9.]+' "$WORK/sqlsmith.err" | tail -1 | grep -oE '[0-9.]+$')
echo "# sqlsmith: ${done_queries:-0} queries in ${secs} s (seed $SEED), error rate ${rate:-?}, exit $rc; most frequent errors:"
# (the last of sqlsmith's cumulative reports)
awk '/^queries: /{r = ""} {r = r $0 "\n"} END {printf "%s", r}' "$WORK/sqlsmith.err" |
  grep -E $'^[0-9]+\tERROR: ' | sort -rn | head -5 | sed 's/^/#   /'
errs=$(since "$at" | internal)
[ -n "$errs" ] && grep ERROR <<<"$errs" | sort | uniq -c | sed 's/^/# sqlsmith internal error: /'
[ $rc -eq 0 ] && [ "${done_queries:-0}" -eq "$QUERIES" ]; ok $? "sqlsmith ran all $QUERIES queries"
! grep -qE "$OURS" <<<"$errs"; ok $? "no internal error raised in our C code by sqlsmith's queries"
for i in 1 2 3 4 5; do calls=$(c_calls); [ "$calls" -gt 0 ] && break; sleep 1; done
echo "# our C functions called $calls times by sqlsmith (journaling.current_user_id() aside)"
[ "$calls" -gt 50 ]; ok $? "sqlsmith's queries reached our C functions"

# 2. odd arguments
at=$(offset)
q -d $DB -v fixtures="$REPO_ROOT/test/fixtures/legacy-samples" -v app=$APP -v dir="$WORK/scratch" \
  -f test/hostile/odd_arguments.sql >"$WORK/calls" || die "could not generate the calls"
start=$(date +%s)
sed -n 's/^app|//p' "$WORK/calls" | PGOPTIONS='-c statement_timeout=5s' psql -U $APP -d $DB >/dev/null 2>"$WORK/app.err"
sed -n 's/^su|//p' "$WORK/calls" | PGOPTIONS='-c statement_timeout=5s' psql -d $DB >/dev/null 2>"$WORK/su.err"
secs=$(($(date +%s) - start))
total=$(wc -l <"$WORK/calls")
log=$(since "$at")
failed=$(grep -cE '^[0-9A-Z]{5} ERROR' <<<"$log")
echo "# odd arguments: $total calls ($(grep -c '^app|' "$WORK/calls") as $APP) in ${secs} s, $failed rejected with an error"
echo "# SQLSTATEs: $(grep -oE '^[0-9A-Z]{5} ERROR' <<<"$log" | sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}')"
internal <<<"$log" | sort | uniq -c | head -20 | sed 's/^/# /'
[ "$total" -gt 5000 ] && [ "$failed" -lt $((total / 2)) ]; ok $? "odd arguments: $total calls, most of them accepted"
! grep -qE '^XX[0-9A-Z]{3} ERROR' <<<"$log"; ok $? "no internal error (class XX) from any call with odd arguments"
! grep -q '^57014 ERROR' <<<"$log"; ok $? "no call with odd arguments ran into the 5 s statement timeout (the slowest takes about 0.3 s)"
PGOPTIONS='-c statement_timeout=10s' q -d $DB -c "SELECT count(*) FROM journaling.import_directory('$WORK/scratch')" >/dev/null
ok $? "import_directory() walks a tree with symbolic links back up it once, and ends"

# 3. mutated binary moodstats
at=$(offset)
valid=$(q -d $DB -c "SELECT substr(journaling.moodstats_send(journaling.mood_agg(m, d))::text, 3)
                     FROM (VALUES (0.5, date '2024-01-01'), (-1, date '2024-03-01'), (0.25, NULL)) v(m, d)")
python3 test/hostile/moodstats_binary.py "$valid" "$WORK/copies" 400
{
  echo "CREATE TEMP TABLE m (s journaling.moodstats);"
  for f in "$WORK"/copies/*.copy; do echo "\\copy m FROM '$f' (FORMAT binary)"; done
  echo "SELECT count(*), count(*) FILTER (WHERE s::text::journaling.moodstats::text = s::text
          AND num_nonnulls(journaling.n(s), journaling.mean(s), journaling.variance(s), journaling.stddev(s),
                           journaling.min_mood(s), journaling.max_mood(s), journaling.first_day(s),
                           journaling.last_day(s), journaling.slope(s)) > 0) FROM m;"
  # may overflow (a clean error), must not crash
  echo "SELECT journaling.rollup(s) IS NULL FROM m;"
  echo "SELECT count(r) FROM (SELECT journaling.rollup(s) OVER (ORDER BY s::text ROWS 1 PRECEDING) r FROM m) w;"
} | psql -U $APP -d $DB -At -F ' ' 2>"$WORK/copy.err" >"$WORK/copy.out"
read -r accepted sound <<<"$(grep ' ' "$WORK/copy.out" | tail -1)"
log=$(since "$at")
echo "# mutated moodstats: ${accepted:-0} of 400 accepted, ${sound:-0} of them sound; $(grep -cE '^[0-9A-Z]{5} ERROR' <<<"$log") errors: $(grep -oE '^[0-9A-Z]{5} ERROR' <<<"$log" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')"
[ "${accepted:-0}" -gt 0 ] && [ "${accepted:-0}" -lt 400 ] && [ "$accepted" = "$sound" ]
ok $? "binary input accepts only consistent moodstats values: each accepted one round-trips and its accessors work"
! grep -qE '^XX[0-9A-Z]{3} ERROR' <<<"$log"; ok $? "no internal error (class XX) from mutated binary input"

# 4. the server survived all of it
crashes=$(grep -cE 'terminated by signal|was terminated by exception|exited with exit code [^01]|TRAP:|PANIC:|terminating any other active server processes|all server processes terminated' "$LOG")
grep -E 'terminated by signal|was terminated|TRAP:|PANIC:' "$LOG" | head -5 | sed 's/^/# /'
[ "$crashes" -eq 0 ]; ok $? "no backend crash, failed assertion or PANIC in the server log"
[ "$(q -d $DB -c 'SELECT 1')" = 1 ]; ok $? "the server still answers"
done_testing

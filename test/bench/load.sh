#!/usr/bin/env bash
# test/bench/load.sh — the extension under an application's concurrent load.
#
# Own throwaway cluster (scripts/lib.sh; respects PGDEV_ROOT), stopped at the
# end.  Loads LOAD_USERS users and LOAD_ENTRIES entries from gen.py, then runs
# for LOAD_SECONDS seconds, at the same time:
#   - LOAD_CLIENTS pgbench clients logged in as an application role (granted by
#     journaling.grant_app_role), each transaction one app request: set the
#     identity with journaling.set_user(uid, is_local => true), then
#       create  INSERT one entry (a gen.py text) for today,
#       list    the user's latest 100 entries, whole,
#       search  journaling.search(query, uid, 20) with snippets,
#       trend   journaling.mood_trend(uid, 'week') over all the user's entries,
#     chosen at random with the weights LOAD_MIX (create,list,search,trend);
#   - one pgbench client logged in as a DBA role (EXECUTE on
#     refresh_statistics only) calling journaling.refresh_statistics() every
#     LOAD_REFRESH_EVERY seconds.
# Scripts: test/bench/load/*.sql, prepared statements (-M prepared).  Every
# transaction's latency goes to pgbench's per-transaction log; the percentiles
# per operation come from there (test/bench/load/summarize.py), the refresh
# durations from journaling.refresh_log.
#
# Prints a Markdown table of latencies next to the seed apps' claimed figures
# and the error checks.  With --tap it prints only the error checks, as TAP
# (test/shell/load.sh runs it that way, short and small): no timing is
# asserted, only that nothing failed:
#   - both pgbench runs exit 0, no client aborted, 0 failed transactions;
#   - every operation ran, and at least two refreshes ran under load;
#   - every committed create is in journal_entries (nothing lost or doubled);
#   - after a final refresh, daily_stats and user_statistics equal the
#     from-scratch views (no change lost by the refreshes under load);
#   - the server log has no WARNING, ERROR, FATAL or PANIC line, no deadlock,
#     no crashed backend and no lock wait of a second or more.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

USERS=${LOAD_USERS:-1000}
ENTRIES=${LOAD_ENTRIES:-200000}
TEXTS=${LOAD_TEXTS:-1000}
CLIENTS=${LOAD_CLIENTS:-16}
DURATION=${LOAD_SECONDS:-60}
REFRESH_EVERY=${LOAD_REFRESH_EVERY:-10}
MIX=${LOAD_MIX:-25,35,20,20}
SEED=${LOAD_SEED:-42}
TAP=0
[ "${1:-}" = --tap ] && TAP=1

OPS=(create list search trend)
CLAIMS=(25 75 150 300)   # ms, the seed apps' claimed figures (trend: "analytics")
# Server log lines that mean something went wrong: any message of level WARNING
# or above, a deadlock, a crashed backend, or (log_lock_waits, deadlock_timeout
# 1 s) a lock wait of a second or more.
PROBLEMS='WARNING|ERROR|FATAL|PANIC|deadlock|terminated by signal|was terminated|still waiting'
IFS=, read -r -a WEIGHTS <<<"$MIX"
[ ${#WEIGHTS[@]} -eq ${#OPS[@]} ] || die "LOAD_MIX must have ${#OPS[@]} weights (create,list,search,trend)"

build_and_install
cluster_start -o "-c shared_buffers=512MB -c work_mem=16MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min -c log_lock_waits=on"
trap cluster_stop EXIT

n=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
[ "$TAP" = 1 ] && echo "1..8"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -d load "$@"; }
gen() { python3 test/bench/gen.py "$@"; }

psql -X -q -d postgres -c 'CREATE DATABASE load'
psql_q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION journaling CASCADE;
CREATE ROLE load_app LOGIN;
SELECT journaling.grant_app_role('load_app');
CREATE ROLE load_dba LOGIN;
GRANT USAGE ON SCHEMA journaling TO load_dba;
GRANT EXECUTE ON FUNCTION journaling.refresh_statistics(boolean) TO load_dba;
GRANT SELECT ON journaling.refresh_log TO load_dba;
-- What the scripts draw from: user n's id (the app would know it from its
-- login), texts for new entries, search queries (two misspelt).
CREATE SCHEMA loadbench;
CREATE TABLE loadbench.user_ids (n int PRIMARY KEY, id uuid NOT NULL);
CREATE TABLE loadbench.texts (n serial PRIMARY KEY, user_id uuid, id uuid, title text, content text,
                              entry_date date, mood_score numeric, tags text[], created_at timestamptz);
CREATE TABLE loadbench.queries (n serial PRIMARY KEY, q text NOT NULL);
INSERT INTO loadbench.queries (q) VALUES ('felt'), ('walk'), ('sleep'), ('anxious'), ('therapy'),
  ('grateful friends'), ('work meeting'), ('dinner'), ('weekend yoga'), ('coffee'), ('"quiet weekend"'),
  ('tired -work'), ('family OR friends'), ('gratefull'), ('meditaton');
GRANT USAGE ON SCHEMA loadbench TO load_app;
GRANT SELECT ON ALL TABLES IN SCHEMA loadbench TO load_app;
SQL
QUERIES=$(psql_q -At -c 'SELECT count(*) FROM loadbench.queries')

# Entries end today, so streaks and "latest" mean what they would in an app.
START=$(date -u -d "-1095 days" +%F)
log "loading $USERS users, $ENTRIES entries (gen.py seed $SEED, from $START)"
load_start=$(date +%s)
gen --format users-copy --users "$USERS" --seed "$SEED" |
  psql_q -c 'COPY journaling.users (id, username) FROM STDIN'
gen --entries "$ENTRIES" --users "$USERS" --seed "$SEED" --start "$START" |
  psql_q -c 'COPY journaling.journal_entries (user_id, id, title, content, entry_date, mood_score, tags, created_at) FROM STDIN'
gen --entries "$TEXTS" --users 1 --seed $((SEED + 1)) --start "$START" |
  psql_q -c 'COPY loadbench.texts (user_id, id, title, content, entry_date, mood_score, tags, created_at) FROM STDIN'
psql_q >/dev/null <<'SQL'
INSERT INTO loadbench.user_ids SELECT row_number() OVER (ORDER BY id), id FROM journaling.users;
VACUUM ANALYZE;
SELECT count(*) FROM journaling.refresh_statistics();
CHECKPOINT;
SQL
load_s=$(( $(date +%s) - load_start ))
data=$(psql_q -At -F ' ' -c "
  SELECT count(*), min(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n),
         round(sum(bytes) / 1048576.0), pg_size_pretty(pg_database_size('load'))
    FROM (SELECT user_id, count(*) AS n, sum(octet_length(content)) AS bytes
            FROM journaling.journal_entries GROUP BY user_id) u")
read -r data_users per_min per_median per_max content_mb db_size <<<"$data"
entries_before=$(psql_q -At -c 'SELECT count(*) FROM journaling.journal_entries')
stats_users=$(psql_q -At -c 'SELECT count(*) FROM journaling.user_statistics')
tap_data="$data_users users with entries (per user min $per_min, median $per_median, max $per_max), $entries_before entries, $content_mb MB of content, database $db_size, loaded in ${load_s}s"
log "$tap_data"

log "running $CLIENTS app clients + 1 refresh client for ${DURATION}s"
logs=$CLUSTER_DIR/pgbench
mkdir "$logs"
pgb=("$PG_BIN/pgbench" -n -M prepared -T "$DURATION" --failures-detailed --verbose-errors
     --random-seed="$SEED" -D users="$USERS" -D texts="$TEXTS" -D queries="$QUERIES"
     -D refresh_every="$REFRESH_EVERY" -l)
scripts=()
for i in "${!OPS[@]}"; do scripts+=(-f "test/bench/load/${OPS[$i]}.sql@${WEIGHTS[$i]}"); done
refresh_rc=0 app_rc=0
"${pgb[@]}" -U load_dba -c 1 --log-prefix="$logs/refresh.log" -f test/bench/load/refresh.sql load \
  >"$logs/refresh.out" 2>&1 &
refresh_pid=$!
"${pgb[@]}" -U load_app -c "$CLIENTS" -j 2 --log-prefix="$logs/app.log" "${scripts[@]}" load \
  >"$logs/app.out" 2>&1 || app_rc=$?
wait "$refresh_pid" || refresh_rc=$?
run_end=$(psql_q -At -c 'SELECT now()')

# Errors, from pgbench's summaries and logs.
failed_of() { sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1"; }
app_failed=$(failed_of "$logs/app.out") refresh_failed=$(failed_of "$logs/refresh.out")
aborted=$(cat "$logs/app.out" "$logs/refresh.out" | awk '/aborted/ {k++} END {print k + 0}')
summary=$(python3 test/bench/load/summarize.py --names "$(IFS=,; echo "${OPS[*]}")" --seconds "$DURATION" "$logs"/app.log.*)
created=$(awk -F'\t' '$1 == "create" {print $2}' <<<"$summary")
log_failed=$(awk -F'\t' '{s += $3} END {print s}' <<<"$summary")
ran_all=$(awk -F'\t' '$2 == 0 {bad = bad " " $1} END {print bad == "" ? "yes" : "no:" bad}' <<<"$summary")
refreshes=$(psql_q -At -F ' ' -c "
  SELECT count(*), count(*) FILTER (WHERE mode <> 'skipped'),
         coalesce(string_agg(DISTINCT mode, '/'), '-'),
         coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM duration) * 1000)), 0),
         coalesce(round(max(extract(epoch FROM duration) * 1000)), 0),
         coalesce(round(avg(changes)), 0)
    FROM journaling.refresh_log WHERE run_by = 'load_dba' AND started_at < '$run_end'")
read -r refresh_n refresh_ran refresh_modes refresh_p50 refresh_max refresh_changes <<<"$refreshes"

# Nothing lost: every committed create is there, and the statistics equal the
# from-scratch views after a final refresh.
entries_after=$(psql_q -At -c 'SELECT count(*) FROM journaling.journal_entries')
mismatches=$(psql_q -At <<'SQL'
SELECT count(*) FROM journaling.refresh_statistics();
-- Whole rows as jsonb (moodstats by its exact text form), both ways.
WITH t AS (SELECT to_jsonb(s) - 'refreshed_at' AS r FROM journaling.user_statistics s
           UNION ALL SELECT to_jsonb(s) FROM journaling.daily_stats s),
     l AS (SELECT to_jsonb(s) - 'refreshed_at' FROM journaling.user_statistics_live s
           UNION ALL SELECT to_jsonb(s) FROM journaling.daily_stats_live s)
SELECT (SELECT count(*) FROM (TABLE t EXCEPT ALL TABLE l) a) + (SELECT count(*) FROM (TABLE l EXCEPT ALL TABLE t) b);
SQL
)
mismatches=$(tail -1 <<<"$mismatches")
server_problems=$(grep -cE "$PROBLEMS" \
                    "$CLUSTER_DIR/server.log" || true)

if [ "$TAP" = 1 ]; then
  set +e
  [ "$entries_before" = "$ENTRIES" ] && [ "$data_users" = "$stats_users" ]
  tap $? "data loaded and materialized: $tap_data; user_statistics rows $stats_users"
  [ "$app_rc" = 0 ] && [ "$refresh_rc" = 0 ] && [ "$aborted" = 0 ]
  tap $? "pgbench runs exit 0 (app $app_rc, refresh $refresh_rc), no client aborted ($aborted)"
  [ "$app_failed" = 0 ] && [ "$refresh_failed" = 0 ] && [ "$log_failed" = 0 ]
  tap $? "0 failed transactions (app ${app_failed:-?}, refresh ${refresh_failed:-?}, per-transaction logs $log_failed)"
  [ "$ran_all" = yes ]
  tap $? "every operation ran ($(awk -F'\t' '{printf "%s%s %s", sep, $1, $2; sep = ", "}' <<<"$summary"))"
  [ "$refresh_ran" -ge 2 ] && [ "$refresh_n" = "$refresh_ran" ]
  tap $? "refresh_statistics() ran $refresh_ran times under load, none skipped ($refresh_n calls, modes $refresh_modes)"
  [ "$entries_after" -eq $((entries_before + created)) ]
  tap $? "every committed create is stored ($entries_before + $created = $entries_after)"
  [ "$mismatches" = 0 ]
  tap $? "after a final refresh the statistics equal the live views ($mismatches mismatching rows)"
  [ "$server_problems" = 0 ]
  tap $? "server log free of warnings, errors, deadlocks, crashes and lock waits ($server_problems lines)"
  [ "$server_problems" = 0 ] || grep -E "$PROBLEMS" "$CLUSTER_DIR/server.log" | head -20 | sed 's/^/# /'
  grep -h -E 'aborted|ERROR' "$logs/app.out" "$logs/refresh.out" | head -20 | sed 's/^/# /'
  exit 0
fi

cat <<MD
### Application load: $CLIENTS clients for ${DURATION}s, refresh every ${REFRESH_EVERY}s

Data: $data_users users, $entries_before entries ($per_min–$per_max per user, median $per_median;
gen.py seed $SEED, lognormal activity), $content_mb MB of content, database $db_size; loaded in
${load_s}s. $(nproc) CPU cores, PostgreSQL $(psql -X -At -d load -c 'SHOW server_version').
Each transaction is one app request as role \`load_app\` (\`BEGIN\`, \`set_user(uid, true)\`, the
query, \`COMMIT\`; prepared statements) for a user drawn uniformly; mix create/list/search/trend =
$MIX. Latencies in ms, client side, from pgbench's per-transaction log.

| operation | transactions | tps | failed | mean | p50 | p95 | p99 | max | seed's claim | p95 within claim |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
MD
for i in "${!OPS[@]}"; do
  IFS=$'\t' read -r name count fails tps mean p50 p95 p99 max < <(awk -F'\t' -v op="${OPS[$i]}" '$1 == op' <<<"$summary")
  verdict=$(awk -v a="$p95" -v b="${CLAIMS[$i]}" 'BEGIN {print (a < b) ? "yes" : "no"}')
  echo "| $name | $count | $tps | $fails | $mean | $p50 | $p95 | $p99 | $max | < ${CLAIMS[$i]} | $verdict |"
done
cat <<MD
| refresh_statistics() (DBA, every ${REFRESH_EVERY}s) | $refresh_n | | ${refresh_failed:-?} | | $refresh_p50 | | | $refresh_max | | modes $refresh_modes, ~$refresh_changes changes each |

Errors: app pgbench exit $app_rc, refresh pgbench exit $refresh_rc, aborted clients $aborted,
failed transactions ${app_failed:-?} + ${refresh_failed:-?}; creates stored
$((entries_after - entries_before)) of $created; statistics vs live views after a final refresh:
$mismatches mismatching rows; server log warning/error/deadlock/crash/lock-wait lines: $server_problems.
MD

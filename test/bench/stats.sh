#!/usr/bin/env bash
# test/bench/stats.sh — materialized statistics benchmark.
#
# Own throwaway cluster (scripts/lib.sh; respects PGDEV_ROOT), stopped at the
# end.  Prints a Markdown table:
#   - refresh_statistics() after 1 % of the users changed vs
#     REFRESH MATERIALIZED VIEW CONCURRENTLY of a materialized view over the
#     same per-user columns (unique index on user_id);
#   - refresh after 100 % changed (automatic bulk path) and
#     refresh_statistics(true) vs a plain REFRESH MATERIALIZED VIEW;
#   - insert overhead of the change capture: single-row INSERTs (pgbench) and
#     10 000-row INSERT ... SELECT, with the capture triggers that run on
#     INSERT vs with them dropped, on the same table, interleaved.
# Sizes: BENCH_USERS (20000), BENCH_ENTRIES (2000000), BENCH_REPS (3),
# BENCH_INSERT_REPS (10), BENCH_PGBENCH_TX (5000 single-row inserts per pgbench run).
# BENCH_PARTS (default "refresh insert"): the parts to run; "insert" alone
# skips the refresh comparisons (and the materialized view they need).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

USERS=${BENCH_USERS:-20000}
ENTRIES=${BENCH_ENTRIES:-2000000}
REPS=${BENCH_REPS:-3}
INSERT_REPS=${BENCH_INSERT_REPS:-10}
PGB_TX=${BENCH_PGBENCH_TX:-5000}
PARTS=${BENCH_PARTS:-refresh insert}
want() { [[ " $PARTS " == *" $1 "* ]]; }
TOUCH=$(( USERS / 100 > 0 ? USERS / 100 : 1 ))

build_and_install
cluster_start -o "-c shared_buffers=512MB -c work_mem=64MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c checkpoint_timeout=30min"
trap cluster_stop EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
# Milliseconds taken by one SQL statement (server round trip, psql's \timing).
time_ms() {
  psql -X -q -v ON_ERROR_STOP=1 -d bench -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }

psql -X -q -d postgres -c 'CREATE DATABASE bench'
psql_q -c 'CREATE EXTENSION journaling CASCADE' 2>/dev/null

log "loading $USERS users, $ENTRIES entries"
load_start=$(date +%s)
psql_q <<SQL
INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'user' || i
  FROM generate_series(1, $USERS) i;
-- Bulk load without the per-row vector trigger and the change capture (the
-- first refresh below starts from scratch); word_count is given directly.
ALTER TABLE journaling.journal_entries DISABLE TRIGGER USER;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags, word_count)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (i - 1) % $USERS), 12, '0'))::uuid,
       'entry text ' || i,
       DATE '2025-01-01' + (hashint4(i) & 1023) % 700,
       CASE WHEN hashint4(i + 7) % 10 = 0 THEN NULL ELSE ((hashint4(i + 13) & 200) - 100) / 100.0 END,
       ARRAY['tag' || (hashint4(i + 1) & 31), 'tag' || (hashint4(i + 2) & 15)],
       1 + (hashint4(i + 3) & 511)
  FROM generate_series(1, $ENTRIES) i
 ORDER BY 1;
ALTER TABLE journaling.journal_entries ENABLE TRIGGER USER;
VACUUM ANALYZE journaling.journal_entries;
SQL
want refresh && psql_q <<SQL
CREATE MATERIALIZED VIEW public.bench_user_statistics AS
SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope, first_entry_date,
       last_entry_date, active_months, current_streak, longest_streak, top_tags, refreshed_at
  FROM journaling.user_statistics_live;
CREATE UNIQUE INDEX ON public.bench_user_statistics (user_id);
SQL
load_s=$(( $(date +%s) - load_start ))
days=$(psql_q -At -c 'SELECT count(DISTINCT (user_id, entry_date)) FROM journaling.journal_entries')

# Touch N users (different ones each time): one new entry and one mood change each.
touch_users() {
  psql_q -c "
    CREATE TEMP TABLE touched AS SELECT id FROM journaling.users ORDER BY random() LIMIT $1;
    INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
    SELECT id, 'fresh entry', DATE '2025-01-01' + (random() * 700)::int, 0.5, '{fresh}' FROM touched;
    UPDATE journaling.journal_entries e SET mood_score = -0.5
      FROM touched u
     WHERE e.user_id = u.id AND e.entry_date = (SELECT min(entry_date) FROM journaling.journal_entries x WHERE x.user_id = u.id);"
}

full=() mv=() inc=() mvc=() bulk=() mv2=() on_tps=() off_tps=() on_bulk=() off_bulk=()
if want refresh; then
log "full refresh vs REFRESH MATERIALIZED VIEW"
for _ in $(seq "$REPS"); do
  full+=("$(time_ms 'SELECT * FROM journaling.refresh_statistics(true)')")
  mv+=("$(time_ms 'REFRESH MATERIALIZED VIEW public.bench_user_statistics')")
done

log "1 % touched: incremental refresh vs REFRESH MATERIALIZED VIEW CONCURRENTLY"
for _ in $(seq "$REPS"); do
  touch_users "$TOUCH"
  inc+=("$(time_ms 'SELECT * FROM journaling.refresh_statistics()')")
  mvc+=("$(time_ms 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.bench_user_statistics')")
done
inc_mode=$(psql_q -At -c "SELECT mode || ' (' || users || ' users, ' || days || ' days)' FROM journaling.refresh_log ORDER BY id DESC LIMIT 1")

log "100 % touched: automatic bulk refresh vs REFRESH MATERIALIZED VIEW"
for _ in $(seq "$REPS"); do
  psql_q -c "UPDATE journaling.journal_entries e SET is_favorite = NOT is_favorite
               FROM (SELECT user_id, min(entry_date) AS d FROM journaling.journal_entries GROUP BY 1) f
              WHERE e.user_id = f.user_id AND e.entry_date = f.d"
  bulk+=("$(time_ms 'SELECT * FROM journaling.refresh_statistics()')")
  mv2+=("$(time_ms 'REFRESH MATERIALIZED VIEW public.bench_user_statistics')")
done
bulk_mode=$(psql_q -At -c "SELECT mode FROM journaling.refresh_log ORDER BY id DESC LIMIT 1")
fi

if want insert; then
log "insert overhead"
# The refresh part leaves millions of dead rows: vacuum them now, or
# autovacuum workers compete with the insert runs for the CPU.
psql_q -c "VACUUM ANALYZE"
cat >"$CLUSTER_DIR/insert.sql" <<SQL
\set u random(1, $USERS)
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
VALUES (('00000000-0000-4000-8000-' || lpad(to_hex(:u), 12, '0'))::uuid, 'a single new entry with a few words', DATE '2026-01-01', 0.25, '{bench}');
SQL
chmod 644 "$CLUSTER_DIR/insert.sql"
# Capture off = both capture triggers that run on INSERT dropped: the row
# trigger whose WHEN condition notes each row's (user_id, entry_date) and the
# statement trigger that writes the change log.  Nothing of the capture runs
# then; on = both recreated as installed (journaling--0.1--0.2.sql).
capture=on
set_capture() {
  [ "$1" = "$capture" ] && return 0
  capture=$1
  if [ "$1" = off ]; then
    psql_q -c "DROP TRIGGER journal_entries_stats_note_insert ON journaling.journal_entries" \
           -c "DROP TRIGGER journal_entries_stats_flush ON journaling.journal_entries"
  else
    psql_q -c "CREATE TRIGGER journal_entries_stats_note_insert AFTER INSERT ON journaling.journal_entries
               FOR EACH ROW WHEN (journaling.stats_capture_note(NEW.user_id, NEW.entry_date))
               EXECUTE FUNCTION journaling.stats_flush_trigger()" \
           -c "CREATE TRIGGER journal_entries_stats_flush AFTER INSERT OR UPDATE ON journaling.journal_entries
               FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_flush_trigger()"
  fi
}
pgb() {
  "$PG_BIN/pgbench" -n -t "$PGB_TX" -f "$CLUSTER_DIR/insert.sql" bench 2>/dev/null \
    | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
}
bulk_sql="INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
  SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (hashint4(g) & 2147483647) % $USERS), 12, '0'))::uuid,
         'bulk entry ' || g, DATE '2026-02-01' + g % 30, 0.1, '{bulk}' FROM generate_series(1, 10000) g"
# Alternate the order (off-on, then on-off, ...) so neither side always runs
# right after the trigger DDL or on the smaller table.
# Each timed run starts with an empty GIN pending list: otherwise whichever run
# happens to cross gin_pending_list_limit pays ~90 ms for the whole list.
gin_flush() { psql_q -c "SELECT gin_clean_pending_list('journaling.journal_entries_search_idx')" >/dev/null; }
run_side() {
  set_capture "$1"; gin_flush
  local tps; tps=$(pgb); gin_flush
  local ms; ms=$(time_ms "$bulk_sql")
  if [ "$1" = on ]; then on_tps+=("$tps"); on_bulk+=("$ms"); else off_tps+=("$tps"); off_bulk+=("$ms"); fi
}
for i in $(seq "$INSERT_REPS"); do
  if [ $((i % 2)) -eq 1 ]; then run_side off; run_side on; else run_side on; run_side off; fi
done
set_capture on
log "insert: on ${on_tps[*]} tps, ${on_bulk[*]} ms; off ${off_tps[*]} tps, ${off_bulk[*]} ms"
fi

m_full=$(median "${full[@]}"); m_mv=$(median "${mv[@]}")
m_inc=$(median "${inc[@]}"); m_mvc=$(median "${mvc[@]}")
m_bulk=$(median "${bulk[@]}"); m_mv2=$(median "${mv2[@]}")
m_on=$(median "${on_tps[@]}"); m_off=$(median "${off_tps[@]}")
m_onb=$(median "${on_bulk[@]}"); m_offb=$(median "${off_bulk[@]}")
over1=$(awk -v a="$m_off" -v b="$m_on" 'BEGIN {printf "%+.1f %%", (b > 0) ? (a / b - 1) * 100 : 0}')
over2=$(awk -v a="$m_onb" -v b="$m_offb" 'BEGIN {printf "%+.1f %%", (b > 0) ? (a / b - 1) * 100 : 0}')

cat <<MD
### Materialized statistics benchmark

$USERS users, $ENTRIES entries ($days user-days), loaded in ${load_s}s; $(nproc) CPU cores
PostgreSQL $(psql -X -At -d bench -c 'SHOW server_version'); median of $REPS refresh runs
and $INSERT_REPS interleaved insert runs (order alternating); times in ms.
MD
want refresh && cat <<MD

| scenario | journaling | plain PostgreSQL | ratio | goal |
|---|---:|---:|---:|---|
| $TOUCH users (1 %) changed: \`refresh_statistics()\` [$inc_mode] vs \`REFRESH MATERIALIZED VIEW CONCURRENTLY\` | $m_inc | $m_mvc | $(ratio "$m_mvc" "$m_inc")× faster | ≥ 100× |
| 100 % changed: \`refresh_statistics()\` [$bulk_mode] vs \`REFRESH MATERIALIZED VIEW\` | $m_bulk | $m_mv2 | $(ratio "$m_bulk" "$m_mv2")× the time | ≤ 1.1× |
| \`refresh_statistics(true)\` vs \`REFRESH MATERIALIZED VIEW\` | $m_full | $m_mv | $(ratio "$m_full" "$m_mv")× the time | (none: the repair path) |
MD
want insert && cat <<MD

| insert path | capture on | capture off | overhead | goal |
|---|---:|---:|---:|---|
| single-row INSERT (pgbench, $PGB_TX tx, 1 client), tps | $m_on | $m_off | $over1 | ≤ 10 % |
| 10 000-row INSERT ... SELECT, ms | $m_onb | $m_offb | $over2 | ≤ 10 % |

Capture off = the two capture triggers that run on INSERT dropped (the row
trigger whose WHEN condition notes each row and the statement trigger that
writes the change log); on = both as installed.
MD
want refresh && cat <<MD

The refresh also maintains \`daily_stats\` ($days rows), which the materialized view does not have.
MD
exit 0

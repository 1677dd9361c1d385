#!/usr/bin/env bash
# test/bench/moodstats.sh — mood statistics against the best plain-PostgreSQL
# way to compute the same numbers, in the same run, on generated data.
#
#   (a) moving 30-row windows over ROWS_WINDOW rows (default 1 M):
#       mood_agg vs avg/stddev_samp windows, vs regr_slope windows, and the
#       accuracy of both against exact numeric window sums;
#   (b) all statistics in one mood_agg vs count(*) + avg(mood) over ROWS
#       rows (default 10 M), and mood_agg with 2 parallel workers vs none
#       (with, for reference, the built-in count(*) + avg(mood)'s own
#       speed-up with 2 workers: what this machine gives any aggregate);
#   (c) 52-week mood_trend of one user with 5 000 entries vs the equivalent
#       plain SQL, p50/p95 over CALLS calls (default 50) each.
#
# The two sides of each comparison run alternately in one session, after
# one untimed warm-up run of each (so neither side pays for connecting,
# loading libraries or a cold cache), RUNS times (default 5), and the best
# time of each side counts; (c) alternates call by call.  The data are
# checkpointed and synced to disk before any timing, so no write-back of
# the freshly loaded tables runs under one side only.  Before
# the parallel runs of (b) the table is read into shared_buffers with
# pg_prewarm, for both sides: it is larger than a quarter of shared_buffers,
# so a sequential scan would otherwise read it through a 256 kB ring from the
# OS page cache on every run, and that copying and buffer replacement is what
# parallel workers share worst.  The parallel runs are reported with the
# leader participating (PostgreSQL's default) and without (on 2 cores the
# leader is a third process competing for them), with JIT compilation
# (PostgreSQL's default) and without it on both sides: every parallel worker
# is a new process that loads LLVM and compiles the query's expressions again
# (about 45 ms per query here), a fixed cost paid by the parallel side only.
# That the whole table is in shared_buffers is checked with pg_buffercache.
#
# Usage: [PGDEV_ROOT=...] [ROWS=10000000] [ROWS_WINDOW=1000000] [RUNS=5] [CALLS=50] test/bench/moodstats.sh
# Prints a Markdown table.  Uses its own throwaway cluster and stops it.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

ROWS=${ROWS:-10000000}
ROWS_WINDOW=${ROWS_WINDOW:-1000000}
CALLS=${CALLS:-50}
RUNS=${RUNS:-5}

build_and_install
# work_mem 128MB: the 1 M-row sort of (a) then stays in memory on both sides
# (at 64MB both spill a 29 MB external merge, a cost shared by both sides).
cluster_start -o "-c shared_buffers=512MB -c work_mem=128MB -c max_parallel_workers=2 -c max_parallel_workers_per_gather=2"
trap cluster_stop EXIT

sql() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }

# Best times in ms of statements (each a string of SETs and a query) run
# alternately in one session: one untimed warm-up run of each, then RUNS
# timed runs of each.  psql's \timing of the last statement of a string
# counts: the query, with its client round trip.  Prints "A B ...".
best_of() {
  local i q
  for i in $(seq 0 "$RUNS"); do
    for q in "$@"; do
      printf '\\echo @@run\n%s;\n' "$q"
    done
  done | { echo '\timing on'; cat; } | sql -o /dev/null | awk -v n=$# '
    function keep() {
      if (b < 0) return
      if (t == "") { bad = 1; return }
      if (int(b / n) > 0 && (!((b % n) in best) || t < best[b % n])) best[b % n] = t
    }
    BEGIN { b = -1 }
    /^@@run$/ { keep(); b++; t = ""; next }
    /^Time: / { t = $2 + 0 }
    END {
      keep()
      if (bad || b + 1 != n * ('"$RUNS"' + 1)) exit 1
      for (j = 0; j < n; j++) printf "%s%d", (j ? " " : ""), best[j] + 0.5
      print ""
    }' || die "benchmark query failed: $*"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

psql -X -q -d postgres -c 'CREATE DATABASE bench' >/dev/null
sql -c 'CREATE EXTENSION journaling CASCADE' 2>/dev/null

log "generating data: $ROWS_WINDOW window rows, $ROWS aggregate rows"
# The cluster commits asynchronously (synchronous_commit = off): a VACUUM
# right after the load would find the loading transaction's commit not yet
# flushed, could then set neither hint bits nor all-visible flags, and the
# first timed scan (of one side only) would set and write the hint bits.
# Committing the load synchronously lets VACUUM finish every page.
sql <<SQL
SET synchronous_commit = on;
CREATE TABLE win_rows AS
SELECT g, date '2000-01-01' + g / 3 AS day,
       (hashint4(g) % 1001) / 1000.0::float8 + 0.05 AS mood
  FROM generate_series(1, $ROWS_WINDOW) g;
CREATE TABLE agg_rows AS
SELECT date '2020-01-01' + g % 2000 AS day,
       (hashint4(g) % 201) / 200.0::float8 AS mood
  FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE win_rows;
VACUUM ANALYZE agg_rows;
CHECKPOINT;
SQL
sync
visible=$(sql -A -t -c "SELECT string_agg(relallvisible || ' of ' || relpages, ', ' ORDER BY relname DESC) FROM pg_class WHERE relname IN ('win_rows', 'agg_rows')")

declare -a table_rows

# (a) moving windows
W="WINDOW w AS (ORDER BY g ROWS 29 PRECEDING)"
NOPAR="SET max_parallel_workers_per_gather = 0;"
read -r ours_ms avg_base_ms < <(best_of \
  "$NOPAR SELECT sum(journaling.mean(s)), sum(journaling.stddev(s)) FROM (SELECT journaling.mood_agg(mood, day) OVER w AS s FROM win_rows $W) q" \
  "$NOPAR SELECT sum(a), sum(sd) FROM (SELECT avg(mood) OVER w AS a, stddev_samp(mood) OVER w AS sd FROM win_rows $W) q")
table_rows+=("| (a) 30-row moving avg + stddev, $ROWS_WINDOW rows | mood_agg window | avg/stddev_samp windows | $ours_ms | $avg_base_ms | $(ratio "$avg_base_ms" "$ours_ms")× faster | ≥ 4× |")
read -r ours_ms base_ms < <(best_of \
  "$NOPAR SELECT sum(journaling.slope(s)) FROM (SELECT journaling.mood_agg(mood, day) OVER w AS s FROM win_rows $W) q" \
  "$NOPAR SELECT sum(sl) FROM (SELECT regr_slope(mood, day - date '2000-01-01') OVER w AS sl FROM win_rows $W) q")
table_rows+=("| (a) 30-row moving slope, $ROWS_WINDOW rows | mood_agg window | regr_slope window | $ours_ms | $base_ms | $(ratio "$base_ms" "$ours_ms")× faster | ≥ 15× |")
# The floor: the same sort and window machinery with an aggregate that costs
# nothing per row (count(*) has an inverse transition).  builtin / floor is the
# most any window aggregate can gain over the built-in here.
floor_ms=$(best_of "$NOPAR SELECT sum(c) FROM (SELECT count(*) OVER w AS c FROM win_rows $W) q")
table_rows+=("| (a) floor: count(*) over the same window, $ROWS_WINDOW rows | count(*) window | — | $floor_ms | — | ceiling: avg+stddev $(ratio "$avg_base_ms" "$floor_ms")×, slope $(ratio "$base_ms" "$floor_ms")× | |")

log "accuracy against exact numeric window sums"
acc=$(sql -A -t -F ' ' <<SQL
CREATE FUNCTION pg_temp.exact(f float8) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS \$\$
    SELECT CASE WHEN f = 0 THEN 0::numeric
                ELSE sign(f)::numeric * m::numeric *
                     CASE WHEN k >= 0 THEN power(2::numeric, k)
                          ELSE power(5::numeric, -k) * ('1e' || k)::numeric END
           END
      FROM (SELECT (bits & 4503599627370495)
                   + CASE WHEN (bits >> 52) & 2047 = 0 THEN 0 ELSE 4503599627370496 END AS m,
                   greatest(((bits >> 52) & 2047)::int, 1) - 1075 AS k
              FROM (SELECT ('x' || encode(float8send(f), 'hex'))::bit(64)::bigint AS bits) b) d
\$\$;
WITH w AS (
  SELECT journaling.mood_agg(mood, day) OVER w AS s,
         avg(mood) OVER w AS b_avg, stddev_samp(mood) OVER w AS b_sd,
         regr_slope(mood, day - date '2000-01-01') OVER w AS b_slope,
         count(*) OVER w AS n, avg(pg_temp.exact(mood)) OVER w AS x_avg,
         sqrt(var_samp(pg_temp.exact(mood)) OVER w) AS x_sd,
         sum((day - date '2000-01-01')::numeric) OVER w AS sx,
         sum(((day - date '2000-01-01')::numeric) ^ 2) OVER w AS sxx,
         sum(pg_temp.exact(mood)) OVER w AS sy,
         sum((day - date '2000-01-01')::numeric * pg_temp.exact(mood)) OVER w AS sxy
    FROM (SELECT * FROM win_rows WHERE g <= 100000) r $W
), e AS (
  SELECT *, (n * sxy - sx * sy) / nullif(n * sxx - sx ^ 2, 0) AS x_slope FROM w
)
SELECT to_char(max(greatest(abs(journaling.mean(s)::numeric - x_avg) / nullif(abs(x_avg), 0),
                            abs(journaling.stddev(s)::numeric - x_sd) / nullif(x_sd, 0))), '9.9EEEE'),
       to_char(max(greatest(abs(b_avg::numeric - x_avg) / nullif(abs(x_avg), 0),
                            abs(b_sd::numeric - x_sd) / nullif(x_sd, 0))), '9.9EEEE'),
       to_char(max(abs(journaling.slope(s)::numeric - x_slope) / nullif(abs(x_slope), 0)), '9.9EEEE'),
       to_char(max(abs(b_slope::numeric - x_slope) / nullif(abs(x_slope), 0)), '9.9EEEE')
  FROM e;
SQL
)
read -r acc_ours acc_base acc_slope_ours acc_slope_base <<<"$acc"
table_rows+=("| (a) max relative error of moving mean/stddev vs exact numeric (100 000 frames) | mood_agg window | avg/stddev_samp windows | $acc_ours | $acc_base | | ≤ 1e-12 |")
table_rows+=("| (a) max relative error of moving slope vs exact numeric (100 000 frames) | mood_agg window | regr_slope window | $acc_slope_ours | $acc_slope_base | | ≤ 1e-12 |")

# (b) one pass over many rows, read as the original benchmark reads them
ALL="SELECT journaling.n(s), journaling.mean(s), journaling.stddev(s), journaling.min_mood(s), journaling.max_mood(s), journaling.slope(s) FROM (SELECT journaling.mood_agg(mood, day) AS s FROM agg_rows) q"
read -r ours_ms base_ms < <(best_of "$NOPAR $ALL" "$NOPAR SELECT count(*), avg(mood) FROM agg_rows")
table_rows+=("| (b) all statistics vs count + avg, $ROWS rows, no workers | mood_agg | count(*), avg(mood) | $ours_ms | $base_ms | $(ratio "$ours_ms" "$base_ms")× the time | ≤ 1.05× |")
read -r ours2_ms all_ms < <(best_of "$NOPAR $ALL" \
  "$NOPAR SELECT count(*), avg(mood), stddev_samp(mood), min(mood), max(mood), regr_slope(mood, day - date '2000-01-01'), min(day), max(day) FROM agg_rows")
table_rows+=("| (b) all statistics vs the same built-ins, $ROWS rows, no workers | mood_agg | count, avg, stddev_samp, min, max, regr_slope, min/max(day) | $ours2_ms | $all_ms | $(ratio "$ours2_ms" "$all_ms")× the time | |")
# Parallel runs with the table in shared_buffers (both sides), checked.
sql -c 'CREATE EXTENSION pg_prewarm' -c 'CREATE EXTENSION pg_buffercache' -c "SELECT pg_prewarm('agg_rows')" >/dev/null
cached_pages() {
  sql -A -t -c "SELECT count(*) FROM pg_buffercache WHERE relfilenode = pg_relation_filenode('agg_rows') AND relforknumber = 0 AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
}
agg_pages=$(sql -A -t -c "SELECT pg_relation_size('agg_rows') / current_setting('block_size')::int")
agg_mb=$(sql -A -t -c "SELECT pg_relation_size('agg_rows') / 1048576")
cached_before=$(cached_pages)
[ "$cached_before" -eq "$agg_pages" ] || die "agg_rows does not fit in shared_buffers: $cached_before of $agg_pages pages cached"
for jit in on off; do
  LEADER_ON="SET jit = $jit; SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = on;"
  LEADER_OFF="SET jit = $jit; SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;"
  SERIAL="SET jit = $jit; $NOPAR"
  if [ "$jit" = on ]; then jit_note="JIT on (default)"; goal=""; else jit_note="JIT off on both sides"; goal="≥ 1.6×"; fi
  read -r par_ms serial_ms < <(best_of "$LEADER_ON $ALL" "$SERIAL $ALL")
  table_rows+=("| (b) mood_agg, 2 workers (and the leader) vs none, $ROWS rows in shared_buffers, $jit_note | 2 workers + leader | no workers | $par_ms | $serial_ms | $(ratio "$serial_ms" "$par_ms")× faster | $goal |")
  read -r paro_ms serialo_ms < <(best_of "$LEADER_OFF $ALL" "$SERIAL $ALL")
  table_rows+=("| (b) mood_agg, 2 workers, leader not participating, vs none, $ROWS rows in shared_buffers, $jit_note | 2 workers | no workers | $paro_ms | $serialo_ms | $(ratio "$serialo_ms" "$paro_ms")× faster | |")
  # What this machine gives any aggregate: the built-ins' own speed-up.
  BUILTIN="SELECT count(*), avg(mood) FROM agg_rows"
  read -r bpar_ms bserial_ms < <(best_of "$LEADER_ON $BUILTIN" "$SERIAL $BUILTIN")
  table_rows+=("| (b) reference: count(*) + avg(mood), 2 workers (and the leader) vs none, $jit_note | — | 2 workers + leader vs none | — | $bpar_ms / $bserial_ms | $(ratio "$bserial_ms" "$bpar_ms")× faster | |")
done
cached_after=$(cached_pages)

# (c) mood_trend for one user
log "mood_trend: 5 000 entries of one user"
sql <<'SQL' >/dev/null
INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-0000-0000-0000000000b1', 'bench');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score)
SELECT '00000000-0000-0000-0000-0000000000b1', 'entry ' || g, date '2024-01-01' + (g * 364 / 5000),
       CASE WHEN g % 23 = 0 THEN NULL ELSE round((abs(hashint4(g) % 201) / 100.0)::numeric - 1, 2) END
  FROM generate_series(0, 4999) g;
SELECT count(*) FROM journaling.refresh_statistics();  -- materialize the daily states
ANALYZE;
SQL
pct=$(sql -A -t -F ' ' -v calls="$CALLS" <<'SQL'
-- Times the statements in turn, call by call, after one untimed call of each.
CREATE FUNCTION pg_temp.time_calls(stmts text[], calls int)
RETURNS TABLE (stmt int, ms float8)
LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz;
BEGIN
    FOR s IN 1 .. cardinality(stmts) LOOP
        EXECUTE stmts[s];
    END LOOP;
    FOR i IN 1 .. calls LOOP
        FOR s IN 1 .. cardinality(stmts) LOOP
            t := clock_timestamp();
            EXECUTE stmts[s];
            stmt := s;
            ms := extract(epoch FROM clock_timestamp() - t) * 1000;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END
$$;
SELECT string_agg(p50 || ' ' || p95, ' ' ORDER BY stmt)
  FROM (SELECT stmt,
               round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p50,
               round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p95
          FROM pg_temp.time_calls(ARRAY[
        -- 1: ours
        $q$SELECT count(*) FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000b1', 'week', date '2024-01-01', date '2024-12-29')$q$,
        -- 2: the plain SQL over the raw rows
        $q$
        SELECT count(*) FROM (
          SELECT b, n, a, sd, mi, ma, sl,
                 sum(sy) OVER w / nullif(sum(ny) OVER w, 0) AS moving_avg
            FROM (SELECT date_trunc('week', entry_date::timestamp)::date AS b, count(*) AS n,
                         avg(mood_score::float8) AS a, stddev_samp(mood_score::float8) AS sd,
                         min(mood_score::float8) AS mi, max(mood_score::float8) AS ma,
                         regr_slope(mood_score::float8, entry_date - date '2000-01-01') AS sl,
                         sum(mood_score::float8) AS sy, count(mood_score) AS ny
                    FROM journaling.journal_entries
                   WHERE user_id = '00000000-0000-0000-0000-0000000000b1'
                     AND entry_date >= date '2024-01-01' AND entry_date <= date '2024-12-29'
                   GROUP BY 1) k
          WINDOW w AS (ORDER BY b RANGE BETWEEN interval '3 weeks' PRECEDING AND CURRENT ROW)) q
        $q$,
        -- 3: reference: only reading the year's 364 stored daily states in day
        -- order, computing nothing (what any answer from the daily states must
        -- at least do; mood_trend reads the 52 stored weekly states instead)
        $q$
        SELECT count(*) FROM (
          SELECT d.day, d.entries, d.mood FROM journaling.daily_stats d
           WHERE d.user_id = '00000000-0000-0000-0000-0000000000b1'
             AND d.day >= date '2024-01-01' AND d.day <= date '2024-12-29'
           ORDER BY d.day) q
        $q$], :calls)
         GROUP BY stmt) p;
SQL
)
read -r p50 p95 b50 b95 f50 f95 <<<"$pct"
table_rows+=("| (c) mood_trend from stored states, 52 weeks, 5 000 entries, p50 ms ($CALLS calls) | mood_trend | plain SQL over the raw rows (avg, stddev_samp, min, max, regr_slope, window) | $p50 | $b50 | $(ratio "$b50" "$p50")× faster | ≥ 20× |")
table_rows+=("| (c) mood_trend from stored states, 52 weeks, 5 000 entries, p95 ms ($CALLS calls) | mood_trend | plain SQL over the raw rows | $p95 | $b95 | $(ratio "$b95" "$p95")× faster | p95 ≤ 0.5 ms |")
table_rows+=("| (c) reference: only reading the 364 stored daily states in day order (plain SQL, nothing computed), p50 ms | — | the same plain SQL over the raw rows | $f50 | $b50 | $(ratio "$b50" "$f50")× faster | |")

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(nproc) cores ($cpu), PostgreSQL $(sql -A -t -c 'SHOW server_version'), shared_buffers 512MB, work_mem 128MB."
echo "Data: (a) $ROWS_WINDOW rows, 3 per day; (b) $ROWS rows over 2 000 days; (c) 5 000 entries of one user over 52 weeks. Pages all-visible after the load's VACUUM ((a), (b)): $visible."
echo "Times (a, b) are the best of $RUNS runs in ms, the two sides alternating in one session after one untimed warm-up run of each, including the client round trip; the data checkpointed and synced before timing; the parallel runs of (b) with the table ($agg_pages pages, $agg_mb MB) prewarmed into shared_buffers (pg_buffercache: $cached_before pages of it cached before the parallel runs, $cached_after after); (c) alternates the two statements call by call."
echo
echo "| case | extension | plain PostgreSQL | extension ms / value | plain ms / value | ratio | goal |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${table_rows[@]}"

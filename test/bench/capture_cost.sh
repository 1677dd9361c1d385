#!/usr/bin/env bash
# test/bench/capture_cost.sh — CPU instructions spent on the statistics
# change capture, counted by valgrind (callgrind): the same on any machine,
# busy or idle, unlike the wall-clock times of test/bench/stats.sh.
#
# Own throwaway cluster (scripts/lib.sh; respects PGDEV_ROOT): BENCH_USERS
# (20000) users and BENCH_ENTRIES (200000) entries are loaded, the cluster is
# stopped, and each measurement runs a single-user backend under callgrind on
# a fresh copy of its data directory, counting the instructions of each
# statement from the start to the commit of its transaction (parse, plan,
# execution, commit; not the client protocol).  A statement's count is the
# difference between a session running it and one running only the warm-up
# before it.  Prints a Markdown table: instructions of a single-row INSERT and
# of a 10 000-row INSERT ... SELECT with the capture triggers that run on
# INSERT dropped (off) and as installed (on).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

USERS=${BENCH_USERS:-20000}
ENTRIES=${BENCH_ENTRIES:-200000}

ensure_packages valgrind
build_and_install
cluster_start -o "-c shared_buffers=512MB -c work_mem=64MB -c max_wal_size=4GB -c autovacuum=off"
work=$CLUSTER_DIR
trap 'cluster_stop; rm -rf "$work"' EXIT

log "loading $USERS users, $ENTRIES entries"
psql -X -q -d postgres -c 'CREATE DATABASE bench'
psql -X -q -v ON_ERROR_STOP=1 -d bench -c 'CREATE EXTENSION journaling CASCADE' 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d bench <<SQL
INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'user' || i
  FROM generate_series(1, $USERS) i;
ALTER TABLE journaling.journal_entries DISABLE TRIGGER USER;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags, word_count)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (i - 1) % $USERS), 12, '0'))::uuid,
       'entry text ' || i, DATE '2025-01-01' + (hashint4(i) & 1023) % 700, 0.5,
       ARRAY['tag' || (hashint4(i + 1) & 31)], 3
  FROM generate_series(1, $ENTRIES) i
 ORDER BY 1;
ALTER TABLE journaling.journal_entries ENABLE TRIGGER USER;
VACUUM ANALYZE;
CHECKPOINT;
SQL
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null

warm="INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES ('00000000-0000-4000-8000-000000000001', 'warm-up', DATE '2026-01-01');"
one="INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags) VALUES ('00000000-0000-4000-8000-000000000002', 'a single new entry with a few words', DATE '2026-01-01', 0.25, '{bench}');"
bulk="INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags) SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (hashint4(g) & 2147483647) % $USERS), 12, '0'))::uuid, 'bulk entry ' || g, DATE '2026-02-01' + g % 30, 0.1, '{bulk}' FROM generate_series(1, 10000) g;"
off="DROP TRIGGER journal_entries_stats_note_insert ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_flush ON journaling.journal_entries;"

# Instructions executed by a single-user backend running the given
# statements (one per line) on a fresh copy of the data; $setup (DDL) runs
# first, uncounted.
instructions() {
  local setup=$1 run=$work/run
  shift
  rm -rf "$run"
  cp -a "$work/data" "$run"
  printf '%s\n' "$setup" | runuser -u postgres -- "$PG_BIN/postgres" --single -D "$run" bench >/dev/null 2>&1
  printf '%s\n' "$@" | runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
      --toggle-collect=StartTransactionCommand --toggle-collect=pg_parse_query \
      --toggle-collect=pg_analyze_and_rewrite_fixedparams --toggle-collect=pg_plan_queries \
      --toggle-collect=PortalStart --toggle-collect=PortalRun --toggle-collect=PortalDrop \
      --toggle-collect=CommitTransactionCommand \
      "$PG_BIN/postgres" --single -D "$run" bench >/dev/null 2>"$work/valgrind.log" \
    || { cat "$work/valgrind.log" >&2; die "callgrind run failed"; }
  sed -n 's/^summary: *//p' "$work/callgrind.out"
}

declare -A single bulk10k
for mode in off on; do
  setup=$([ "$mode" = off ] && echo "$off" || echo "SELECT 1;")
  log "capture $mode: single-row INSERT"
  a=$(instructions "$setup" "$warm" "$one" "$one" "$one")
  b=$(instructions "$setup" "$warm" "$one")
  single[$mode]=$(( (a - b) / 2 ))
  log "capture $mode: 10 000-row INSERT ... SELECT"
  a=$(instructions "$setup" "$warm" "$bulk")
  b=$(instructions "$setup" "$warm")
  bulk10k[$mode]=$(( a - b ))
done
pct() { awk -v on="$1" -v off="$2" 'BEGIN {printf "%+.1f %%", (on / off - 1) * 100}'; }

cat <<MD
### Change capture cost in CPU instructions

$USERS users, $ENTRIES entries; PostgreSQL $("$PG_BIN/postgres" --version | sed -n 's/.*(PostgreSQL) \([^ ]*\).*/\1/p'); instructions
(valgrind callgrind) of one statement from the start to the commit of its
transaction, in a fresh single-user backend after a one-row warm-up INSERT;
the single-row figure is the mean of the 2nd and 3rd statement of a session.

| statement | capture on | capture off | overhead | goal |
|---|---:|---:|---:|---|
| single-row INSERT | ${single[on]} | ${single[off]} | $(pct "${single[on]}" "${single[off]}") | ≤ 10 % |
| 10 000-row INSERT ... SELECT | ${bulk10k[on]} | ${bulk10k[off]} | $(pct "${bulk10k[on]}" "${bulk10k[off]}") | ≤ 10 % |

Capture off = the two capture triggers that run on INSERT dropped (the row
trigger whose WHEN condition notes each row and the statement trigger that
writes the change log); on = both as installed.  Instructions leave out what
the kernel does (WAL and data file writes) and cache effects; the wall-clock
comparison is test/bench/stats.sh.
MD

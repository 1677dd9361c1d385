#!/usr/bin/env bash
# test/bench/insert.sh — benchmark #1: insert cost into journal_entries.
#
# Table A is journaling.journal_entries, whose search_vector and word_count a C
# trigger maintains (its statistics change-capture triggers are dropped here:
# test/bench/stats.sh measures them).  Table B (bench.journal_entries) has the same columns,
# constraints and indexes, but search_vector is a plain-PostgreSQL
#   GENERATED ALWAYS AS (setweight(to_tsvector(...)) || ...) STORED
# column (array_to_string behind an IMMUTABLE SQL wrapper, as generation
# expressions require) and word_count a plain column left at its default.  The same
# generated rows go into both, in one run on one throwaway cluster: bulk
# INSERT ... SELECT, COPY FROM a file, single-row INSERTs through pgbench, and
# the two bulk loads again with the GIN indexes dropped on both tables (the
# vector computation without the index maintenance).  Each measurement is
# the median of BENCH_REPEAT runs, A and B alternating; the table is
# truncated, vacuumed and checkpointed before each run.
#
# Environment: BENCH_ROWS (bulk rows, 20000), BENCH_SINGLE_ROWS (single-row
# INSERTs, 2000), BENCH_USERS (100), BENCH_REPEAT (5), BENCH_SEED (42).
# Expects the extension built and installed (scripts/bench does that).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ROWS=${BENCH_ROWS:-20000}
SINGLE=${BENCH_SINGLE_ROWS:-2000}
USERS=${BENCH_USERS:-100}
REPEAT=${BENCH_REPEAT:-5}
SEED=${BENCH_SEED:-42}
[ "$SINGLE" -le "$ROWS" ] || die "BENCH_SINGLE_ROWS ($SINGLE) must not exceed BENCH_ROWS ($ROWS)"

A=journaling.journal_entries
B=bench.journal_entries
COLS="user_id, id, title, content, entry_date, mood_score, tags, created_at"

q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# Milliseconds one statement took, as psql's \timing reports it.
timed() { q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }

# Empty a table and leave no dead tuples, dirty buffers or pending WAL behind.
reset_table() {
  q -c "SET client_min_messages = warning" -c "TRUNCATE $1 CASCADE" -c "VACUUM $1" -c "CHECKPOINT"
}

# Median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One run of a workload (bulk | copy | single) into a table; prints ms.
run_workload() {
  local workload=$1 table=$2
  reset_table "$table"
  case $workload in
    bulk) timed "INSERT INTO $table ($COLS) SELECT $COLS FROM bench.src" ;;
    copy) timed "COPY $table ($COLS) FROM '$DATA/entries.copy'" ;;
    single)
      q -c "SELECT pg_catalog.setval('bench.pick', 1, false)" >/dev/null
      printf '%s\n' "INSERT INTO $table ($COLS) SELECT $COLS FROM bench.src WHERE i = (SELECT nextval('bench.pick'));" \
        >"$DATA/single-$table.sql"
      local out
      out=$("$PG_BIN/pgbench" -n -c 1 -t "$SINGLE" -f "$DATA/single-$table.sql" 2>&1) \
        || die "pgbench failed: $out"
      awk -v k="$SINGLE" '/^latency average/ {printf "%.1f\n", $4 * k}' <<<"$out"
      ;;
  esac
}

# Median A and B times of a workload; appends a Markdown row to RESULTS.
measure() {
  local label=$1 workload=$2 rows=$3 a=() b=() r t v order
  log "$label: $REPEAT runs each of A and B"
  for ((r = 1; r <= REPEAT; r++)); do
    order="$A $B"
    ((r % 2)) || order="$B $A"
    for t in $order; do
      v=$(run_workload "$workload" "$t")
      [ -n "$v" ] || die "$label into $t gave no time"
      if [ "$t" = "$A" ]; then a+=("$v"); else b+=("$v"); fi
    done
  done
  local ma mb
  ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
  RESULTS+=$(printf '| %s | %d | %.0f | %.0f | %.2f |' "$label" "$rows" "$ma" "$mb" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN {print a / b}')")$'\n'
  log "$label: A ${a[*]} ms; B ${b[*]} ms"
}

cluster_start
trap cluster_stop EXIT
DATA=$CLUSTER_DIR/bench
mkdir -p "$DATA"

log "generating $ROWS entries for $USERS users (seed $SEED)"
python3 "$REPO_ROOT/test/bench/gen.py" --format users-copy --users "$USERS" --seed "$SEED" --out "$DATA/users.copy"
python3 "$REPO_ROOT/test/bench/gen.py" --format copy --entries "$ROWS" --users "$USERS" --seed "$SEED" --out "$DATA/entries.copy"

log "creating the extension, the staging table and table B"
q <<SQL
CREATE EXTENSION journaling CASCADE;
-- This benchmark isolates search_vector maintenance: the statistics change
-- capture (measured by test/bench/stats.sh) is removed from table A.  Dropped,
-- not disabled: PostgreSQL fills transition tables (DELETE) even for disabled
-- triggers.
DROP TRIGGER journal_entries_stats_note_insert ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_note_update ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_flush ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_delete ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_truncate ON journaling.journal_entries;
COPY journaling.users (id, username) FROM '$DATA/users.copy';
CREATE SCHEMA bench;

-- Staging rows, numbered in file order for the single-row workload.
CREATE TABLE bench.src (
    i          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    uuid, id uuid, title text, content text, entry_date date,
    mood_score numeric(3,2), tags text[], created_at timestamptz
);
COPY bench.src ($COLS) FROM '$DATA/entries.copy';
CREATE SEQUENCE bench.pick;

-- array_to_string is only STABLE, so a generation expression needs the usual
-- IMMUTABLE wrapper (safe here: text elements print the same in any setting).
CREATE FUNCTION bench.tags_text(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS \$\$ SELECT array_to_string(tags, ' ') \$\$;

-- Table B: journal_entries with the plain-PostgreSQL generated column.
CREATE TABLE $B (
    user_id       uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    title         text,
    content       text NOT NULL,
    entry_date    date NOT NULL DEFAULT CURRENT_DATE,
    mood_score    numeric(3,2),
    mood_label    text,
    tags          text[] NOT NULL DEFAULT '{}',
    categories    text[] NOT NULL DEFAULT '{}',
    topic_id      uuid,
    is_private    bool NOT NULL DEFAULT false,
    is_favorite   bool NOT NULL DEFAULT false,
    word_count    int4 NOT NULL DEFAULT 0,
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', content), 'B') ||
        setweight(to_tsvector('english', coalesce(bench.tags_text(tags), '')), 'C')) STORED,
    metadata      jsonb NOT NULL DEFAULT '{}',
    source        text,
    source_id     text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, source, source_id),
    FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, topic_id) REFERENCES journaling.topics (user_id, id) ON DELETE SET NULL (topic_id),
    CHECK (content ~ '[^[:space:]]'),
    CHECK (mood_score >= -1 AND mood_score <= 1),
    CHECK (word_count >= 0),
    CHECK (jsonb_typeof(metadata) = 'object')
);
CREATE INDEX journal_entries_user_date_idx ON $B (user_id, entry_date);
CREATE INDEX journal_entries_search_idx ON $B USING gin (search_vector);
-- The same storage and compression per column as table A (the extension's
-- choices: search_vector in the row, content lz4), so only how the vector is
-- computed differs.
DO \$\$
DECLARE a record;
BEGIN
  FOR a IN SELECT attname, attstorage, attcompression FROM pg_attribute
            WHERE attrelid = 'journaling.journal_entries'::regclass AND attnum > 0 AND NOT attisdropped
              AND attname IN (SELECT attname FROM pg_attribute WHERE attrelid = '$B'::regclass)
  LOOP
    EXECUTE format('ALTER TABLE $B ALTER COLUMN %I SET STORAGE %s', a.attname,
                   CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'm' THEN 'MAIN' WHEN 'e' THEN 'EXTERNAL' ELSE 'EXTENDED' END);
    IF a.attcompression <> '' THEN
      EXECUTE format('ALTER TABLE $B ALTER COLUMN %I SET COMPRESSION %s', a.attname,
                     CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END);
    END IF;
  END LOOP;
END \$\$;
SQL

# Same indexes and constraints on both tables (by kind, columns and definition).
shape() {
  q -c "SELECT string_agg(d, '; ' ORDER BY d) FROM (
          SELECT regexp_replace(pg_get_indexdef(indexrelid), ' ON \S+ ', ' ON t ') AS d
            FROM pg_index WHERE indrelid = '$1'::regclass
          UNION ALL
          SELECT contype::text || ' ' || regexp_replace(pg_get_constraintdef(oid), 'journaling\.|bench\.', '', 'g')
            FROM pg_constraint WHERE conrelid = '$1'::regclass) s"
}
shape_a=$(shape $A)
shape_b=$(shape $B)
same_shape=no
[ -n "$shape_a" ] && [ "$shape_a" = "$shape_b" ] && same_shape=yes
nidx=$(q -c "SELECT count(*) FROM pg_index WHERE indrelid = '$A'::regclass")
ncon=$(q -c "SELECT count(*) FROM pg_constraint WHERE conrelid = '$A'::regclass")

log "checking that A and B compute the same vectors"
q -c "INSERT INTO $A ($COLS) SELECT $COLS FROM bench.src" \
  -c "INSERT INTO $B ($COLS) SELECT $COLS FROM bench.src"
identical=$(q -c "SELECT CASE WHEN count(*) = 0 THEN 'yes' ELSE 'no (' || count(*) || ' rows differ)' END
                    FROM $A a FULL JOIN $B b USING (user_id, id)
                   WHERE a.search_vector IS DISTINCT FROM b.search_vector")
datasize=$(q -c "SELECT format('%s rows, %s MB of content (mean %s words, median %s, max %s kB per entry)',
                        count(*), round(sum(octet_length(content)) / 1048576.0, 1), round(avg(word_count)),
                        percentile_disc(0.5) WITHIN GROUP (ORDER BY word_count),
                        round(max(octet_length(content)) / 1024.0))
                   FROM $A")

RESULTS=
measure "INSERT ... SELECT" bulk "$ROWS"
measure "COPY FROM file" copy "$ROWS"
measure "single-row INSERT (pgbench)" single "$SINGLE"
q -c "DROP INDEX journaling.journal_entries_search_idx" -c "DROP INDEX bench.journal_entries_search_idx"
measure "INSERT ... SELECT, no GIN index" bulk "$ROWS"
measure "COPY FROM file, no GIN index" copy "$ROWS"

cat <<EOF
## insert: C trigger (A) vs GENERATED ALWAYS ... STORED column (B)

- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
- server: $(q -c "SELECT split_part(version(), ' on ', 1)"), throwaway cluster with fsync, synchronous_commit and full_page_writes off
- data: $datasize; $USERS users; gen.py seed $SEED
- vectors identical: $identical
- same indexes ($nidx) and constraints ($ncon) on A and B: $same_shape
- A = journaling.journal_entries, search_vector and word_count set by the C trigger
  (the statistics change-capture triggers dropped: their cost is measured by test/bench/stats.sh);
  B = bench.journal_entries, search_vector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A')
  || setweight(to_tsvector('english', content), 'B') || setweight(to_tsvector('english', coalesce(bench.tags_text(tags), '')), 'C')) STORED,
  where bench.tags_text is an IMMUTABLE SQL wrapper of array_to_string(tags, ' ') (array_to_string is only STABLE),
  and word_count a plain column left at 0
- inserts run as superuser, which bypasses A's forced row-level security
- times: median of $REPEAT runs, A and B alternating; bulk = one statement for all rows,
  single-row = $SINGLE pgbench transactions of one INSERT each (latency average x count)

| workload | rows | A ms | B ms | ratio A/B |
|---|---:|---:|---:|---:|
${RESULTS%$'\n'}

ratio A/B = ours / generated column; 1.00 or less means not slower.
EOF

#!/usr/bin/env bash
# test/bench/import.sh — journaling.import_file against plain PostgreSQL ways
# of loading the same rows into the same table (journal_entries, with its
# indexes, constraints and search_vector trigger), in the same run.
#
#   N=100000 REPEAT=3 test/bench/import.sh   # rows (default 100000), runs per method
#
# Each method runs REPEAT times, interleaved with the others, and the fastest
# run counts (the machine may be shared: the minimum is the least disturbed).
# Besides the wall-clock time, the backend's CPU time (user + system, read
# from /proc before and after the statement) is reported: on a shared
# machine it is the less disturbed of the two.
# Sources scripts/lib.sh (respects PGDEV_ROOT), builds and installs the
# extension, starts its own throwaway cluster and stops it at the end.
# Prints a Markdown table with times and ratios.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"
N=${N:-100000}
REPEAT=${REPEAT:-3}

ensure_packages
build_and_install
cluster_start
trap cluster_stop EXIT
DATA=$CLUSTER_DIR/bench
mkdir -p "$DATA"
USER_ID=5dad10db-0000-4000-8000-00000000b001

# Canonical entries: ~40 words each, a mood, tags, a timestamp; the same rows
# as CSV for COPY; and a file whose every record fails (mood 3.5).
python3 - "$N" "$DATA" "$USER_ID" <<'PY'
import csv, json, random, sys, uuid
n, out, user = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rnd = random.Random(42)
words = ("sleep work run walk coffee family friend stress calm rain sun garden book meeting "
         "deadline project lunch dinner call mother father sister weekend tired happy anxious "
         "grateful gym swim bike train office home music movie note idea plan review").split()
rows = []
for i in range(n):
    d = 1 + i % 28
    rows.append({
        "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
        "title": " ".join(rnd.choice(words) for _ in range(4)).capitalize(),
        "content": " ".join(rnd.choice(words) for _ in range(40)) + ".",
        "entry_date": f"2025-{1 + i % 12:02d}-{d:02d}",
        "mood_score": round(rnd.uniform(-1, 1), 2),
        "tags": rnd.sample(words, 3),
        "created_at": f"2025-{1 + i % 12:02d}-{d:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00",
    })
with open(f"{out}/entries.json", "w") as f:
    json.dump(rows, f)
with open(f"{out}/entries.csv", "w", newline="") as f:
    w = csv.writer(f)
    for r in rows:
        w.writerow([user, r["id"], r["title"], r["content"], r["entry_date"], r["mood_score"],
                    "{" + ",".join(r["tags"]) + "}", "canonical", r["id"], r["created_at"], r["created_at"]])
for r in rows:
    r["mood_score"] = 3.5
with open(f"{out}/bad.json", "w") as f:
    json.dump(rows, f)
PY
chmod -R a+rX "$DATA"
SIZE=$(du -m "$DATA/entries.json" | cut -f1)

psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
CREATE EXTENSION journaling CASCADE;
INSERT INTO journaling.users (id, username) VALUES ('$USER_ID', 'bench');
CREATE TABLE loop_errors (ordinal bigint, sqlstate text, message text);
SQL

COLS="user_id, id, title, content, entry_date, mood_score, tags, source, source_id, created_at, updated_at"
# PL/pgSQL loop with one EXCEPTION block per record (the usual hand-written importer).
loop_sql() {
  cat <<SQL
DO \$\$
DECLARE r record; i bigint := 0;
BEGIN
  FOR r IN SELECT * FROM json_populate_recordset(NULL::journaling.journal_entries, pg_read_file('$1')::json) LOOP
    i := i + 1;
    BEGIN
      INSERT INTO journaling.journal_entries ($COLS)
      VALUES ('$USER_ID', r.id, r.title, r.content, r.entry_date, r.mood_score, r.tags, 'canonical', r.id::text, r.created_at, r.created_at);
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO loop_errors VALUES (i, SQLSTATE, SQLERRM);
    END;
  END LOOP;
END \$\$;
SQL
}

declare -A T C
TICK=$(getconf CLK_TCK)
run() {   # name, sql: truncate, then time the statement (wall clock, and the backend's CPU time)
  psql -X -q -d postgres -c "TRUNCATE journaling.journal_entries, journaling.import_errors, loop_errors CASCADE" -c "CHECKPOINT" >/dev/null
  local t0 t1
  t0=$(date +%s.%N)
  psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
SELECT pg_backend_pid() AS pid \\gset
\\setenv BENCH_PID :pid
\\! awk '{print \$14 + \$15}' /proc/\$BENCH_PID/stat > "$DATA/cpu0"
$2;
\\! awk '{print \$14 + \$15}' /proc/\$BENCH_PID/stat > "$DATA/cpu1"
SQL
  t1=$(date +%s.%N)
  local t=$(echo "$t1 - $t0" | bc -l)
  local c=$(echo "($(cat "$DATA/cpu1") - $(cat "$DATA/cpu0")) / $TICK" | bc -l)
  if [ -z "${T[$1]:-}" ] || [ "$(echo "$t < ${T[$1]}" | bc -l)" = 1 ]; then T[$1]=$t; fi
  if [ -z "${C[$1]:-}" ] || [ "$(echo "$c < ${C[$1]}" | bc -l)" = 1 ]; then C[$1]=$c; fi
  local rows=$(psql -X -At -d postgres -c "SELECT count(*) FROM journaling.journal_entries")
  local errs=$(psql -X -At -d postgres -c "SELECT (SELECT count(*) FROM journaling.import_errors) + (SELECT count(*) FROM loop_errors)")
  log "$1: $(printf %.2f "$t") s, backend CPU $(printf %.2f "$c") s, $rows rows, $errs errors"
}

for rep in $(seq "$REPEAT"); do
  run import "SELECT * FROM journaling.import_file('$DATA/entries.json', 'entries', '{\"user_id\": \"$USER_ID\"}')"
  run copy "COPY journaling.journal_entries ($COLS) FROM '$DATA/entries.csv' WITH (FORMAT csv)"
  run populate "INSERT INTO journaling.journal_entries ($COLS)
    SELECT '$USER_ID', r.id, r.title, r.content, r.entry_date, r.mood_score, r.tags, 'canonical', r.id::text, r.created_at, r.created_at
      FROM json_populate_recordset(NULL::journaling.journal_entries, pg_read_file('$DATA/entries.json')::json) r"
  run loop "$(loop_sql "$DATA/entries.json")"
  run import_fail "SELECT * FROM journaling.import_file('$DATA/bad.json', 'entries', '{\"user_id\": \"$USER_ID\"}')"
  run loop_fail "$(loop_sql "$DATA/bad.json")"
done

# The search_vector trigger (to_tsvector per row) dominates every successful
# load above.  For context only, the same loads with it disabled show what
# each method itself costs (not the contract's setting: the table then lacks
# its search vectors).
psql -X -q -d postgres -c "ALTER TABLE journaling.journal_entries DISABLE TRIGGER journal_entries_search_vector"
for rep in $(seq "$REPEAT"); do
  run import_nt "SELECT * FROM journaling.import_file('$DATA/entries.json', 'entries', '{\"user_id\": \"$USER_ID\"}')"
  run copy_nt "COPY journaling.journal_entries ($COLS) FROM '$DATA/entries.csv' WITH (FORMAT csv)"
  run loop_nt "$(loop_sql "$DATA/entries.json")"
done
psql -X -q -d postgres -c "ALTER TABLE journaling.journal_entries ENABLE TRIGGER journal_entries_search_vector"

r() { echo "scale=2; $1 / $2" | bc -l; }
f() { printf %.2f "$1"; }
row() {   # label, key, reference key
  echo "| $1 | $(f ${T[$2]}) | $(printf %.0f $(echo "$N / ${T[$2]}" | bc -l)) | $(r ${T[$2]} ${T[$3]}) | $(f ${C[$2]}) | $(r ${C[$2]} ${C[$3]}) |"
}
cat <<MD
### Import benchmark: $N canonical entries ($SIZE MB of JSON), $(nproc) CPUs, PostgreSQL $PG_MAJOR, best of $REPEAT runs

Wall-clock seconds of the statement (psql round trip included) and the backend's CPU seconds
(user + system, from /proc), each the minimum over the runs.

| method | seconds | rows/s | vs import_file | backend CPU s | CPU vs import_file |
|---|---:|---:|---:|---:|---:|
$(row '`journaling.import_file` (streaming C reader, batched INSERT of unnested arrays)' import import)
$(row '`COPY ... FROM` CSV of the same rows' copy import)
$(row '`json_populate_recordset` + `INSERT ... SELECT`' populate import)
$(row 'PL/pgSQL loop, one EXCEPTION block per record' loop import)
$(row 'every record fails: `import_file` (errors to import_errors)' import_fail import_fail)
$(row 'every record fails: PL/pgSQL loop (errors to a table)' loop_fail import_fail)

- import_file / COPY: $(r ${T[import]} ${T[copy]})× wall, $(r ${C[import]} ${C[copy]})× CPU (goal ≤ 1.1×)
- loop / import_file: $(r ${T[loop]} ${T[import]})× wall, $(r ${C[loop]} ${C[import]})× CPU (goal ≥ 4×)
- loop / import_file when every record fails: $(r ${T[loop_fail]} ${T[import_fail]})× wall, $(r ${C[loop_fail]} ${C[import_fail]})× CPU (goal ≥ 6×)

For context, with the \`search_vector\` trigger disabled (indexes and constraints kept):

| method | seconds | vs import_file | backend CPU s | CPU vs import_file |
|---|---:|---:|---:|---:|
| \`journaling.import_file\` | $(f ${T[import_nt]}) | 1.00 | $(f ${C[import_nt]}) | 1.00 |
| \`COPY ... FROM\` CSV | $(f ${T[copy_nt]}) | $(r ${T[copy_nt]} ${T[import_nt]}) | $(f ${C[copy_nt]}) | $(r ${C[copy_nt]} ${C[import_nt]}) |
| PL/pgSQL loop, one EXCEPTION block per record | $(f ${T[loop_nt]}) | $(r ${T[loop_nt]} ${T[import_nt]}) | $(f ${C[loop_nt]}) | $(r ${C[loop_nt]} ${C[import_nt]}) |
MD

#!/usr/bin/env bash
# test/bench/import_large.sh — memory of journaling.import_file on a file over
# 1 GB: the backend's private memory (RssAnon in /proc/<pid>/status, sampled
# every 50 ms while the import runs) before the call and at its peak, plus the
# process's peak resident set (VmHWM, which also counts the shared buffers it
# touched).  Every record is a valid canonical entry, so every one goes
# through the JSON reader, the mapper, the batched INSERT, the search_vector
# trigger and the change capture into journal_entries.
#
#   [MB=1100] [WORDS=40-400] test/bench/import_large.sh
#
# MB is the file size in MB; WORDS the range of words in each record's
# content (1-3 makes short records: several million of them per GB, which
# is what the per-file set of seen ids has to hold).
#
# Sources scripts/lib.sh (respects PGDEV_ROOT), builds and installs the
# extension, starts its own throwaway cluster and stops it at the end.
# Prints a Markdown table.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$REPO_ROOT"

MB=${MB:-1100}
WORDS=${WORDS:-40-400}
[[ $WORDS =~ ^[0-9]+-[0-9]+$ ]] || die "WORDS must be min-max, e.g. 40-400"
ensure_packages
build_and_install
cluster_start -o "-c shared_buffers=512MB -c max_wal_size=8GB"
trap cluster_stop EXIT
DATA=$CLUSTER_DIR/bench
mkdir -p "$DATA"
chown postgres: "$DATA"
USER_ID=5dad10db-0000-4000-8000-00000000b002

log "generating a ${MB} MB file of canonical entries of $WORDS words"
records=$(python3 - "$MB" "$DATA/big.json" "${WORDS%-*}" "${WORDS#*-}" <<'PY'
import json, random, sys, uuid
limit, path = int(sys.argv[1]) * 1048576, sys.argv[2]
lo, hi = int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(7)
words = ("sleep work run walk coffee family friend stress calm rain sun garden book meeting "
         "deadline project lunch dinner call mother father sister weekend tired happy anxious "
         "grateful gym swim bike train office home music movie note idea plan review").split()
written, i = 0, 0
with open(path, "w") as f:
    f.write("[\n")
    while written < limit:
        d = 1 + i % 28
        rec = json.dumps({
            "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "title": " ".join(rnd.choice(words) for _ in range(4)).capitalize(),
            # WORDS words: 40 to 400 are about 250 bytes to 2.5 kB of text
            "content": " ".join(rnd.choice(words) for _ in range(rnd.randint(lo, hi))) + ".",
            "entry_date": f"2025-{1 + i % 12:02d}-{d:02d}",
            "mood_score": round(rnd.uniform(-1, 1), 2),
            "tags": rnd.sample(words, 3),
        })
        f.write(("," if i else "") + rec + "\n")
        written += len(rec) + 2
        i += 1
    f.write("]\n")
print(i)
PY
)
chmod 644 "$DATA/big.json"
size=$(stat -c %s "$DATA/big.json")

psql -X -q -d postgres -c "CREATE EXTENSION journaling CASCADE" -c "INSERT INTO journaling.users (id, username) VALUES ('$USER_ID', 'large')" >/dev/null
log "importing $size bytes"
t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -d postgres >"$DATA/result" 2>"$DATA/debug" <<SQL || { cat "$DATA/debug" >&2; exit 1; }
-- a first call loads the library and warms the caches before the baseline
SELECT count(*) FROM journaling.import_json('[]', 'entries', '{"user_id": "$USER_ID"}');
SELECT pg_backend_pid() AS pid \\gset
\\setenv BENCH_PID :pid
\\setenv BENCH_DIR $DATA
\\! grep RssAnon /proc/\$BENCH_PID/status | awk '{print \$2}' > "\$BENCH_DIR/anon0"
\\! (max=0; while [ ! -e "\$BENCH_DIR/stop" ]; do a=\$(awk '/RssAnon/ {print \$2}' /proc/\$BENCH_PID/status); [ "\$a" -gt "\$max" ] && max=\$a && echo \$max > "\$BENCH_DIR/anonmax"; sleep 0.05; done) &
\\pset format unaligned
\\pset tuples_only on
-- the per-file set of seen ids says how much of it went to temporary files
SET client_min_messages = debug1;
SELECT processed, imported, failed FROM journaling.import_file('$DATA/big.json', 'entries', '{"user_id": "$USER_ID"}') WHERE kind = 'total';
\\! touch "\$BENCH_DIR/stop"
\\! grep VmHWM /proc/\$BENCH_PID/status | awk '{print \$2}' > "\$BENCH_DIR/hwm"
SQL
t1=$(date +%s.%N)
sleep 0.2
secs=$(printf %.0f "$(echo "$t1 - $t0" | bc -l)")
result=$(grep '|' "$DATA/result" | tail -1)
anon0=$(cat "$DATA/anon0")
anonmax=$(cat "$DATA/anonmax")
hwm=$(cat "$DATA/hwm")
rows=$(psql -X -At -d postgres -c "SELECT count(*) FROM journaling.journal_entries")
growth_mb=$(( (anonmax - anon0) / 1024 ))

cat <<MD
### import_file of a file over 1 GB: backend memory

Machine: $(nproc) cores, PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), shared_buffers 512MB.
File: $size bytes ($(( size / 1048576 )) MB), $records canonical entries ($WORDS words of content each); processed | imported | failed: $result; $rows rows in journal_entries; $secs s.

| measure | value | goal |
|---|---:|---|
| backend private memory (RssAnon) before the call | $(( anon0 / 1024 )) MB | |
| backend private memory (RssAnon) at its peak during the call (sampled every 50 ms) | $(( anonmax / 1024 )) MB | |
| growth during the call | $growth_mb MB | ≤ 64 MB |
| backend peak resident set (VmHWM, includes shared buffers touched) | $(( hwm / 1024 )) MB | |
MD
grep -h 'ids of' "$DATA/debug" | sed "s/^.*DEBUG: */Set of seen ids (work_mem $(psql -X -At -d postgres -c 'SHOW work_mem')): /" || true

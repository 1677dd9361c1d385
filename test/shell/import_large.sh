#!/usr/bin/env bash
# A 300 MB legacy file imports with bounded memory: the streaming reader
# materializes one record at a time.  The file holds 3,003 records of about
# 100 kB (more than one jsonb value may hold); all but 4 have an
# out-of-range mood, so they are rejected in C without the cost of the search
# trigger.  The backend's peak resident memory stays far below the file size.
# Runs against the cluster scripts/test started; prints TAP.
set -euo pipefail
db=journaling_import_large
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
ok() { if [ "$1" = "$2" ]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got: $1"; echo "#   expected: $2"; fi; n=$((n + 1)); }
n=1
echo "1..5"

python3 - "$dir/big.json" <<'PY'
import sys
pad = "lorem ipsum dolor sit amet " * 3800   # ~100 kB
with open(sys.argv[1], "w") as f:
    f.write("[\n")
    for i in range(3003):
        mood = "0.5" if i % 1000 == 0 else "3.5"
        f.write('%s{"title": "t%d", "content": "%s %d", "mood_score": %s}\n' % ("," if i else "", i, pad, i, mood))
    f.write("]\n")
PY
chmod 644 "$dir/big.json"
size=$(stat -c %s "$dir/big.json")
ok "$([ "$size" -gt 300000000 ] && echo big)" big "the generated file is larger than 300 MB ($size bytes)"

psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
psql -d $db -c "CREATE EXTENSION journaling CASCADE" 2>/dev/null
out=$(psql -d $db -At -F' ' <<SQL
SELECT processed, imported, skipped, failed FROM journaling.import_file('$dir/big.json', 'entries') WHERE kind = 'total';
SELECT count(*) FROM journaling.import_errors WHERE sqlstate = '23514';
SELECT max(byte_offset) > 300000000 FROM journaling.import_errors;
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint / 1024;
SQL
)
readarray -t lines <<<"$out"
ok "${lines[0]}" "3003 4 0 2999" "3003 records processed: 4 imported, 2999 rejected in C"
ok "${lines[1]}" "2999" "every rejected record is in import_errors with its SQLSTATE"
ok "${lines[2]}" "t" "byte offsets past 300 MB are reported"
hwm=${lines[3]}
ok "$([ "$hwm" -lt 250 ] && echo bounded)" bounded "backend peak resident memory ${hwm} MB stays below 250 MB for a ${size}-byte file"
psql -d postgres -c "DROP DATABASE $db"

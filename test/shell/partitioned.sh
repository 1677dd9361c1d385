#!/usr/bin/env bash
# test/shell/partitioned.sh — the regression suite on hash-partitioned tables (TAP).
#
# DESIGN §2 promises that every per-user table can be hash-partitioned by its
# user column with plain PostgreSQL "without change".  This test holds the
# extension to it: pg_regress runs sql/01_install (which creates the extension
# in a fresh contrib_regression database and checks the catalog wiring of the
# layout the install script creates), test/partitioned/convert.sql then
# recreates every per-user table PARTITION BY HASH with 4 partitions, and
# pg_regress runs every other sql/*.sql file against that database with the
# unchanged expected/*.out files.  The conversion runs between the two
# pg_regress calls, so the test files never see it.
#
# One difference is inherent and normalized: TRUNCATE ... CASCADE prints a
# "truncate cascades to table" NOTICE for each partition as well as for the
# parent; with partitions named like their parents these are identical lines,
# collapsed before comparing.
#
# Runs against the cluster scripts/test started (PGHOST etc. in the
# environment).  Uses the database contrib_regression (the name is part of
# the expected output), which pg_regress recreates; dropped at the end.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
cd "$REPO_ROOT" || exit 1

regress=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress
bindir=$("$PG_CONFIG" --bindir)
db=contrib_regression
out=$(mktemp -d)
trap 'rm -rf "$out"; q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

# Every per-user table of the extension (a user_id column, or referenced from
# one: journaling.users) as "name:relkind:number of partitions".
layout() {
  q -d $db -c "WITH m AS (SELECT c.oid, c.relname, c.relkind FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
                           WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
                             AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journaling'))
               SELECT format('%s:%s:%s', m.relname, m.relkind, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = m.oid))
                 FROM m
                WHERE EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = m.oid AND a.attname = 'user_id')
                   OR EXISTS (SELECT 1 FROM pg_constraint f JOIN pg_attribute a ON a.attrelid = f.conrelid
                                       AND a.attnum = ANY (f.conkey) AND a.attname = 'user_id'
                               WHERE f.contype = 'f' AND f.confrelid = m.oid)
                ORDER BY 1"
}
# pg_regress's verdict lines, as "name verdict" (PostgreSQL 15 and 16+ formats).
verdicts() {
  sed -nE -e 's/^test +([^ ]+) +\.\.\. +(ok|FAILED|failed).*/\1 \2/p' \
          -e 's/^not ok +[0-9]+ +[-+] +([^ ]+).*/\1 FAILED/p' \
          -e 's/^ok +[0-9]+ +[-+] +([^ ]+).*/\1 ok/p' "$1"
}

"$regress" --inputdir=. --outputdir="$out" --bindir="$bindir" --dbname=$db \
           --load-extension=pg_trgm 01_install >"$out/install.log" 2>&1
rc=$?
ok $rc "sql/01_install creates the extension in a fresh $db (the install script's layout)"
[ $rc = 0 ] || sed 's/^/# /' "$out/install.log" "$out/regression.diffs"

before=$(layout)
q -d $db -f test/partitioned/convert.sql >"$out/convert.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$out/convert.log"
after=$(layout)
ok $rc "test/partitioned/convert.sql runs"
is "$(grep -cv ':p:4$' <<<"$after")" 0 \
   "all $(wc -l <<<"$after") per-user tables are now PARTITION BY HASH with 4 partitions"
is "$(cut -d: -f1 <<<"$after")" "$(cut -d: -f1 <<<"$before")" "the same tables as before the conversion"
is "$(grep -cv ':r:0$' <<<"$before")" 0 "which were plain tables"

# Every file but the install test runs again, unchanged.
tests=()
for f in sql/*.sql; do
  t=$(basename "$f" .sql)
  [ "$t" = 01_install ] || tests+=("$t")
done

"$regress" --inputdir=. --outputdir="$out" --bindir="$bindir" --dbname=$db --use-existing \
           "${tests[@]}" >"$out/regress.log" 2>&1
declare -A verdict
while read -r t v; do verdict[$t]=$v; done < <(verdicts "$out/regress.log")
[ ${#verdict[@]} -gt 0 ] || sed 's/^/# /' "$out/regress.log"
for t in "${tests[@]}"; do
  v=${verdict[$t]:-missing}
  if [ "$v" = ok ]; then
    ok 0 "$t: same output on partitioned tables"
  # Collapse the per-partition copies of TRUNCATE's cascade notices.
  elif [ -f "$out/results/$t.out" ] &&
       awk '/^NOTICE:  truncate cascades to table / && $0 == prev { next } { print; prev = $0 }' "$out/results/$t.out" \
         | diff -q - "expected/$t.out" >/dev/null; then
    ok 0 "$t: same output on partitioned tables (TRUNCATE CASCADE notices of partitions collapsed)"
  else
    ok 1 "$t: same output on partitioned tables ($v)"
    [ -f "$out/results/$t.out" ] && diff -U3 "expected/$t.out" "$out/results/$t.out" | head -60 | sed 's/^/# /'
  fi
done

# A last workload of 40 users spreads over every partition, goes through the
# change capture (which cannot append to a partitioned change log's heap
# directly and must fall back to an INSERT) and a refresh, whose result
# equals the from-scratch oracle.
is "$(layout)" "$after" "the tables are still partitioned after the suite"
check=$(q -d $db <<'SQL' 2>&1
INSERT INTO journaling.users (id, username)
SELECT md5('user' || u)::uuid, 'u' || u FROM generate_series(1, 40) u;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT md5('user' || u)::uuid, 'entry ' || i, DATE '2025-01-01' + i, ((u + i) % 21 - 10) / 10.0, ARRAY['t' || (i % 3)]
  FROM generate_series(1, 40) u, generate_series(1, 10) i;
SELECT format('%s partitions hold entries, %s the change log, %s changes logged',
              (SELECT count(DISTINCT tableoid) FROM journaling.journal_entries),
              (SELECT count(DISTINCT tableoid) FROM journaling.stats_changes),
              (SELECT count(*) FROM journaling.stats_changes c JOIN journaling.users u ON u.id = c.user_id
                WHERE u.username ~ '^u[0-9]+$'));
SELECT count(*) FROM journaling.refresh_statistics() \g /dev/null
SELECT format('%s differences, %s users',
              (SELECT count(*) FROM (SELECT to_jsonb(s) - 'refreshed_at' FROM journaling.user_statistics s
                                     EXCEPT ALL SELECT to_jsonb(l) - 'refreshed_at' FROM journaling.user_statistics_live l) d),
              (SELECT count(*) FROM journaling.user_statistics));
SQL
)
is "$(head -1 <<<"$check")" "4 partitions hold entries, 4 the change log, 400 changes logged" \
   "400 entries of 40 users land in all 4 partitions; the change capture logs their 400 (user, day) pairs"
is "$(tail -1 <<<"$check")" "0 differences, 40 users" "refresh_statistics() on partitions equals user_statistics_live"
done_testing

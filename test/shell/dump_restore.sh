#!/usr/bin/env bash
# test/shell/dump_restore.sh — pg_dump -Fc -> pg_restore into a fresh database
# keeps every row of every table and the sequence state, and the restored
# database goes on working; a dump by a role without BYPASSRLS fails instead
# of writing a silently incomplete backup.  Runs against the cluster
# scripts/test started (PGHOST etc. exported); prints TAP.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
src=journaling_dump_src dst=journaling_dump_dst app=journaling_fill_app dumper=journaling_dumper
dump=$(mktemp)
cleanup() {
  rm -f "$dump"
  q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "DROP ROLE IF EXISTS $dumper" -c "DROP ROLE IF EXISTS $app" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
ensure_role $app
q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" &&
  q -d $src -c "SET client_min_messages = warning" -c "CREATE EXTENSION journaling CASCADE" &&
  fill_every_table $src $app
ok $? "every table of the source filled through the extension's functions"
is "$(empty_tables $src)" "" "no table of the source is empty"

"$PG_BIN/pg_dump" -Fc -d $src -f "$dump"
ok $? "pg_dump -Fc"
"$PG_BIN/pg_restore" -d $dst --exit-on-error "$dump"
ok $? "pg_restore into an empty database"

# Per table: row count and md5 of the rows ordered by primary key.
fq=$(fingerprint_query $src)
before=$(fingerprints $src "$fq")
after=$(fingerprints $dst "$fq")
changes() { q -d "$1" -c "SELECT t::text FROM journaling.$2 t ORDER BY 1"; }
while IFS='|' read -r t n m; do
  if [ "$t" = stats_changes ] || [ "$t" = search_changes ]; then
    # Reloading journal_entries fires the change capture again, so the
    # restored logs hold every dumped change plus re-logged ones (harmless:
    # the next refresh recomputes the same values, and search ranks a
    # logged day's entries from the table; checked below).
    is "$(comm -23 <(changes $src $t) <(changes $dst $t) | wc -l)" 0 "$t: every pending change restored ($n in the source)"
    continue
  fi
  is "$(grep "^$t|" <<<"$after")" "$t|$n|$m" "$t: $n rows, md5 of the rows ordered by primary key"
done <<<"$before"
is "$(sequence_state $dst)" "$(sequence_state $src)" "sequences restored at their positions"
is "$(sequence_headroom $dst | awk '{ split($2, m, "="); split($3, l, "="); if (m[2] + 0 > l[2] + 0) print }')" "" \
   "no sequence is behind the key values of its table"

# The next writes through the extension (new import_runs and refresh_log ids,
# an entry found by search, statistics equal to the from-scratch views).
is "$(extension_works $dst $app 2>&1)" "$EXTENSION_WORKS" "restored database works: insert, search, import, refresh"
is "$(extension_works $src $app 2>&1)" "$EXTENSION_WORKS" "the source works the same way"
stats() { q -d "$1" -c "SELECT md5(string_agg((to_jsonb(s) - 'refreshed_at')::text, ',' ORDER BY s.user_id)) FROM journaling.user_statistics s" \
                   -c "SELECT md5(string_agg(d::text, ',' ORDER BY d.user_id, d.day)) FROM journaling.daily_stats d" \
                   -c "SELECT md5(string_agg(w::text, ',' ORDER BY w.user_id, w.week)) FROM journaling.weekly_stats w"; }
is "$(stats $dst)" "$(stats $src)" "after the same writes and a refresh, source and restore have equal statistics"
# Search over the restored index (and the re-logged days) finds what the source finds.
searches() { q -d "$1" -c "SELECT md5(string_agg(s::text, ',' ORDER BY u.id, s.o)) FROM journaling.users u,
                             LATERAL journaling.search('rain walk', u.id, 50, '{\"fuzzy\": false}')
                                     WITH ORDINALITY s(a, b, c, d, e, f, g, o)" \
                       -c "SELECT count(*) FROM journaling.search_index"; }
is "$(searches $dst)" "$(searches $src)" "source and restore give the same search results"

# A role that may read every table but not bypass row-level security cannot
# produce a silently incomplete backup: pg_dump sets row_security = off and
# the server refuses the first table with policies.
q -d $src -c "CREATE ROLE $dumper LOGIN" -c "GRANT USAGE ON SCHEMA journaling TO $dumper" \
  -c "GRANT SELECT ON ALL TABLES IN SCHEMA journaling TO $dumper" \
  -c "GRANT SELECT ON ALL SEQUENCES IN SCHEMA journaling TO $dumper" >/dev/null
out=$("$PG_BIN/pg_dump" -U $dumper -d $src -f /dev/null 2>&1)
is "$?" 1 "pg_dump by a role without BYPASSRLS exits non-zero"
is "$(grep -c 'query would be affected by row-level security policy for table' <<<"$out")" 1 \
   "... with \"query would be affected by row-level security policy\" ($(head -c 200 <<<"$out" | tr '\n' ' '))"
done_testing

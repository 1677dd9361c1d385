# test/shell/lib.bash — helpers shared by the shell tests (sourced, not run:
# scripts/test runs only test/shell/*.sh).  Sources scripts/lib.sh for PG_BIN
# and the throwaway-cluster functions; every helper taking a database name
# connects through the PGHOST/PGPORT/PGUSER of the caller's environment.
# shellcheck source=../../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
SHELL_TESTS=$REPO_ROOT/test/shell

# psql: no psqlrc, quiet, unaligned tuples only, stop at the first error.
q() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# TAP output.  is GOT EXPECTED DESCRIPTION; ok STATUS DESCRIPTION (0 = pass);
# done_testing prints the plan (at the end, which TAP allows).
tap_n=0
is() {
  tap_n=$((tap_n + 1))
  if [ "$1" = "$2" ]; then
    echo "ok $tap_n - $3"
  else
    echo "not ok $tap_n - $3"
    printf '#   got:      %s\n#   expected: %s\n' "${1//$'\n'/$'\n#             '}" "${2//$'\n'/$'\n#             '}"
  fi
}
ok() { is "$1" 0 "$2"; }
done_testing() { echo "1..$tap_n"; }

# Create the login role $1 unless it exists (roles are cluster-wide).
ensure_role() {
  q -d postgres -c "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '$1'" | grep -q 1 ||
    q -d postgres -c "CREATE ROLE \"$1\" LOGIN"
}

# Fill every table of database $1 (see fill_every_table.sql); app role $2.
fill_every_table() {
  q -d "$1" -v fixtures="$REPO_ROOT/test/fixtures/legacy-samples" -v app_role="$2" \
    -f "$SHELL_TESTS/fill_every_table.sql" >/dev/null
}

# The tables of the journaling schema that hold no row, space-separated.
empty_tables() {
  q -d "$1" -c "SELECT coalesce(string_agg(c.relname, ' ' ORDER BY c.relname), '')
                  FROM pg_catalog.pg_class c
                 WHERE c.relnamespace = 'journaling'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                   AND NOT (xpath('/row/e/text()', query_to_xml(format('SELECT EXISTS (SELECT FROM %s) AS e', c.oid::regclass),
                                                                false, true, '')))[1]::text::boolean"
}

# Queries fingerprinting every table of the journaling schema in database
# $1, one per line and table, each giving "table|rows|md5 of the rows' text
# ordered by primary key" (by the whole row where there is no primary key).
# The column lists are spelled out, so the queries can be run unchanged
# against a copy or a later version of the database with fingerprints.
fingerprint_query() {
  q -d "$1" <<'SQL'
SELECT string_agg(format('SELECT %L, count(*), md5(string_agg(ROW(%s)::text, E''\n'' ORDER BY %s)) FROM %s t;',
                         c.relname, cols.list, coalesce(pk.list, 'ROW(' || cols.list || ')::text'), c.oid::regclass),
                  E'\n' ORDER BY c.relname)
  FROM pg_catalog.pg_class c
 CROSS JOIN LATERAL (SELECT string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY a.attnum) AS list
                       FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) cols
  LEFT JOIN LATERAL (SELECT string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY k.ord) AS list
                       FROM pg_catalog.pg_index i
                      CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                      WHERE i.indrelid = c.oid AND i.indisprimary) pk ON true
 WHERE c.relnamespace = 'journaling'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
SQL
}

# Run the queries $2 of fingerprint_query in database $1.  A query that
# fails (a table or column missing) prints its error instead of its line and
# the others still run.
fingerprints() {
  "$PG_BIN/psql" -X -q -At -d "$1" 2>&1 <<<"$2"
}

# Sequences of the journaling schema: "name|last_value" lines.
sequence_state() {
  q -d "$1" -c "SELECT sequencename || '|' || coalesce(last_value::text, 'unused')
                  FROM pg_catalog.pg_sequences WHERE schemaname = 'journaling' ORDER BY 1"
}

# Columns whose default draws from a sequence of the journaling schema, as
# "table.column max=M last=L" lines; the next insert collides with a row if
# M > L.  The statements are generated from the catalog of database $1.
sequence_headroom() {
  local sql
  sql=$(q -d "$1" -c "SELECT string_agg(format('SELECT %L || '' max='' || coalesce(max(%I), 0) || '' last='' || (SELECT coalesce(last_value, 0) FROM pg_catalog.pg_sequences WHERE schemaname = %L AND sequencename = %L) FROM %s',
                                               r.relname || '.' || a.attname, a.attname, sn.nspname, s.relname, r.oid::regclass), E'\nUNION ALL ')
                        FROM pg_catalog.pg_attrdef d
                        JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid
                                                     AND dep.refclassid = 'pg_class'::regclass
                        JOIN pg_catalog.pg_class s ON s.oid = dep.refobjid AND s.relkind = 'S'
                        JOIN pg_catalog.pg_class r ON r.oid = d.adrelid
                        JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                        JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
                       WHERE r.relnamespace = 'journaling'::regnamespace")
  [ -n "$sql" ] && q -d "$1" -c "$sql"
}

# Row-level security of the journaling schema: "P policies, F tables
# enabled+forced, md5 of both listings".  pg_policies gives each policy's
# table, name, permissiveness, roles, command and expressions.
rls_state() {
  q -d "$1" -c "SELECT (SELECT count(*) FROM pg_catalog.pg_policies WHERE schemaname = 'journaling') || ' policies, ' ||
                       (SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = 'journaling'::regnamespace
                           AND relrowsecurity AND relforcerowsecurity) || ' tables enabled+forced, ' ||
                       md5((SELECT string_agg(format('%s %s %s %s %s %s %s', tablename, policyname, permissive, roles, cmd, qual, with_check),
                                              E'\n' ORDER BY tablename, policyname)
                              FROM pg_catalog.pg_policies WHERE schemaname = 'journaling') || E'\n' ||
                           (SELECT string_agg(format('%s %s %s', relname, relrowsecurity, relforcerowsecurity), E'\n' ORDER BY relname)
                              FROM pg_catalog.pg_class WHERE relnamespace = 'journaling'::regnamespace AND relkind IN ('r', 'p')))"
}

# The extension works in database $1 (filled by fill_every_table with app
# role $2): the app role writes an entry containing the word $3 (default
# quokka; use a new word for each call on one database) and imports a
# document for user aa (new sequence values), search() finds exactly that
# entry, a refresh runs, the materialized statistics equal the from-scratch
# views and no change is left pending.  Prints $EXTENSION_WORKS when all is
# well.
extension_works() {
  q -d "$1" -v app_role="$2" -v word="${3:-quokka}" <<'SQL'
SET client_min_messages = warning;
SET ROLE :app_role;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000aa') IS NOT NULL AS identity \gset
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date, mood_score)
VALUES ('00000000-0000-0000-0000-0000000000aa', 'Afterwards', 'A ' || :'word' || ' visited the garden.', CURRENT_DATE, 0.5)
RETURNING id AS new_id \gset
SELECT coalesce(array_agg(entry_id) = ARRAY[:'new_id'::uuid], false) AS search FROM journaling.search(:'word') \gset
SELECT imported AS import FROM journaling.import_json(format('[{"content": "imported with %s"}]', :'word'), 'entries') WHERE kind = 'total' \gset
RESET ROLE;
SELECT CASE WHEN mode = 'skipped' THEN 'skipped' ELSE 'ok' END AS refresh FROM journaling.refresh_statistics() \gset
-- (every column but refreshed_at, the time of the refresh or of the query)
SELECT count(*) AS mismatches
  FROM ((SELECT to_jsonb(s) - 'refreshed_at' FROM journaling.user_statistics s
         EXCEPT SELECT to_jsonb(l) - 'refreshed_at' FROM journaling.user_statistics_live l)
        UNION ALL
        (SELECT to_jsonb(l) - 'refreshed_at' FROM journaling.user_statistics_live l
         EXCEPT SELECT to_jsonb(s) - 'refreshed_at' FROM journaling.user_statistics s)
        UNION ALL
        (SELECT to_jsonb(d) FROM journaling.daily_stats d EXCEPT SELECT to_jsonb(l) FROM journaling.daily_stats_live l)
        UNION ALL
        (SELECT to_jsonb(l) FROM journaling.daily_stats_live l EXCEPT SELECT to_jsonb(d) FROM journaling.daily_stats d)) x \gset
SELECT pending_changes AS pending FROM journaling.statistics_lag() \gset
\echo search=:search import=:import refresh=:refresh mismatches=:mismatches pending=:pending
SQL
}
EXTENSION_WORKS="search=t import=1 refresh=ok mismatches=0 pending=0"

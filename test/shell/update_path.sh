#!/usr/bin/env bash
# test/shell/update_path.sh — the update path from the first release (TAP).
#
#  (a) CREATE EXTENSION journaling (the default version) in one database;
#  (b) CREATE EXTENSION journaling VERSION '0.1' in another, where
#  (c) the released 0.1 SQL runs against the library built from this tree:
#      one call of every function family, each checked against its oracle;
#      then data in every table, and ALTER EXTENSION journaling UPDATE run by
#      a superuser whose search_path starts with a hostile public schema.
# After the update no hostile object was used or depends on the extension,
# every row of every 0.1 table is unchanged (count and md5 over the 0.1
# columns), the extension works, and (a) and (b) give the same
# pg_dump --binary-upgrade --schema-only output once the values that
# legitimately differ are masked.  Nothing here names what the update script
# changes, so the test holds whatever the delta gains.  Runs against the
# cluster scripts/test started (PGHOST etc. exported).
set -uo pipefail
source "$(dirname "$0")/lib.bash"
first=0.1
default=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$REPO_ROOT/journaling.control")
fresh=journaling_update_fresh old=journaling_update_old app=journaling_update_app
cleanup() {
  q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "DROP DATABASE IF EXISTS $old" \
    -c "DROP ROLE IF EXISTS $app" >/dev/null 2>&1
}
cleanup
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
ensure_role $app
version() { q -d "$1" -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'journaling'"; }

is "$(q -d postgres -c "SELECT count(*) FROM pg_catalog.pg_extension_update_paths('journaling')
                         WHERE source = '$first' AND target = '$default' AND path IS NOT NULL")" 1 \
   "an update path leads from $first to the default version $default"

# (a) the default version, as a new user would install it.
q -d postgres -c "CREATE DATABASE $fresh" &&
  q -d $fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION journaling CASCADE" \
    -c "SELECT journaling.grant_app_role('$app')" >/dev/null
ok $? "(a) CREATE EXTENSION journaling"
is "$(version $fresh)" "$default" "(a) installs version $default"

# (b) the first release, with the library of this tree.  CREATE FUNCTION
# checks that every C symbol 0.1 names exists in the library.
q -d postgres -c "CREATE DATABASE $old" &&
  q -d $old -c "SET client_min_messages = warning" -c "CREATE EXTENSION journaling VERSION '$first' CASCADE"
ok $? "(b) CREATE EXTENSION journaling VERSION '$first' with the new library"
is "$(version $old)" "$first" "(b) installs version $first"
fill_every_table $old $app
ok $? "(b) every table filled through the $first functions (import_directory, import_json, set_user, refresh_statistics)"
is "$(empty_tables $old)" "" "(b) no table is empty"

# (c) Every function family of 0.1 against its oracle, before the update.
out=$(q -d $old -v app_role=$app 2>&1 <<'SQL'
SET client_min_messages = warning;
\set ON_ERROR_STOP 0
SET ROLE :app_role;
-- identity: set_user sets it, the setting itself cannot be forged
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000aa') = journaling.current_user_id() AS identity_set \gset
SET journaling.user_id = '00000000-0000-0000-0000-0000000000bb';
\set identity_forge :LAST_ERROR_SQLSTATE
SELECT string_agg(DISTINCT user_id::text, ',') AS identity_rows FROM journaling.journal_entries \gset
\set ON_ERROR_STOP 1
-- insert (the C trigger): search_vector equals the built-in expression, word_count is counted
INSERT INTO journaling.journal_entries (user_id, id, title, content, tags) VALUES
  ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-00000000e001', 'Rainy walk',
   E'Walked to the river in the rain;\tthe café was closed.\r\nStill calm.', '{walk,rain}');
SELECT word_count AS trigger_words,
       search_vector = setweight(to_tsvector('english', coalesce(title, '')), 'A')
                    || setweight(to_tsvector('english', content), 'B')
                    || setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'C') AS trigger_vector
  FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-00000000e001' \gset
SELECT count(*) FILTER (WHERE search_vector IS DISTINCT FROM
                               setweight(to_tsvector('english', coalesce(title, '')), 'A')
                            || setweight(to_tsvector('english', content), 'B')
                            || setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'C')) AS trigger_mismatches
  FROM journaling.journal_entries \gset
-- import_json: one good and one bad record
SELECT processed || '/' || imported || '/' || failed AS import_counts
  FROM journaling.import_json('[{"content": "river again", "mood_score": 0.5}, {"content": 7}]', 'entries') WHERE kind = 'total' \gset
-- search equals its SQL reference
SELECT (SELECT array_agg(entry_id ORDER BY ord) FROM journaling.search('river OR rain OR word3', NULL, 20, '{"fuzzy": false}') WITH ORDINALITY s(entry_id, u, d, t, r, sn, mq, ord))
     = (SELECT array_agg(id) FROM (SELECT e.id FROM journaling.journal_entries e, websearch_to_tsquery('english', 'river OR rain OR word3') q
                                    WHERE e.search_vector @@ q ORDER BY ts_rank_cd(e.search_vector, q) DESC, e.entry_date DESC, e.id LIMIT 20) r) AS search_reference,
       (SELECT count(*) FROM journaling.search('river OR rain OR word3', NULL, 20, '{"fuzzy": false}')) AS search_rows \gset
-- snippet equals ts_headline
SELECT count(*) AS snippet_cases,
       count(*) FILTER (WHERE journaling.snippet('english', content, q) IS DISTINCT FROM
                              ts_headline('english', content, q, 'MaxWords=35, MinWords=15, MaxFragments=3')) AS snippet_mismatches
  FROM journaling.journal_entries, (VALUES (to_tsquery('english', 'line & two')), (to_tsquery('english', 'word3 | rain'))) v(q) \gset
-- mood_agg accessors equal the built-in aggregates
CREATE FUNCTION pg_temp.close(got float8, want float8) RETURNS bool LANGUAGE sql
    AS 'SELECT coalesce(abs(got - want) <= 1e-12 * abs(want), got IS NOT DISTINCT FROM want)';
SELECT count(*) AS mood_groups,
       count(*) FILTER (WHERE NOT (pg_temp.close(journaling.mean(s), a) AND pg_temp.close(journaling.stddev(s), sd)
                                   AND pg_temp.close(journaling.slope(s), sl) AND journaling.n(s) = n)) AS mood_mismatches
  FROM (SELECT journaling.mood_agg(mood_score::float8, entry_date) s, avg(mood_score::float8) a, stddev_samp(mood_score::float8) sd,
               regr_slope(mood_score::float8, entry_date - DATE '2000-01-01') sl, count(mood_score) n
          FROM journaling.journal_entries GROUP BY tags[1]) g \gset
SELECT sum(entries) = (SELECT count(*) FROM journaling.journal_entries) AS mood_trend
  FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000aa', 'month') \gset
\echo identity_set=:identity_set identity_forge=:identity_forge identity_rows=:identity_rows
\echo trigger_words=:trigger_words trigger_vector=:trigger_vector trigger_mismatches=:trigger_mismatches
\echo import_counts=:import_counts search_reference=:search_reference search_rows=:search_rows
\echo snippet_cases=:snippet_cases snippet_mismatches=:snippet_mismatches
\echo mood_groups=:mood_groups mood_mismatches=:mood_mismatches mood_trend=:mood_trend
SQL
)
val() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$out"; }
[ -n "$(val identity_set)" ] || sed 's/^/# /' <<<"$out"
is "$(val identity_set) $(val identity_forge) $(val identity_rows)" "t 42501 00000000-0000-0000-0000-0000000000aa" \
   "(c) $first identity: set_user() sets it, SET is refused (42501), only the user's rows are visible"
is "$(val trigger_words) $(val trigger_vector) $(val trigger_mismatches)" "13 t 0" \
   "(c) $first insert trigger: word_count, search_vector = the built-in expression on every entry"
is "$(val import_counts)" "2/1/1" "(c) $first import_json: 2 processed, 1 imported, 1 failed"
search_rows=$(val search_rows)
is "$(val search_reference) $([ "${search_rows:-0}" -gt 1 ] && echo several)" "t several" \
   "(c) $first search() = its SQL reference ($search_rows rows)"
is "$(val snippet_mismatches)" 0 "(c) $first snippet() = ts_headline() on $(val snippet_cases) cases"
is "$(val mood_mismatches) $(val mood_trend)" "0 t" \
   "(c) $first mood_agg accessors = avg/stddev_samp/regr_slope/count on $(val mood_groups) groups; mood_trend counts every entry"
is "$(extension_works $old $app wombat 2>&1)" "$EXTENSION_WORKS" \
   "(c) $first insert + search + import + refresh; statistics = the from-scratch views"

# Changes pending at the update (the refresh after it must see them).
q -d $old -v app_role=$app >/dev/null <<'SQL'
SET ROLE :app_role;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000bb');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-0000000000bb', 'pending at the update', '2024-03-02', 0.75);
SQL
is "$(q -d $old -c "SELECT pending_changes > 0 FROM journaling.statistics_lag()")" t "(b) changes pending before the update"

# The rows before the update, over the tables and columns of 0.1.
fq=$(fingerprint_query $old)
rows_before=$(fingerprints $old "$fq")
seq_before=$(sequence_state $old)

# A hostile public schema: functions and operators that would be chosen by an
# unqualified name (each records its call), and an empty decoy table named
# like every relation of the extension.
q -d $old >/dev/null <<'SQL'
CREATE TABLE public.trojan_calls (name text);
GRANT INSERT ON public.trojan_calls TO PUBLIC;
CREATE FUNCTION public.trojan_uuid_eq(uuid, uuid) RETURNS bool LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('='); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR public.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = public.trojan_uuid_eq);
CREATE FUNCTION public.trojan_text_eq(text, text) RETURNS bool LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('= text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trojan_text_eq);
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('gen_random_uuid'); RETURN '00000000-0000-0000-0000-000000000666'; END$$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('now'); RETURN 'epoch'; END$$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('jsonb_typeof'); RETURN 'object'; END$$;
CREATE FUNCTION public.current_user_id() RETURNS uuid LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('current_user_id'); RETURN '00000000-0000-0000-0000-0000000000bb'; END$$;
-- format(text, VARIADIC "any") loses to an exact (text, text) match.
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('format'); RETURN pg_catalog.format($1, $2); END$$;
CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE plpgsql
    AS $$BEGIN INSERT INTO public.trojan_calls VALUES ('format'); RETURN pg_catalog.format($1, $2, $3); END$$;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace OPERATOR(pg_catalog.=) 'journaling'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
    LOOP
        EXECUTE pg_catalog.format('CREATE TABLE public.%I ()', r.relname);
    END LOOP;
END
$$;
SQL
ok $? "hostile public schema created in (b)"
decoys() { q -d $old -c "SELECT count(*) || ' decoys, ' ||
                                count(*) FILTER (WHERE c.relnatts OPERATOR(pg_catalog.<>) 0 OR c.relhastriggers OR c.relrowsecurity OR c.relhasrules
                                                    OR EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid)
                                                    OR (xpath('/row/e/text()', query_to_xml(pg_catalog.format('SELECT EXISTS (SELECT FROM %s) AS e', c.oid::regclass), false, true, '')))[1]::text::boolean)
                                || ' touched'
                           FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) 'public'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'r'
                            AND c.relname OPERATOR(pg_catalog.<>) 'trojan_calls'"; }
decoys_before=$(decoys)

PGOPTIONS="-c search_path=public,pg_catalog" q -d $old -c "SET client_min_messages = warning" -c "ALTER EXTENSION journaling UPDATE"
ok $? "(b) ALTER EXTENSION journaling UPDATE with search_path = public, pg_catalog"
is "$(version $old)" "$default" "(b) is now at version $default"
is "$(q -d $old -c "SELECT count(*) FROM public.trojan_calls")" 0 "the update called no hostile function or operator"
is "$(decoys)" "$decoys_before" "the update touched no decoy table ($decoys_before)"
# Every row of every 0.1 table kept.  A delta that deliberately rewrites,
# renames or drops a 0.1 table or column must list the table here, with its
# reason; the invariant checks (statistics equal the from-scratch views after
# a refresh) still apply to it.
rewritten_tables=""
rows_after=$(fingerprints $old "$fq")
while IFS='|' read -r t n m; do
  case " $rewritten_tables " in *" $t "*) continue ;; esac
  is "$(grep "^$t|" <<<"$rows_after")" "$t|$n|$m" "$t: $n rows of $first unchanged (md5 over the $first columns)"
done <<<"$rows_before"
is "$(sequence_state $old)" "$seq_before" "sequences unchanged by the update"
# An application role with the hostile path first still gets the real
# defaults and only its user's rows.
hostile=$(PGOPTIONS="-c search_path=public,pg_catalog" q -d $old -v app_role=$app <<'SQL'
SET ROLE :app_role;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000bb') IS NOT NULL AS ok \gset
INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000000bb', 'under a hostile path')
RETURNING id::text <> '00000000-0000-0000-0000-000000000666' AS real_id, created_at > 'epoch' AS real_now \gset
SELECT count(DISTINCT user_id) AS owners FROM journaling.journal_entries \gset
RESET ROLE;
SELECT count(*) AS calls FROM public.trojan_calls \gset
\echo :real_id :real_now :owners :calls
SQL
)
is "$hostile" "t t 1 0" "after the update, under the hostile path: real defaults, one owner's rows visible, no trojan called"
q -d $old >/dev/null <<'SQL'
DROP OPERATOR public.= (uuid, uuid);
DROP OPERATOR public.= (text, text);
DROP FUNCTION public.trojan_uuid_eq(uuid, uuid), public.trojan_text_eq(text, text), public.gen_random_uuid(), public.now(),
              public.jsonb_typeof(jsonb), public.current_user_id(), public.format(text, text), public.format(text, text, text);
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace OPERATOR(pg_catalog.=) 'public'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'r'
    LOOP
        EXECUTE pg_catalog.format('DROP TABLE public.%I', r.relname);
    END LOOP;
END
$$;
SQL
ok $? "every hostile object drops without CASCADE: nothing of the extension depends on it"

is "$(extension_works $old $app quokka 2>&1)" "$EXTENSION_WORKS" \
   "(b) after the update: insert + search + import + refresh; statistics = the from-scratch views"

# The update grants nothing (a grant in an extension script would become an
# initial privilege, which pg_dump leaves out): the application role set up
# under 0.1 may not read weekly_stats, and mood_trend() gives it the week
# buckets from the daily states until grant_app_role() is called again; then
# from the weekly states, with the same answer.  After that call (a) and (b)
# grant the same.
week_trend() { q -d $old -c "SET ROLE $app" -c "SELECT journaling.set_user('00000000-0000-0000-0000-0000000000aa')" \
                 -c "SELECT has_table_privilege('journaling.weekly_stats', 'SELECT') || ' ' || count(*) || ' '
                            || md5(string_agg(t::text, ',' ORDER BY t.bucket_start))
                       FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000aa', 'week') t" | tail -1; }
before_grant=$(week_trend)
q -d $old -c "SELECT journaling.grant_app_role('$app')" >/dev/null
after_grant=$(week_trend)
is "${before_grant#false } ${after_grant%% *}" "${after_grant#true } true" \
   "(b) week trend of the $first application role: from the daily states, then after grant_app_role() from the weekly ones, equal ($before_grant)"

# (a) and (b) have the same catalog.  Masked, each for a reason:
#  - \restrict / \unrestrict: a random key pg_dump draws for every dump;
#  - binary_upgrade_set_next_*_oid / _relfilenode arguments and the OIDs of
#    binary_upgrade_create_empty_extension's configuration-table list: OIDs
#    and file numbers depend on what else was created before (data, roles);
#  - relfrozenxid / relminmxid and the WHERE oid = ... of those UPDATEs:
#    transaction ids of the moment each table was created;
#  - binary_upgrade_set_next_attribute_versions: the WAL position at which
#    each column was created;
#  - setval() values: sequence positions are data (only (b) holds rows; they
#    are compared above).
normalize() {
  sed -E -e 's/^\\(un)?restrict [A-Za-z0-9]+$/\\\1restrict KEY/' \
         -e "/binary_upgrade_set_next_[a-z_]+\('[0-9]+'::pg_catalog\.oid\)/s/'[0-9]+'/'OID'/" \
         -e '/binary_upgrade_create_empty_extension\(/s/[0-9]+(,|\})/OID\1/g' \
         -e "s/^SET relfrozenxid = '[0-9]+', relminmxid = '[0-9]+'$/SET relfrozenxid = 'XID', relminmxid = 'MXID'/" \
         -e "s/^WHERE oid = '[0-9]+';$/WHERE oid = 'OID';/" \
         -e '/binary_upgrade_set_next_attribute_versions\(/s/[0-9A-F]+\/[0-9A-F]+/LSN/g' \
         -e "s/^(SELECT pg_catalog\.setval\('[^']+'), [0-9]+, (true|false)\);$/\1, VALUE);/"
}
"$PG_BIN/pg_dump" --binary-upgrade --schema-only -d $fresh | normalize >"$work/fresh.sql" &&
  "$PG_BIN/pg_dump" --binary-upgrade --schema-only -d $old | normalize >"$work/old.sql"
ok $? "pg_dump --binary-upgrade --schema-only of (a) and (b)"
diff -u "$work/fresh.sql" "$work/old.sql" >"$work/diff"
is "$?" 0 "(a) fresh $default and (b) $first updated to $default dump identically ($(grep -c '^ALTER EXTENSION journaling ADD' "$work/fresh.sql") member objects compared)"
[ -s "$work/diff" ] && head -60 "$work/diff" | sed 's/^/# /'
done_testing

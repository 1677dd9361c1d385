-- Row-level security posture and cross-user isolation on every per-user table.
BEGIN;
SELECT plan(101);

CREATE ROLE regress_tap_rls_app;
SELECT lives_ok($$SELECT journaling.grant_app_role('regress_tap_rls_app')$$, 'grant_app_role');

-- Two users with one row of their own in every per-user table.
INSERT INTO journaling.users (id, username) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'a'), ('00000000-0000-0000-0000-0000000000bb', 'b');
INSERT INTO journaling.topics (user_id, id, name)
SELECT u, u, 'topic' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.journal_entries (user_id, id, content)
SELECT u, u, 'entry' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.entry_topics (user_id, entry_id, topic_id)
SELECT u, u, u FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name)
SELECT u, u, 'm' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.psychology_insights (user_id, insight_type)
SELECT u, 'pattern' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.chat_sessions (user_id, id)
SELECT u, u FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.messages (user_id, session_id, seq, role)
SELECT u, u, 1, 'user' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.user_memory (user_id, memory_type, key, value)
SELECT u, 'profile', 'name', '"x"' FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;
INSERT INTO journaling.usage (user_id)
SELECT u FROM unnest('{00000000-0000-0000-0000-0000000000aa,00000000-0000-0000-0000-0000000000bb}'::uuid[]) u;

-- The per-user tables, their user column, and a new row for user b.
CREATE TEMP TABLE per_user (tbl text, col text, new_row_for_b text);
INSERT INTO per_user VALUES
  ('users', 'id', $$INSERT INTO journaling.users (id) VALUES ('00000000-0000-0000-0000-0000000000bc')$$),
  ('topics', 'user_id', $$INSERT INTO journaling.topics (user_id, name) VALUES ('00000000-0000-0000-0000-0000000000bb', 'new')$$),
  ('journal_entries', 'user_id', $$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000000bb', 'new')$$),
  ('entry_topics', 'user_id', $$INSERT INTO journaling.entry_topics (user_id, entry_id, topic_id) VALUES ('00000000-0000-0000-0000-0000000000bb', '00000000-0000-0000-0000-0000000000bb', '00000000-0000-0000-0000-0000000000bb')$$),
  ('sentiment_analysis', 'user_id', $$INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name) VALUES ('00000000-0000-0000-0000-0000000000bb', '00000000-0000-0000-0000-0000000000bb', 'n')$$),
  ('psychology_insights', 'user_id', $$INSERT INTO journaling.psychology_insights (user_id, insight_type) VALUES ('00000000-0000-0000-0000-0000000000bb', 'x')$$),
  ('chat_sessions', 'user_id', $$INSERT INTO journaling.chat_sessions (user_id) VALUES ('00000000-0000-0000-0000-0000000000bb')$$),
  ('messages', 'user_id', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-0000000000bb', '00000000-0000-0000-0000-0000000000bb', 2, 'user')$$),
  ('user_memory', 'user_id', $$INSERT INTO journaling.user_memory (user_id, memory_type, key, value) VALUES ('00000000-0000-0000-0000-0000000000bb', 'profile', 'age', '1')$$),
  ('usage', 'user_id', $$INSERT INTO journaling.usage (user_id) VALUES ('00000000-0000-0000-0000-0000000000bc')$$);
GRANT SELECT ON per_user TO regress_tap_rls_app;

-- Posture: RLS enabled and forced, a policy for each of the four commands.
SELECT ok(c.relrowsecurity AND c.relforcerowsecurity, tbl || ': row-level security enabled and forced')
  FROM per_user p JOIN pg_class c ON c.oid = ('journaling.' || p.tbl)::regclass ORDER BY tbl;
SELECT is((SELECT array_agg(DISTINCT cmd ORDER BY cmd) FROM pg_policies
            WHERE schemaname = 'journaling' AND tablename = p.tbl),
          '{DELETE,INSERT,SELECT,UPDATE}'::text[], tbl || ': SELECT/INSERT/UPDATE/DELETE policies')
  FROM per_user p ORDER BY tbl;
SELECT ok((SELECT bool_and(coalesce(qual, with_check) LIKE '%journaling.current_user_id()%'
                           AND (cmd NOT IN ('INSERT', 'UPDATE') OR with_check IS NOT NULL))
             FROM pg_policies WHERE schemaname = 'journaling' AND tablename = p.tbl),
          tbl || ': policies keyed on current_user_id(), WITH CHECK on writes')
  FROM per_user p ORDER BY tbl;

-- As the application role with identity a: b's rows are invisible and untouchable.
SET ROLE regress_tap_rls_app;
SELECT is(journaling.set_user('00000000-0000-0000-0000-0000000000aa'), '00000000-0000-0000-0000-0000000000aa', 'identity set to a');

CREATE FUNCTION pg_temp.isolation_checks(t text, col text, new_row_for_b text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM journaling.%I WHERE %I = %L', t, col, '00000000-0000-0000-0000-0000000000aa') INTO n;
    RETURN NEXT is(n, 1::bigint, t || ': a sees her own row');
    EXECUTE format('SELECT count(*) FROM journaling.%I WHERE %I <> %L', t, col, '00000000-0000-0000-0000-0000000000aa') INTO n;
    RETURN NEXT is(n, 0::bigint, t || ': a sees no row of anyone else');
    EXECUTE format('WITH u AS (UPDATE journaling.%I SET %I = %I WHERE %I = %L RETURNING 1) SELECT count(*) FROM u',
                   t, col, col, col, '00000000-0000-0000-0000-0000000000bb') INTO n;
    RETURN NEXT is(n, 0::bigint, t || ': a updates 0 rows of b');
    EXECUTE format('WITH d AS (DELETE FROM journaling.%I WHERE %I = %L RETURNING 1) SELECT count(*) FROM d',
                   t, col, '00000000-0000-0000-0000-0000000000bb') INTO n;
    RETURN NEXT is(n, 0::bigint, t || ': a deletes 0 rows of b');
    RETURN NEXT throws_ok(new_row_for_b, '42501', NULL, t || ': a cannot insert a row for b');
    RETURN NEXT throws_ok(format('UPDATE journaling.%I SET %I = %L', t, col, '00000000-0000-0000-0000-0000000000bb'),
                          '42501', NULL, t || ': a cannot give her row to b');
END
$$;
SELECT pg_temp.isolation_checks(tbl, col, new_row_for_b) FROM per_user ORDER BY tbl;

-- Unset identity sees nothing anywhere.
SELECT ok(journaling.set_user(NULL) IS NULL AND journaling.current_user_id() IS NULL, 'identity cleared');
SELECT is((SELECT count(*) FROM journaling.journal_entries), 0::bigint, 'no identity: no entries visible');
SELECT is((SELECT count(*) FROM journaling.users), 0::bigint, 'no identity: no users visible');
SELECT throws_ok($$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000000aa', 'x')$$,
                 '42501', NULL, 'no identity: inserts refused');

-- The application role gets no more than it needs.
SELECT is(has_table_privilege('journaling.psychology_content', 'INSERT'), false, 'app role cannot write the shared knowledge base');
SELECT is(has_table_privilege('journaling.psychology_content', 'SELECT'), true, 'app role reads the shared knowledge base');
SELECT is(has_table_privilege('journaling.import_runs', 'DELETE'), false, 'app role cannot delete import bookkeeping (it reads and writes only its own runs, under row-level security)');
SELECT is(has_function_privilege('journaling.grant_app_role(regrole)', 'EXECUTE'), false, 'app role cannot grant roles');
SELECT is(has_schema_privilege('journaling', 'CREATE'), false, 'app role cannot create objects in the schema');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

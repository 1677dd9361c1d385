-- Catalog lint: every object of the extension (pg_depend deptype 'e'),
-- found from the catalogs, obeys the security and scale-out rules of
-- DESIGN.md §2/§7 and STYLE.md.  pg_temp.lint() lists the violations, one row
-- per (rule, object); it must be empty.  The second half proves that each rule
-- can fail: a probe object breaking exactly one rule is created and added to
-- the extension inside a subtransaction, the lint must then report exactly
-- that object under that rule, and the subtransaction is rolled back.
--
-- Per-user tables are the extension's tables with a user_id column, plus the
-- tables such a column references (journaling.users, whose user column is id).
BEGIN;
SELECT plan(30);

-- The member tables that hold per-user rows, with the column naming the user.
CREATE FUNCTION pg_temp.per_user() RETURNS TABLE(oid oid, name text, ucol int2, ucolname name)
LANGUAGE sql STABLE AS $$
WITH rel AS (
    SELECT c.oid, pg_describe_object('pg_class'::regclass, c.oid, 0) AS name
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
      JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'journaling'
       AND c.relkind IN ('r', 'p')
)
SELECT r.oid, r.name, a.attnum, a.attname
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attname = 'user_id' AND NOT a.attisdropped
UNION
SELECT r.oid, r.name, ra.attnum, ra.attname
  FROM rel r
  JOIN pg_constraint f ON f.contype = 'f' AND f.confrelid = r.oid
  JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey) AND a.attname = 'user_id'
  JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = f.confkey[array_position(f.conkey, a.attnum)]
 WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a2 WHERE a2.attrelid = r.oid AND a2.attname = 'user_id')
$$;

CREATE FUNCTION pg_temp.lint() RETURNS TABLE(rule text, object text)
LANGUAGE sql STABLE AS $lint$
WITH member AS (
    SELECT d.classid, d.objid
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'journaling'
), fn AS (
    SELECT p.oid, p.prosecdef, p.proconfig, l.lanname, pg_describe_object('pg_proc'::regclass, p.oid, 0) AS name
      FROM member m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
      JOIN pg_language l ON l.oid = p.prolang
), rel AS (
    SELECT c.oid, c.relkind, c.reloptions, c.relrowsecurity, c.relforcerowsecurity,
           pg_describe_object('pg_class'::regclass, c.oid, 0) AS name
      FROM member m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
), per_user AS (
    SELECT * FROM pg_temp.per_user()
), shared(name, why) AS (VALUES
    ('table journaling.psychology_content', 'global knowledge base, the same for every user'),
    ('table journaling.refresh_log', 'administrators'' log of statistics refreshes, no per-user data')
)
-- Functions in a language other than C fix search_path.
SELECT 'search_path not fixed', f.name FROM fn f
 WHERE f.lanname NOT IN ('c', 'internal')
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (f.proconfig), false)
UNION ALL
SELECT 'SECURITY DEFINER executable by PUBLIC', f.name FROM fn f
 WHERE f.prosecdef AND has_function_privilege('public', f.oid, 'EXECUTE')
UNION ALL
SELECT 'view not security_invoker', r.name FROM rel r
 WHERE r.relkind = 'v'
   AND NOT coalesce((SELECT o.option_value::bool FROM pg_options_to_table(r.reloptions) o
                      WHERE o.option_name = 'security_invoker'), false)
UNION ALL
SELECT 'row-level security not enabled and forced', r.name FROM rel r
 WHERE r.relkind IN ('r', 'p') AND NOT (r.relrowsecurity AND r.relforcerowsecurity)
   AND r.name NOT IN (SELECT s.name FROM shared s)
UNION ALL
SELECT 'no ' || cmd.name || ' policy', u.name
  FROM per_user u, (VALUES ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')) AS cmd(name, code)
 WHERE NOT EXISTS (SELECT 1 FROM pg_policy p
                    WHERE p.polrelid = u.oid AND p.polpermissive AND p.polcmd IN (cmd.code, '*'))
UNION ALL
SELECT 'policy not keyed on journaling.current_user_id()', pg_describe_object('pg_policy'::regclass, p.oid, 0)
  FROM per_user u JOIN pg_policy p ON p.polrelid = u.oid AND p.polpermissive
 WHERE EXISTS (SELECT 1 FROM unnest(ARRAY[pg_get_expr(p.polqual, u.oid), pg_get_expr(p.polwithcheck, u.oid)]) x(expr)
                WHERE x.expr IS NOT NULL
                  AND x.expr !~ ('^\(?' || quote_ident(u.ucolname) || ' = journaling\.current_user_id\(\)\)?$'))
UNION ALL
SELECT 'not registered with pg_extension_config_dump', r.name
  FROM rel r, pg_extension e
 WHERE e.extname = 'journaling' AND r.relkind IN ('r', 'p', 'S') AND NOT r.oid = ANY (coalesce(e.extconfig, '{}'))
UNION ALL
SELECT 'no comment', pg_describe_object(m.classid, m.objid, 0)
  FROM member m JOIN pg_class cat ON cat.oid = m.classid
 WHERE obj_description(m.objid, cat.relname) IS NULL
UNION ALL
-- Keys of per-user tables include the user column (hash partitioning and
-- distribution by user need it in every unique index and every foreign key).
SELECT 'key without the user column', pg_describe_object('pg_constraint'::regclass, c.oid, 0)
  FROM per_user u JOIN pg_constraint c ON c.conrelid = u.oid AND c.contype IN ('p', 'u', 'x', 'f')
 WHERE NOT u.ucol = ANY (c.conkey)
UNION ALL
SELECT 'unique index without the user column', pg_describe_object('pg_class'::regclass, i.indexrelid, 0)
  FROM per_user u JOIN pg_index i ON i.indrelid = u.oid AND i.indisunique
 WHERE NOT u.ucol = ANY (i.indkey::int2[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = u.oid)
UNION ALL
-- Foreign keys between per-user tables pair the user columns.
SELECT 'foreign key does not pair the user columns', pg_describe_object('pg_constraint'::regclass, c.oid, 0)
  FROM per_user u
  JOIN pg_constraint c ON c.conrelid = u.oid AND c.contype = 'f' AND u.ucol = ANY (c.conkey)
  JOIN per_user t ON t.oid = c.confrelid
 WHERE c.confkey[array_position(c.conkey, u.ucol)] <> t.ucol
UNION ALL
SELECT 'foreign key from a table without user column to a per-user table',
       pg_describe_object('pg_constraint'::regclass, c.oid, 0)
  FROM per_user t JOIN pg_constraint c ON c.confrelid = t.oid AND c.contype = 'f'
 WHERE c.conrelid NOT IN (SELECT oid FROM per_user)
$lint$;

-- Positive control and sanity: the lint sees the real objects.
SELECT cmp_ok((SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                WHERE d.deptype = 'e' AND e.extname = 'journaling' AND d.classid = 'pg_proc'::regclass),
              '>=', 40::bigint, 'the extension has its functions as members');
SELECT set_has($$SELECT substr(name, 18) FROM pg_temp.per_user()$$,
               $$VALUES ('users'), ('topics'), ('journal_entries'), ('entry_topics'), ('sentiment_analysis'),
                        ('psychology_insights'), ('chat_sessions'), ('messages'), ('user_memory'), ('usage'),
                        ('daily_stats'), ('weekly_stats'), ('user_statistics'), ('stats_changes')$$,
               'the lint finds every per-user table');

-- 1. The extension as installed is clean, rule by rule.
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'search_path not fixed'$$,
                'every SQL/PL function has SET search_path = pg_catalog, pg_temp');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'SECURITY DEFINER executable by PUBLIC'$$,
                'no SECURITY DEFINER function is executable by PUBLIC');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'view not security_invoker'$$,
                'every view is security_invoker');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'row-level security not enabled and forced'$$,
                'every table but the shared knowledge base and the refresh log has row-level security enabled and forced');
SELECT is_empty($$SELECT rule, object FROM pg_temp.lint() WHERE rule ~ '^no [A-Z]+ policy$'$$,
                'every per-user table has SELECT, INSERT, UPDATE and DELETE policies');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'policy not keyed on journaling.current_user_id()'$$,
                'every policy of a per-user table compares the user column with journaling.current_user_id()');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'not registered with pg_extension_config_dump'$$,
                'every table and sequence is registered with pg_extension_config_dump');
SELECT is_empty($$SELECT object FROM pg_temp.lint() WHERE rule = 'no comment'$$,
                'every object of the extension has a comment');
SELECT is_empty($$SELECT rule, object FROM pg_temp.lint() WHERE rule ~ 'user column'$$,
                'every key, unique index and foreign key of a per-user table includes the user column, and foreign keys pair user columns');
SELECT is_empty($$SELECT rule, object FROM pg_temp.lint()$$, 'no violation at all');

-- 2. Each rule can fail.  pg_temp.lint_after(ddl) runs ddl in a
-- subtransaction, returns the violations it added, and rolls it back.
CREATE FUNCTION pg_temp.lint_after(ddl text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    before text[] := ARRAY(SELECT l.rule || ': ' || l.object FROM pg_temp.lint() l);
    added text[];
BEGIN
    BEGIN
        EXECUTE ddl;
        added := ARRAY(SELECT l.rule || ': ' || l.object FROM pg_temp.lint() l
                       EXCEPT SELECT unnest(before) ORDER BY 1);
        RAISE EXCEPTION USING ERRCODE = 'LT001', MESSAGE = 'roll the probe back';
    EXCEPTION WHEN SQLSTATE 'LT001' THEN
        NULL;
    END;
    RETURN added;
END
$$;

-- A per-user probe table that obeys every rule; each case below breaks one.
CREATE TEMP TABLE probe (step int, ddl text);
INSERT INTO probe VALUES
  (1, 'CREATE TABLE journaling.lint_probe (user_id uuid NOT NULL, id int NOT NULL, topic_id uuid,
                                           CONSTRAINT lint_probe_pkey PRIMARY KEY (user_id, id))'),
  (2, 'COMMENT ON TABLE journaling.lint_probe IS ''probe'''),
  (3, 'ALTER TABLE journaling.lint_probe ENABLE ROW LEVEL SECURITY'),
  (4, 'ALTER TABLE journaling.lint_probe FORCE ROW LEVEL SECURITY'),
  (5, 'CREATE POLICY lint_probe_all ON journaling.lint_probe USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())'),
  (6, 'ALTER EXTENSION journaling ADD TABLE journaling.lint_probe'),
  (7, 'UPDATE pg_extension SET extconfig = extconfig || ''journaling.lint_probe''::regclass::oid,
                               extcondition = extcondition || ''''::text WHERE extname = ''journaling''');
CREATE FUNCTION pg_temp.probe(replace_step int DEFAULT 0, replacement text DEFAULT '') RETURNS text
LANGUAGE sql AS $$
    SELECT string_agg(CASE WHEN step = replace_step THEN replacement ELSE ddl END, '; ' ORDER BY step) FROM probe
$$;

SELECT is(pg_temp.lint_after(pg_temp.probe()), '{}'::text[], 'control: the compliant probe table raises nothing');
SELECT is(pg_temp.lint_after(pg_temp.probe(4, 'SELECT 1')),
          '{"row-level security not enabled and forced: table journaling.lint_probe"}', 'fails: RLS not forced');
SELECT is(pg_temp.lint_after(pg_temp.probe(5, 'CREATE POLICY lint_probe_r ON journaling.lint_probe FOR SELECT USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id()); '
                                              'CREATE POLICY lint_probe_a ON journaling.lint_probe FOR INSERT WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id()); '
                                              'CREATE POLICY lint_probe_w ON journaling.lint_probe FOR UPDATE USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())')),
          '{"no DELETE policy: table journaling.lint_probe"}', 'fails: no DELETE policy');
SELECT is(pg_temp.lint_after(pg_temp.probe(5, 'CREATE POLICY lint_probe_all ON journaling.lint_probe USING (true)')),
          '{"policy not keyed on journaling.current_user_id(): policy lint_probe_all on table journaling.lint_probe"}',
          'fails: a policy not keyed on the identity');
SELECT is(pg_temp.lint_after(pg_temp.probe(7, 'SELECT 1')),
          '{"not registered with pg_extension_config_dump: table journaling.lint_probe"}', 'fails: table not in extconfig');
SELECT is(pg_temp.lint_after(pg_temp.probe(2, 'SELECT 1')),
          '{"no comment: table journaling.lint_probe"}', 'fails: table without comment');
SELECT is(pg_temp.lint_after(pg_temp.probe(1, 'CREATE TABLE journaling.lint_probe (user_id uuid NOT NULL, id int NOT NULL, topic_id uuid, '
                                              'CONSTRAINT lint_probe_pkey PRIMARY KEY (id))')),
          '{"key without the user column: constraint lint_probe_pkey on table journaling.lint_probe"}',
          'fails: primary key without user_id');
SELECT is(pg_temp.lint_after(pg_temp.probe() || '; CREATE UNIQUE INDEX lint_probe_id_idx ON journaling.lint_probe (id)'),
          '{"unique index without the user column: index journaling.lint_probe_id_idx"}',
          'fails: unique index without user_id');
SELECT is(pg_temp.lint_after(pg_temp.probe() || '; ALTER TABLE journaling.lint_probe ADD CONSTRAINT lint_probe_owner_fkey '
                                                'FOREIGN KEY (topic_id) REFERENCES journaling.users (id)'),
          '{"key without the user column: constraint lint_probe_owner_fkey on table journaling.lint_probe"}',
          'fails: foreign key without user_id');
SELECT is(pg_temp.lint_after(pg_temp.probe() || '; ALTER TABLE journaling.lint_probe ADD CONSTRAINT lint_probe_topic_fkey '
                                                'FOREIGN KEY (user_id, topic_id) REFERENCES journaling.topics (id, user_id)'),
          '{"foreign key does not pair the user columns: constraint lint_probe_topic_fkey on table journaling.lint_probe"}',
          'fails: foreign key pairing user_id with another column');
SELECT is(pg_temp.lint_after('ALTER TABLE journaling.psychology_content ADD COLUMN entry_user uuid, ADD COLUMN entry_id uuid, '
                             'ADD CONSTRAINT psychology_content_entry_fkey FOREIGN KEY (entry_user, entry_id) '
                             'REFERENCES journaling.journal_entries (user_id, id)'),
          '{"foreign key from a table without user column to a per-user table: constraint psychology_content_entry_fkey on table journaling.psychology_content"}',
          'fails: a shared table referencing a per-user table');
SELECT is(pg_temp.lint_after('CREATE FUNCTION journaling.lint_probe() RETURNS int LANGUAGE sql AS ''SELECT 1''; '
                             'COMMENT ON FUNCTION journaling.lint_probe() IS ''probe''; '
                             'ALTER EXTENSION journaling ADD FUNCTION journaling.lint_probe()'),
          '{"search_path not fixed: function journaling.lint_probe()"}', 'fails: SQL function without search_path');
SELECT is(pg_temp.lint_after('CREATE FUNCTION journaling.lint_probe() RETURNS int LANGUAGE plpgsql '
                             'SET search_path = pg_catalog AS ''BEGIN RETURN 1; END''; '
                             'COMMENT ON FUNCTION journaling.lint_probe() IS ''probe''; '
                             'ALTER EXTENSION journaling ADD FUNCTION journaling.lint_probe()'),
          '{"search_path not fixed: function journaling.lint_probe()"}', 'fails: PL/pgSQL function with a path lacking pg_temp');
SELECT is(pg_temp.lint_after('CREATE FUNCTION journaling.lint_probe() RETURNS int LANGUAGE sql SECURITY DEFINER '
                             'SET search_path = pg_catalog, pg_temp AS ''SELECT 1''; '
                             'COMMENT ON FUNCTION journaling.lint_probe() IS ''probe''; '
                             'ALTER EXTENSION journaling ADD FUNCTION journaling.lint_probe()'),
          '{"SECURITY DEFINER executable by PUBLIC: function journaling.lint_probe()"}',
          'fails: SECURITY DEFINER function left executable by PUBLIC');
SELECT is(pg_temp.lint_after('CREATE FUNCTION journaling.lint_probe() RETURNS int LANGUAGE sql '
                             'SET search_path = pg_catalog, pg_temp AS ''SELECT 1''; '
                             'ALTER EXTENSION journaling ADD FUNCTION journaling.lint_probe()'),
          '{"no comment: function journaling.lint_probe()"}', 'fails: function without comment');
SELECT is(pg_temp.lint_after('CREATE VIEW journaling.lint_probe AS SELECT 1 AS x; '
                             'COMMENT ON VIEW journaling.lint_probe IS ''probe''; '
                             'ALTER EXTENSION journaling ADD VIEW journaling.lint_probe'),
          '{"view not security_invoker: view journaling.lint_probe"}', 'fails: view without security_invoker');
SELECT is(pg_temp.lint_after('CREATE SEQUENCE journaling.lint_probe; '
                             'COMMENT ON SEQUENCE journaling.lint_probe IS ''probe''; '
                             'ALTER EXTENSION journaling ADD SEQUENCE journaling.lint_probe'),
          '{"not registered with pg_extension_config_dump: sequence journaling.lint_probe"}',
          'fails: sequence not in extconfig');
SELECT is(pg_temp.lint_after('CREATE TABLE journaling.lint_probe (owner uuid); '
                             'COMMENT ON TABLE journaling.lint_probe IS ''probe''; '
                             'ALTER EXTENSION journaling ADD TABLE journaling.lint_probe; '
                             'UPDATE pg_extension SET extconfig = extconfig || ''journaling.lint_probe''::regclass::oid, '
                             'extcondition = extcondition || ''''::text WHERE extname = ''journaling'''),
          '{"row-level security not enabled and forced: table journaling.lint_probe"}',
          'fails: a new table without user_id column is not exempt from row-level security');

SELECT * FROM finish();
ROLLBACK;

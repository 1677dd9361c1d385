-- Legacy import: privileges and row-level security.
\set fixtures `pwd`/test/fixtures/legacy-samples
\set superuser :USER
\set VERBOSITY terse

-- Errors of a statement, with their SQLSTATE.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE ROLE regress_import_app LOGIN;
SELECT journaling.grant_app_role('regress_import_app');
INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-4000-8000-0000000000e1', 'erin'),
    ('00000000-0000-4000-8000-0000000000f1', 'frank');

-- Server files need pg_read_server_files.
SET ROLE regress_import_app;
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/canonical/entries.json')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_directory('$q$ || :'fixtures' || $q$/canonical')$q$);

-- import_json runs as the caller: the owner defaults to the identity, and
-- row-level security applies to every row written.
SELECT journaling.set_user('00000000-0000-4000-8000-0000000000e1');
SELECT * FROM journaling.import_json('[{"id": "33333333-3333-4333-8333-333333333333", "title": "erin", "content": "written by erin"}]', 'entries');
SELECT user_id, title, content, word_count FROM journaling.journal_entries ORDER BY id;
-- Rows for another user are refused by the policy.
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[{"content": "for frank"}]', 'entries', '{"user_id": "00000000-0000-4000-8000-0000000000f1"}')$q$);
SELECT count(*) AS visible_runs FROM journaling.import_runs;
-- The run and its errors belong to the role that ran it.
SELECT format, processed, imported, skipped, failed FROM journaling.import_runs ORDER BY id;
SELECT * FROM journaling.import_report();
RESET ROLE;
SELECT user_id, title FROM journaling.journal_entries WHERE id = '33333333-3333-4333-8333-333333333333';

-- Granted pg_read_server_files, the role may import files (as itself).
GRANT pg_read_server_files TO regress_import_app;
SET ROLE regress_import_app;
SELECT journaling.set_user('00000000-0000-4000-8000-0000000000e1');
SELECT * FROM journaling.import_file(:'fixtures' || '/canonical/sessions.json');
SELECT count(*) FROM journaling.chat_sessions;
RESET ROLE;
SELECT journaling.set_user(NULL);

DELETE FROM journaling.users WHERE id IN ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000f1');
DELETE FROM journaling.import_runs WHERE run_by = 'regress_import_app';
REVOKE pg_read_server_files FROM regress_import_app;
DROP OWNED BY regress_import_app;
DROP ROLE regress_import_app;

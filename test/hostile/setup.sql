-- test/hostile/setup.sql — the database the hostile-input tests run against
-- (run as superuser with psql -v fixtures=<test/fixtures/legacy-samples>
-- -v app=<application role> -v dir=<scratch directory>).
--
-- The extension with every legacy sample imported the way scripts/demo does
-- it, refreshed statistics, an application role whose identity is set for its
-- sessions (so row-level security shows it rows), and a few text search
-- configurations beyond english for snippet().
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION journaling CASCADE;
CREATE ROLE :"app" LOGIN;
SELECT journaling.grant_app_role(:'app');
INSERT INTO journaling.users (id, username, full_name) VALUES
  ('6f1c2a5e-0000-4000-8000-000000000001', 'maria', 'María García'),
  ('6f1c2a5e-0000-4000-8000-000000000002', 'sam', 'Sam Lee');
SELECT pg_read_file(:'fixtures' || '/canonical/entries.json') AS entries \gset
INSERT INTO journaling.journal_entries
SELECT (jsonb_populate_record(NULL::journaling.journal_entries,
        e || jsonb_build_object('user_id', '6f1c2a5e-0000-4000-8000-000000000001', 'source', 'canonical', 'source_id', e->>'id'))).*
  FROM jsonb_array_elements(:'entries'::jsonb) e;
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date, mood_score, tags)
VALUES ('6f1c2a5e-0000-4000-8000-000000000002', 'Sam''s private day', 'Long walk in the rain, felt calm.', '2025-10-06', 0.5, '{walk}');
SELECT count(*) > 0 AS imported FROM journaling.import_directory(:'fixtures' || '/journaling_ai/data',
  '{"user_id": "6f1c2a5e-0000-4000-8000-000000000001", "entries_timezone": "Europe/Berlin"}');
SELECT count(*) > 0 AS imported FROM journaling.import_directory(:'fixtures' || '/llm_council/data');
SELECT count(*) > 0 AS imported FROM journaling.import_directory(:'fixtures' || '/donna/data');
SELECT count(*) > 0 AS imported FROM journaling.import_directory(:'fixtures' || '/exports',
  '{"user_id": "6f1c2a5e-0000-4000-8000-000000000001", "entries_timezone": "Europe/Berlin"}');
SELECT count(*) > 0 AS imported FROM journaling.import_file(:'fixtures' || '/broken/truncated.json',
  'journaling_ai.entries', '{"user_id": "6f1c2a5e-0000-4000-8000-000000000001"}');
SELECT count(*) > 0 AS refreshed FROM journaling.refresh_statistics();
-- rows left pending for the next refresh (and for statistics_lag)
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score)
VALUES ('6f1c2a5e-0000-4000-8000-000000000002', 'pending change', '2025-10-07', -0.25);

-- configurations that send snippet() to ts_headline (synonym dictionary) or
-- index nothing at all
CREATE TEXT SEARCH DICTIONARY public.hostile_syn (TEMPLATE = synonym, SYNONYMS = synonym_sample);
CREATE TEXT SEARCH CONFIGURATION public.hostile_syn (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION public.hostile_syn ALTER MAPPING FOR asciiword WITH public.hostile_syn, english_stem;
CREATE TEXT SEARCH CONFIGURATION public.hostile_empty (PARSER = pg_catalog.default);

-- The application role's sessions act for maria; so do the superuser's.
ALTER ROLE :"app" IN DATABASE :"DBNAME" SET journaling.user_id = '6f1c2a5e-0000-4000-8000-000000000001';
ALTER ROLE CURRENT_USER IN DATABASE :"DBNAME" SET journaling.user_id = '6f1c2a5e-0000-4000-8000-000000000001';

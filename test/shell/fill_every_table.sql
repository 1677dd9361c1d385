-- test/shell/fill_every_table.sql — rows in every table of the journaling
-- schema, for the dump/restore, pg_upgrade and update-path tests.
--
-- Run as a superuser with psql variables fixtures (the legacy-samples folder)
-- and app_role (an existing login role).  Writes go through the extension's
-- own functions wherever it has one: the legacy import (users, topics,
-- entries, sessions, messages, memory, usage, import_runs, import_errors),
-- set_user() + INSERT by an application role (entries: search trigger and
-- change capture under row-level security), import_json() by that role, and
-- refresh_statistics() (daily_stats, user_statistics, refresh_log), and on
-- 0.2 refresh_search_index() (search_index, search_postings; a second
-- statistics refresh fills search_changes).  Tables
-- no function writes (entry_topics, sentiment_analysis, psychology_insights,
-- psychology_content) get plain INSERTs, as an application would do.  One
-- entry written after the refresh leaves a change pending in stats_changes.
-- Apart from refresh_search_index(), called only where it exists, only
-- functions of version 0.1 are used, so that the update test can fill a 0.1
-- installation with it.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;

-- 1. Every legacy sample folder at once (the broken files fill import_errors).
SELECT pg_catalog.count(*) AS import_rows
  FROM journaling.import_directory(:'fixtures', '{"user_id": "6f1c2a5e-0000-4000-8000-000000000001", "entries_timezone": "Europe/Berlin"}');

-- 2. An application role acting for two users of its own.
SELECT journaling.grant_app_role(:'app_role');
SET ROLE :app_role;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000aa');
INSERT INTO journaling.users (id, username, email, preferences) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'a', 'a@example.org', '{"tone": "warm"}');
INSERT INTO journaling.topics (user_id, id, name, tags) VALUES
  ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000a1', 'work', '{job}'),
  ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000a2', 'sleep', '{}');
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, mood_score, mood_label, tags, topic_id, metadata)
SELECT '00000000-0000-0000-0000-0000000000aa', md5('a' || i)::uuid, 'title ' || i,
       E'line one\r\nline two ☕ naïve ' || repeat('word' || (i % 13) || ' ', i % 60), DATE '2024-01-01' + i,
       CASE WHEN i % 9 <> 0 THEN ((i % 201) - 100) / 100.0 END, CASE WHEN i % 3 = 0 THEN 'positive' END,
       ARRAY['t' || (i % 7), 'shared'], CASE WHEN i % 10 = 0 THEN '00000000-0000-0000-0000-0000000000a1'::uuid END,
       jsonb_build_object('i', i)
  FROM generate_series(1, 300) i;
INSERT INTO journaling.entry_topics (user_id, entry_id, topic_id, relevance)
SELECT user_id, id, topic_id, 0.5 FROM journaling.journal_entries WHERE topic_id IS NOT NULL;
INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, label, confidence, emotions)
SELECT user_id, id, 'm' || (n % 2), 'calm', 0.75, '{"joy": 0.1}'
  FROM (SELECT user_id, id, row_number() OVER (ORDER BY id) AS n FROM journaling.journal_entries) e WHERE n <= 40;
INSERT INTO journaling.psychology_insights (user_id, insight_type, insight_data, confidence)
VALUES ('00000000-0000-0000-0000-0000000000aa', 'pattern', '{"sleep": "late"}', 0.6);
INSERT INTO journaling.chat_sessions (user_id, id, title, session_type, context) VALUES
  ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000c1', 'Chat', 'reflection_buddy', '{"entry_ids": []}');
INSERT INTO journaling.messages (user_id, session_id, seq, role, content, stages)
SELECT '00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000c1', g,
       CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, 'message ' || g || ' about sleep',
       CASE WHEN g % 2 = 0 THEN '{"stage1": []}'::jsonb END
  FROM generate_series(1, 20) g;
INSERT INTO journaling.user_memory (user_id, memory_type, key, value) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'profile', 'name', '"A"');
INSERT INTO journaling.usage (user_id, tier, daily_used, total_queries) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'free', 1, 9);
-- A client-supplied document with one bad record (mood out of range).
SELECT pg_catalog.count(*) AS import_rows
  FROM journaling.import_json('[{"title": "doc one", "content": "imported by the app", "entry_date": "2024-02-02", "mood_score": 0.25},
                                {"title": "doc two", "content": "rejected", "mood_score": 3.5}]', 'entries');
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000bb');
INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-0000-0000-0000000000bb', 'b');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT '00000000-0000-0000-0000-0000000000bb', 'b writes ' || i, DATE '2024-03-01' + i % 20, -0.5, '{b}'
  FROM generate_series(1, 40) i;
RESET ROLE;

-- 3. Administrators: the shared knowledge base and the statistics.
INSERT INTO journaling.psychology_content (category, title, content, tags) VALUES
  ('cbt', 'Reframing', 'Notice the thought.', '{cbt}');
SELECT pg_catalog.count(*) AS refreshes FROM journaling.refresh_statistics();
-- The search index (0.2 and later), and one change the next statistics
-- refresh hands on to its log (search_changes).
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('journaling.refresh_search_index(boolean)') IS NOT NULL THEN
        PERFORM journaling.refresh_search_index();
        INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
          ('00000000-0000-0000-0000-0000000000bb', 'handed on', '2029-01-01');
        PERFORM journaling.refresh_statistics();
    END IF;
END
$$;

-- 4. One change left pending.
SET ROLE :app_role;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000bb');
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
  ('00000000-0000-0000-0000-0000000000bb', 'pending', '2030-01-01');
RESET ROLE;

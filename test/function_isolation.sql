-- Cross-user isolation per function and per relation (DESIGN §7: functions
-- taking an explicit user_id still return nothing the caller could not
-- SELECT).  As the application login role journaling_tap_app with the
-- identity of user A, while user B has rows in every per-user table, a
-- pending statistics change, materialized statistics and an import run:
--
--  * every function the application role may call that is not IMMUTABLE
--    (found from the catalog) has a case below: called with B's id it must
--    return exactly what it returns for a stranger's id (nothing to tell B
--    exists), and called with A's id something else (the call does reach
--    data); each call runs in a subtransaction that is rolled back;
--  * calls that default to the caller's identity show A's data and no trace
--    of B (B's uuid or the word zanzibar, which only B's rows contain);
--  * every relation of the extension the role may SELECT shows A's rows and
--    none of B's.
--
-- A new function without a case fails the classification test at the end.
\set fixtures `pwd`/test/fixtures/legacy-samples
\set a '00000000-0000-4000-8000-0000000000a1'
\set b '00000000-0000-4000-8000-0000000000b2'
\set stranger '00000000-0000-4000-8000-0000000000c3'
BEGIN;
SELECT * FROM no_plan();

-- Seed: the same shape of data for A (word alpaca) and B (word zanzibar).
CREATE TEMP TABLE who (u uuid, word text, n int);
INSERT INTO who VALUES (:'a', 'alpaca', 1), (:'b', 'zanzibar', 2);
INSERT INTO journaling.users (id, username) SELECT u, word FROM who;
INSERT INTO journaling.topics (user_id, id, name) SELECT u, u, 'rain ' || word FROM who;
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, mood_score, tags, topic_id)
SELECT u, md5(word || d)::uuid, word || ' day ' || d, 'A walk with the ' || word || ' in the rain, day ' || d,
       DATE '2025-03-01' + d, (d % 3 - 1) / 2.0, ARRAY[word], u
  FROM who, generate_series(1, 3) d;
INSERT INTO journaling.entry_topics (user_id, entry_id, topic_id, relevance)
SELECT user_id, id, topic_id, 0.5 FROM journaling.journal_entries;
INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, label, confidence)
SELECT user_id, id, 'model', 'calm', 0.5 FROM journaling.journal_entries;
INSERT INTO journaling.psychology_insights (user_id, insight_type, insight_data)
SELECT u, 'pattern', jsonb_build_object('about', word) FROM who;
INSERT INTO journaling.chat_sessions (user_id, id, title) SELECT u, u, word || ' chat' FROM who;
INSERT INTO journaling.messages (user_id, session_id, seq, role, content)
SELECT u, u, 1, 'user', 'Tell me about the ' || word || ' in the rain' FROM who;
INSERT INTO journaling.user_memory (user_id, memory_type, key, value) SELECT u, 'profile', 'pet', to_jsonb(word) FROM who;
INSERT INTO journaling.usage (user_id, tier) SELECT u, 'free' FROM who;
INSERT INTO journaling.psychology_content (category, title, content) VALUES ('cbt', 'Breathing', 'Breathe in for four counts.');
-- The search index first: the statistics refresh then hands the changes it
-- consumes on to the index's log (search_changes).
SELECT is((SELECT users FROM journaling.refresh_search_index()), 2::bigint, 'search index built for both users');
SELECT is((SELECT users FROM journaling.refresh_statistics()), 2::bigint, 'statistics materialized for both users');
-- One change each left pending after the refresh.
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date, mood_score)
SELECT u, word || ' later', 'Later, the ' || word || ' again', DATE '2025-03-04', 0.5 FROM who;
-- One import run each, made by the application role under each identity,
-- with one rejected record; B's is the last run.
SET LOCAL ROLE journaling_tap_app;
SELECT is(journaling.set_user(:'a', true), :'a'::uuid, 'seed: identity of A');
SELECT is((SELECT format('%s/%s', imported, failed) FROM journaling.import_json(
              '[{"id": "00000000-0000-4000-8000-00000000a0a0", "content": "imported alpaca"}, {"id": "alpaca-bad", "content": 5}]',
              'entries') WHERE kind = 'total'), '1/1', 'seed: A''s import run, one record rejected');
SELECT is(journaling.set_user(:'b', true), :'b'::uuid, 'seed: identity of B');
SELECT is((SELECT format('%s/%s', imported, failed) FROM journaling.import_json(
              '[{"id": "00000000-0000-4000-8000-00000000b0b0", "content": "imported zanzibar"}, {"id": "zanzibar-bad", "content": 5}]',
              'entries') WHERE kind = 'total'), '1/1', 'seed: B''s import run, one record rejected');
RESET ROLE;
SELECT max(id) FILTER (WHERE identity = :'a') AS run_a, max(id) FILTER (WHERE identity = :'b') AS run_b
  FROM journaling.import_runs \gset
SELECT ok(:run_a < :run_b, 'seed: B''s import run is the last one');
SELECT is(set_config('tap.fixtures', :'fixtures', true), :'fixtures', 'seed: fixture directory');
-- The server-file import functions need this privilege (rolled back at the end).
GRANT pg_read_server_files TO journaling_tap_app;

-- Each case: a call with %1$s standing for an id of A, B or a stranger
-- (default: the users' ids); control = false when the function by design
-- never returns stored data (the B-versus-stranger check still applies).
CREATE TEMP TABLE cases (fn regprocedure, call text, a text, b text, stranger text, control bool DEFAULT true);
INSERT INTO cases (fn, call) VALUES
  ('journaling.search(text,uuid,integer,jsonb)',
   $$SELECT * FROM journaling.search('zanzibar or alpaca', '%1$s')$$),
  ('journaling.search(text,uuid,integer,jsonb)',
   $$SELECT * FROM journaling.search('zanzibr or alpac', '%1$s', 20, '{"fuzzy": true}')$$),
  ('journaling.search_top(tsquery,uuid,integer)',
   $$SELECT * FROM journaling.search_top('zanzibar | alpaca', '%1$s', NULL)$$),
  ('journaling.search_prepare(text,uuid,jsonb)',
   $$SELECT * FROM journaling.search_prepare('zanzibr or alpac', '%1$s', '{}')$$),
  ('journaling.search_correct_query(tsquery,uuid,real)',
   $$SELECT journaling.search_correct_query(websearch_to_tsquery('english', 'zanzibr or alpac'), '%1$s')$$),
  ('journaling.search_messages(text,uuid,integer)',
   $$SELECT * FROM journaling.search_messages('zanzibar or alpaca', '%1$s')$$),
  ('journaling.similar_topics(text,uuid,integer)',
   $$SELECT * FROM journaling.similar_topics('rain', '%1$s')$$),
  ('journaling.mood_trend(uuid,text,date,date)',
   $$SELECT * FROM journaling.mood_trend('%1$s', 'day')$$),
  ('journaling.mood_trend(uuid,text,date,date)',
   $$SELECT * FROM journaling.mood_trend('%1$s', 'month', '2025-01-01', '2025-12-31')$$),
  ('journaling.streaks(uuid)',
   $$SELECT * FROM journaling.streaks('%1$s')$$),
  ('journaling.import_json(text,text,jsonb)',
   $$SELECT * FROM journaling.import_json('[{"id": "00000000-0000-4000-8000-00000000e001", "content": "imported"}]',
                                          'entries', '{"user_id": "%1$s"}')$$),
  ('journaling.import_file(text,text,jsonb)',
   $$SELECT * FROM journaling.import_file(current_setting('tap.fixtures') || '/canonical/entries.json',
                                          'entries', '{"user_id": "%1$s"}')$$),
  ('journaling.import_directory(text,jsonb)',
   $$SELECT * FROM journaling.import_directory(current_setting('tap.fixtures') || '/canonical', '{"user_id": "%1$s"}')$$);
-- Ids other than user ids: sessions, import runs.
INSERT INTO cases (fn, call, a, b, stranger) VALUES
  ('journaling.import_json(text,text,jsonb)',
   $$SELECT * FROM journaling.import_json('{"00000000-0000-4000-8000-00000000e002": {"id": "00000000-0000-4000-8000-00000000e002",
                                          "session_id": "%1$s", "role": "user", "content": "more", "timestamp": "2025-03-05 10:00:00"}}',
                                          'journaling_ai.messages')$$, :'a', :'b', :'stranger'),
  ('journaling.import_report(bigint)', 'SELECT * FROM journaling.import_report(%1$s)', :'run_a', :'run_b', '0');
INSERT INTO cases (fn, call, control) VALUES
  ('journaling.read_records(text,text,jsonb)',
   $$SELECT * FROM journaling.read_records('[{"id": "00000000-0000-4000-8000-00000000e001", "content": "x"}]',
                                           'entries', '{"user_id": "%1$s"}')$$, false),
  ('journaling.read_records(text,text,jsonb)',
   $$SELECT * FROM journaling.read_records('{"00000000-0000-4000-8000-00000000e002": {"id": "00000000-0000-4000-8000-00000000e002",
                                           "session_id": "%1$s", "role": "user", "content": "x", "timestamp": "2025-03-05 10:00:00"}}',
                                           'journaling_ai.messages')$$, false);
UPDATE cases SET a = :'a', b = :'b', stranger = :'stranger' WHERE a IS NULL;
GRANT SELECT ON cases TO journaling_tap_app;

-- Calls that default to the caller's identity (with words both users wrote).
CREATE TEMP TABLE default_calls (fn regprocedure, call text);
INSERT INTO default_calls VALUES
  ('journaling.search(text,uuid,integer,jsonb)', $$SELECT * FROM journaling.search('rain')$$),
  ('journaling.search_messages(text,uuid,integer)', $$SELECT * FROM journaling.search_messages('rain')$$),
  ('journaling.similar_topics(text,uuid,integer)', $$SELECT * FROM journaling.similar_topics('rain')$$),
  ('journaling.import_report(bigint)', $$SELECT * FROM journaling.import_report()$$);
GRANT SELECT ON default_calls TO journaling_tap_app;

-- Functions that return no stored data at all, and why.
CREATE TEMP TABLE no_stored_data (fn regprocedure, why text);
INSERT INTO no_stored_data VALUES
  ('journaling.current_user_id()', 'returns the session''s own identity'),
  ('journaling.set_user(uuid,boolean)', 'sets and returns the identity it is given'),
  ('journaling.stats_capture_note(uuid,date)',
   'always false; notes the pair it is given for the change log (trigger WHEN condition)'),
  ('journaling.stats_capture_note(uuid,date,uuid,date)',
   'always false; notes the pairs it is given for the change log (trigger WHEN condition)');

-- The outcome of a call, rolled back: its rows (or error) as text, with the
-- id it was given masked.
CREATE FUNCTION pg_temp.outcome(call text, id text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    res text;
BEGIN
    BEGIN
        EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), ''[]'')::text FROM (%s) r',
                       format(call, id))
           INTO res;
        RAISE EXCEPTION USING ERRCODE = 'LT001', MESSAGE = 'roll the call back';
    EXCEPTION
        WHEN SQLSTATE 'LT001' THEN NULL;
        WHEN OTHERS THEN res := 'error ' || SQLSTATE || ': ' || SQLERRM;
    END;
    RETURN CASE WHEN length(id) = 36 THEN replace(res, id, '<id>') ELSE res END;   -- uuids only
END
$$;

SET LOCAL ROLE journaling_tap_app;
SELECT is(journaling.set_user(:'a', true), :'a'::uuid, 'identity of A');

-- Per function: B's id gives what a stranger's id gives; A's id gives more.
CREATE TEMP TABLE outcomes AS
SELECT c.fn, c.call, c.control,
       pg_temp.outcome(c.call, c.a) AS oa, pg_temp.outcome(c.call, c.b) AS ob, pg_temp.outcome(c.call, c.stranger) AS os
  FROM cases c;
SELECT is(o.ob, o.os, o.fn || ': naming another user returns what naming a stranger returns (' || left(o.call, 60) || ')')
  FROM outcomes o ORDER BY o.fn::text, o.call;
SELECT ok(bool_or(o.oa <> o.os) AND NOT bool_or(o.oa ~ '^error'),
          o.fn || ': control: naming the caller returns the caller''s data')
  FROM outcomes o WHERE o.control GROUP BY o.fn ORDER BY o.fn::text;
SELECT is_empty($$SELECT fn, call, ob FROM outcomes WHERE ob ~* 'zanzibar|00000000-0000-4000-8000-0000000000b2'$$,
                'no outcome of any case shows a trace of B');

-- Calls on the caller's identity: A's data, no trace of B.
SELECT ok(res ~* 'alpaca|00000000-0000-4000-8000-0000000000a1' AND res !~* 'zanzibar|00000000-0000-4000-8000-0000000000b2',
          fn || ': on the caller''s identity, the caller''s rows and none of another user''s (' || left(call, 60) || ')')
  FROM (SELECT d.fn, d.call, pg_temp.outcome(d.call, '') AS res FROM default_calls d) x ORDER BY fn::text;

-- Every relation the role may read: A's rows, none of B's.
CREATE FUNCTION pg_temp.relation_checks() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass;
    n bigint;
    theirs bigint;
BEGIN
    FOR rel IN SELECT c.oid FROM pg_class c
                WHERE c.relnamespace = 'journaling'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND has_table_privilege(c.oid, 'SELECT')
                ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE to_jsonb(t)::text ~* %L) FROM %s t',
                       'zanzibar|00000000-0000-4000-8000-0000000000b2', rel)
           INTO n, theirs;
        RETURN NEXT ok(n > 0 AND theirs = 0,
                       format('%s: the caller sees %s rows, %s of them another user''s', rel, n, theirs));
    END LOOP;
END
$$;
SELECT pg_temp.relation_checks();
RESET ROLE;

-- Classification, from the catalog: every function of the extension the
-- application role may call is IMMUTABLE (a pure function of its arguments),
-- an aggregate over IMMUTABLE support functions, a trigger, declared to
-- return no stored data, or has a cross-user case above.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text
      FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
     WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journaling') AND d.deptype = 'e'
       AND has_function_privilege('journaling_tap_app', p.oid, 'EXECUTE')
       AND p.prokind <> 'a' AND p.provolatile <> 'i' AND p.prorettype <> 'trigger'::regtype
       AND p.oid NOT IN (SELECT fn FROM cases) AND p.oid NOT IN (SELECT fn FROM no_stored_data)$$,
    'every non-IMMUTABLE function the application role may call has a cross-user case');
SELECT is_empty($$
    SELECT a.aggfnoid::regprocedure::text
      FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      JOIN pg_proc s ON s.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn)
     WHERE p.pronamespace = 'journaling'::regnamespace AND s.provolatile <> 'i'$$,
    'aggregates of the extension compute only from their input (IMMUTABLE support functions)');
SELECT ok((SELECT count(DISTINCT fn) FROM cases) >= 12, 'the cases cover the data-returning functions');

SELECT * FROM finish();
ROLLBACK;

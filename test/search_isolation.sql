-- Full-text search under row-level security, as the application login role
-- journaling_tap_app that scripts/test prepares: a user's searches, snippets,
-- typo corrections and topic suggestions never involve another user's rows.
BEGIN;
SELECT plan(17);

INSERT INTO journaling.users (id, username) VALUES
  ('00000000-0000-4000-8000-00000000a0a0', 'ana'), ('00000000-0000-4000-8000-00000000b0b0', 'ben');
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date) VALUES
  ('00000000-0000-4000-8000-00000000a0a0', 'Rain', 'A long walk in the rain, then tea at home.', '2025-05-01'),
  ('00000000-0000-4000-8000-00000000a0a0', 'Work', 'Deadline day at work; walked home late.', '2025-05-02'),
  ('00000000-0000-4000-8000-00000000b0b0', 'Trip', 'Zanzibar in the rain, walking on the beach.', '2025-05-03');
INSERT INTO journaling.chat_sessions (user_id, id) VALUES
  ('00000000-0000-4000-8000-00000000a0a0', '00000000-0000-4000-8000-0000000000a1'),
  ('00000000-0000-4000-8000-00000000b0b0', '00000000-0000-4000-8000-0000000000b1');
INSERT INTO journaling.messages (user_id, session_id, seq, role, content) VALUES
  ('00000000-0000-4000-8000-00000000a0a0', '00000000-0000-4000-8000-0000000000a1', 1, 'user', 'I walked in the rain'),
  ('00000000-0000-4000-8000-00000000b0b0', '00000000-0000-4000-8000-0000000000b1', 1, 'user', 'Rain in Zanzibar');
INSERT INTO journaling.topics (user_id, name) VALUES
  ('00000000-0000-4000-8000-00000000a0a0', 'Rainy days'), ('00000000-0000-4000-8000-00000000b0b0', 'Rain trips');

SET LOCAL ROLE journaling_tap_app;
SELECT is((SELECT count(*) FROM journaling.search('rain')), 0::bigint, 'no identity: search finds nothing');
SELECT lives_ok($$SELECT journaling.set_user('00000000-0000-4000-8000-00000000a0a0', true)$$, 'identity of ana');

SELECT is((SELECT array_agg(title ORDER BY title) FROM journaling.search('rain OR walk')),
          '{Rain,Work}'::text[], 'user_id NULL: only ana''s entries');
SELECT is((SELECT count(*) FROM journaling.search('rain', '00000000-0000-4000-8000-00000000b0b0')),
          0::bigint, 'naming ben returns nothing');
SELECT is((SELECT count(*) FROM journaling.search('zanzibar')), 0::bigint, 'ben''s words are not searchable');
SELECT is((SELECT count(*) FROM journaling.search_top('rain', '00000000-0000-4000-8000-00000000b0b0', NULL)),
          0::bigint, 'the C ranking of search() naming ben sees none of his rows');
SELECT is((SELECT journaling.search_correct_query(websearch_to_tsquery('english', 'zanzbar'), '00000000-0000-4000-8000-00000000a0a0')),
          $$'zanzbar'$$::tsquery, 'typo correction does not borrow ben''s words');
SELECT is((SELECT journaling.search_correct_query(websearch_to_tsquery('english', 'zanzbar'), '00000000-0000-4000-8000-00000000b0b0')),
          $$'zanzbar'$$::tsquery, 'nor when ana names ben');
SELECT is((SELECT DISTINCT matched_query FROM journaling.search('deadlne')), $$'deadlin'$$,
          'typo corrected from ana''s own words');
SELECT is((SELECT snippet FROM journaling.search('late walk') LIMIT 1),
          ts_headline('english', 'Deadline day at work; walked home late.', websearch_to_tsquery('english', 'late walk'),
                      'MaxWords=35, MinWords=15, MaxFragments=3'),
          'snippets are ts_headline''s');
SELECT is((SELECT count(*) FROM journaling.search_messages('rain')), 1::bigint, 'messages: only ana''s');
SELECT is((SELECT count(*) FROM journaling.search_messages('rain', '00000000-0000-4000-8000-00000000b0b0')),
          0::bigint, 'messages: naming ben returns nothing');
SELECT is((SELECT array_agg(name) FROM journaling.similar_topics('rain')), '{"Rainy days"}'::text[],
          'topics: only ana''s');
SELECT throws_ok($$SELECT * FROM journaling.search('rain', NULL, 20, '{"colour": 1}')$$, '22023', NULL,
                 'unknown search option');
SELECT throws_ok($$SELECT journaling.snippet('english', 'rain', 'rain', 'MinWords=9, MaxWords=3')$$, '22023',
                 'MinWords should be less than MaxWords', 'snippet option errors are ts_headline''s');
RESET ROLE;

SELECT is((SELECT provolatile::text || proisstrict::text || proparallel::text FROM pg_proc
            WHERE oid = 'journaling.snippet(regconfig,text,tsquery,text)'::regprocedure),
          (SELECT provolatile::text || proisstrict::text || proparallel::text FROM pg_proc
            WHERE oid = 'ts_headline(regconfig,text,tsquery,text)'::regprocedure),
          'snippet() has ts_headline''s volatility, strictness and parallel safety');
SELECT is((SELECT bool_and(NOT prosecdef) FROM pg_proc WHERE pronamespace = 'journaling'::regnamespace
            AND proname IN ('search', 'search_messages', 'similar_topics', 'search_prepare', 'search_correct_query', 'search_top')),
          true, 'search functions run as the caller');

SELECT * FROM finish();
ROLLBACK;

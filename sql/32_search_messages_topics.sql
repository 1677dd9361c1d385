-- search_messages() and similar_topics(): reference equality and isolation.
-- Start from empty tables, whatever earlier tests left behind.
DELETE FROM journaling.users;
SET extra_float_digits = 0;
INSERT INTO journaling.users (id) VALUES ('00000000-0000-4000-8000-0000000000a1'), ('00000000-0000-4000-8000-0000000000a2');
INSERT INTO journaling.chat_sessions (user_id, id) VALUES
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1'),
  ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c2');
INSERT INTO journaling.messages (user_id, session_id, seq, role, content, created_at)
SELECT u, s, n, CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END,
       CASE WHEN n % 7 = 0 THEN NULL
            ELSE (ARRAY['I could not sleep again last night.', 'Sleep hygiene: keep a regular bedtime and avoid screens.',
                        'Walking in the morning helps me feel calm.', 'Try a short walk before you go to sleep.',
                        'My sister visited; we talked for hours.'])[1 + n % 5] END,
       TIMESTAMPTZ '2025-03-01 10:00+00' + (n % 6) * INTERVAL '1 minute'
  FROM (VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid, '00000000-0000-4000-8000-0000000000c1'::uuid),
               ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c2')) v(u, s),
       generate_series(1, 40) n;

CREATE FUNCTION pg_temp.reference(query text, uid uuid, n int)
RETURNS TABLE(session_id uuid, seq int, role text, created_at timestamptz, rank real, snippet text)
LANGUAGE sql AS $$
  SELECT m.session_id, m.seq, m.role, m.created_at, ts_rank_cd(to_tsvector('english', m.content), q) AS rank,
         ts_headline('english', m.content, q, 'MaxWords=35, MinWords=15, MaxFragments=3')
    FROM journaling.messages m, websearch_to_tsquery('english', query) q
   WHERE (uid IS NULL OR m.user_id = uid) AND to_tsvector('english', m.content) @@ q
   ORDER BY rank DESC, m.created_at DESC, m.session_id, m.seq
   LIMIT n
$$;

SELECT count(*) AS cases, count(*) FILTER (WHERE got IS DISTINCT FROM want) AS mismatches
  FROM (SELECT (SELECT array_agg(s ORDER BY ord) FROM journaling.search_messages(q, u, n) WITH ORDINALITY s(a, b, c, d, e, f, ord)) AS got,
               (SELECT array_agg(r ORDER BY ord) FROM pg_temp.reference(q, u, n) WITH ORDINALITY r(a, b, c, d, e, f, ord)) AS want
          FROM unnest(ARRAY['sleep', 'walk', 'sleep -walk', '"regular bedtime"', 'sister OR calm', 'nothing']) q,
               unnest(ARRAY['00000000-0000-4000-8000-0000000000a1'::uuid, '00000000-0000-4000-8000-0000000000a2', NULL]) u,
               unnest(ARRAY[1, 5, 100]) n) t;

SELECT seq, role, rank, snippet FROM journaling.search_messages('walk', '00000000-0000-4000-8000-0000000000a1', 3);

-- Topics.
INSERT INTO journaling.topics (user_id, name) VALUES
  ('00000000-0000-4000-8000-0000000000a1', 'Sleep'), ('00000000-0000-4000-8000-0000000000a1', 'Sleep hygiene'),
  ('00000000-0000-4000-8000-0000000000a1', 'Family'), ('00000000-0000-4000-8000-0000000000a1', 'Work stress'),
  ('00000000-0000-4000-8000-0000000000a2', 'Sleeping badly');
SELECT name, similarity FROM journaling.similar_topics('sleep', '00000000-0000-4000-8000-0000000000a1');
SELECT name, similarity FROM journaling.similar_topics('slep');
SELECT name, similarity FROM journaling.similar_topics('sleep', NULL, 1);
SELECT count(*) AS no_match FROM journaling.similar_topics('zzzz');

-- Isolation: an application role sees only its own messages and topics.
CREATE ROLE regress_search_app2;
SELECT journaling.grant_app_role('regress_search_app2');
SET ROLE regress_search_app2;
SELECT count(*) AS messages_without_identity FROM journaling.search_messages('sleep');
SELECT journaling.set_user('00000000-0000-4000-8000-0000000000a2') IS NOT NULL AS identity_set;
SELECT count(*) AS own_messages, count(DISTINCT session_id) AS sessions FROM journaling.search_messages('sleep', NULL, 100);
SELECT count(*) AS other_users_messages FROM journaling.search_messages('sleep', '00000000-0000-4000-8000-0000000000a1', 100);
SELECT name FROM journaling.similar_topics('sleep');
SELECT count(*) AS other_users_topics FROM journaling.similar_topics('sleep', '00000000-0000-4000-8000-0000000000a1');
RESET ROLE;
SELECT * FROM journaling.search_messages('sleep', NULL, -1);
SELECT count(*) AS null_query FROM journaling.search_messages(NULL);

-- Clean up the role (roles outlive the test database).
DROP OWNED BY regress_search_app2;
DROP ROLE regress_search_app2;

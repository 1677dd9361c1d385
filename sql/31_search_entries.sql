-- journaling.search(): equals the SQL reference (ranking, order, ties,
-- snippets), typo correction from the owner's own words only, isolation
-- under row-level security, bad input.
SET extra_float_digits = 0;
SELECT setseed(0.31);

-- Five users; entries from a small vocabulary so ranks and dates tie often.
INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-4000-8000-00000000000' || u)::uuid, 'user' || u FROM generate_series(1, 5) u;

CREATE TEMP TABLE words AS
SELECT row_number() OVER () AS i, w FROM unnest(ARRAY[
  'walk','walked','rain','lisbon','coffee','friend','friends','dream','quiet','calm','anxious',
  'happy','work','sleep','morning','night','journal','music','sea','river','the','and','a',
  'long','run','running','café','mañana','self-care','tired','grateful','family']) w;

INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, tags)
SELECT ('00000000-0000-4000-8000-00000000000' || u)::uuid,
       md5('entry' || u || '-' || n)::uuid,
       CASE WHEN n % 4 = 0 THEN NULL ELSE (SELECT string_agg(w, ' ') FROM words WHERE i = 1 + (n * 7 + u) % 32) END,
       (SELECT string_agg(w, ' ') FROM (SELECT w FROM words ORDER BY random() LIMIT 3 + (n % 9)) s),
       DATE '2025-01-01' + (n % 10),
       CASE WHEN n % 5 = 0 THEN ARRAY['music'] ELSE '{}' END
  FROM generate_series(1, 5) u, generate_series(1, 120) n;
-- User 5 alone wrote these words.
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date)
VALUES ('00000000-0000-4000-8000-000000000005', md5('zanzibar')::uuid, 'Trip', 'Zanzibar and Kilimanjaro next spring', '2025-02-01');

CREATE TEMP TABLE queries (q text);
INSERT INTO queries VALUES ('rain'), ('walk'), ('walking lisbon'), ('coffee OR sea'), ('"long run"'),
  ('music -rain'), ('friend'), ('happy family'), ('dream OR night OR river'), ('café'), ('mañana'),
  ('self-care'), ('the'), ('zanzibar'), ('calm quiet'), ('"quiet calm"'), ('work sleep'), ('journal'),
  ('tired -grateful'), ('morning or evening');

-- Reference: the SQL the contract states, with ts_headline for snippets.
CREATE FUNCTION pg_temp.reference(query text, uid uuid, n int)
RETURNS TABLE(entry_id uuid, user_id uuid, entry_date date, title text, rank real, snippet text, matched_query text)
LANGUAGE sql AS $$
  SELECT e.id, e.user_id, e.entry_date, e.title, ts_rank_cd(e.search_vector, q) AS rank,
         ts_headline('english', e.content, q, 'MaxWords=35, MinWords=15, MaxFragments=3'), q::text
    FROM journaling.journal_entries e, websearch_to_tsquery('english', query) q
   WHERE (uid IS NULL OR e.user_id = uid) AND e.search_vector @@ q
   ORDER BY rank DESC, e.entry_date DESC, e.id
   LIMIT n
$$;

SET client_min_messages = warning;
-- Every query, for every user and for all users, with and without typo
-- correction (words that exist are never corrected), at several limits.
SELECT count(*) AS cases,
       count(*) FILTER (WHERE got IS DISTINCT FROM want) AS mismatches,
       count(*) FILTER (WHERE want IS NOT NULL AND cardinality(want) > 1) AS cases_with_several_rows
  FROM (SELECT (SELECT array_agg(s ORDER BY ord) FROM journaling.search(q.q, u.uid, n.n, o.o) WITH ORDINALITY s(a, b, c, d, e, f, g, ord)) AS got,
               (SELECT array_agg(r ORDER BY ord) FROM pg_temp.reference(q.q, u.uid, n.n) WITH ORDINALITY r(a, b, c, d, e, f, g, ord)) AS want
          FROM queries q,
               (SELECT ('00000000-0000-4000-8000-00000000000' || u)::uuid AS uid FROM generate_series(1, 5) u
                UNION ALL SELECT NULL) u,
               (VALUES (1), (7), (20), (1000)) n(n),
               (VALUES ('{"fuzzy": false}'::jsonb), ('{}')) o(o)) t;
RESET client_min_messages;

-- Ties: equal rank and date are ordered by entry id.
SELECT count(*) FILTER (WHERE rank = prank AND entry_date = pdate) AS ties,
       count(*) FILTER (WHERE rank = prank AND entry_date = pdate AND entry_id < pid) AS misordered
  FROM (SELECT s.*, lag(rank) OVER w AS prank, lag(entry_date) OVER w AS pdate, lag(entry_id) OVER w AS pid
          FROM journaling.search('rain', NULL, 1000) WITH ORDINALITY s WINDOW w AS (ORDER BY ordinality)) s;

-- A sample of the output.
SELECT entry_date, title, rank, snippet, matched_query
  FROM journaling.search('walking lisbon', '00000000-0000-4000-8000-000000000001', 3);

-- Typo correction: a word the user never wrote becomes the closest word they did write.
SELECT DISTINCT matched_query FROM journaling.search('lisbn', '00000000-0000-4000-8000-000000000001');
SELECT journaling.search_correct_query(websearch_to_tsquery('english', 'cofee rainn'), '00000000-0000-4000-8000-000000000002') AS corrected;
SELECT count(*) AS rows_without_fuzzy FROM journaling.search('lisbn', '00000000-0000-4000-8000-000000000001', 20, '{"fuzzy": false}');
SELECT matched_query, count(*) FROM journaling.search('zanzbar', '00000000-0000-4000-8000-000000000005') GROUP BY 1;
-- ... but never another user's word, even for a superuser naming the user.
SELECT count(*) AS rows, journaling.search_correct_query(websearch_to_tsquery('english', 'zanzbar'), '00000000-0000-4000-8000-000000000001') AS corrected
  FROM journaling.search('zanzbar', '00000000-0000-4000-8000-000000000001');
-- A word with no similar word stays as it is.
SELECT count(*) AS rows, journaling.search_correct_query(websearch_to_tsquery('english', 'xylophone'), '00000000-0000-4000-8000-000000000001') AS corrected
  FROM journaling.search('xylophone', '00000000-0000-4000-8000-000000000001');

-- search() searches with the query search_prepare() makes, typo correction
-- included (for a query whose every word is required it corrects only when
-- nothing is found, see search_prepare.c): the same rows and matched_query
-- as the SQL reference over search_prepare()'s query, every user.
SELECT count(*) AS cases, count(*) FILTER (WHERE got IS DISTINCT FROM want) AS mismatches,
       count(*) FILTER (WHERE corrected) AS corrected, count(*) FILTER (WHERE want IS NOT NULL) AS with_rows
  FROM (SELECT (SELECT array_agg(ROW(s.entry_id, s.matched_query) ORDER BY o)
                  FROM journaling.search(q.q, u.uid, 5) WITH ORDINALITY s(entry_id, a, b, c, d, e, matched_query, o)) AS got,
               (SELECT array_agg(ROW(r.id, p.tsq::text) ORDER BY r.rank DESC, r.entry_date DESC, r.id)
                  FROM (SELECT e.id, e.entry_date, ts_rank_cd(e.search_vector, p.tsq) AS rank
                          FROM journaling.journal_entries e
                         WHERE e.user_id = u.uid AND e.search_vector @@ p.tsq
                         ORDER BY rank DESC, e.entry_date DESC, e.id LIMIT 5) r) AS want,
               p.tsq::text <> websearch_to_tsquery('english', q.q)::text AS corrected
          FROM unnest(ARRAY['lisbn', 'cofee rainn', 'walkng lisbon', '"quiet calmm"', 'rainn OR sea', 'cofee -rain',
                            'zanzbar', 'xylophone', 'rain', 'tired -gratefull', 'lisbon cofee', '"walk lisbn"']) q(q),
               (SELECT ('00000000-0000-4000-8000-00000000000' || u)::uuid AS uid FROM generate_series(1, 5) u) u,
               LATERAL journaling.search_prepare(q.q, u.uid, '{}') p) t;

-- Under row-level security, as an application role.
CREATE ROLE regress_search_app;
SELECT journaling.grant_app_role('regress_search_app');
SET ROLE regress_search_app;
-- No identity: nothing.
SELECT count(*) AS visible_without_identity FROM journaling.search('rain');
SELECT journaling.set_user('00000000-0000-4000-8000-000000000001') IS NOT NULL AS identity_set;
-- user_id NULL = every row the caller may see = the caller's rows.
SELECT count(DISTINCT user_id) AS users_seen, min(user_id::text) AS who FROM journaling.search('rain', NULL, 1000);
SELECT (SELECT array_agg(s) FROM journaling.search('rain', NULL, 50) s)
     = (SELECT array_agg(r) FROM pg_temp.reference('rain', '00000000-0000-4000-8000-000000000001', 50) r) AS equals_reference;
-- Naming another user returns nothing, and no typo correction from their words.
SELECT count(*) AS other_users_rows FROM journaling.search('rain', '00000000-0000-4000-8000-000000000002');
SELECT count(*) AS zanzibar_rows FROM journaling.search('zanzibar');
SELECT DISTINCT matched_query FROM journaling.search('zanzbar', '00000000-0000-4000-8000-000000000005');
SELECT journaling.search_correct_query(websearch_to_tsquery('english', 'zanzbar'), '00000000-0000-4000-8000-000000000005') AS corrected_as_app;
RESET ROLE;

-- Bad input.
SET client_min_messages = warning;
SELECT count(*) AS empty_query FROM journaling.search('');
SELECT count(*) AS stopwords_only FROM journaling.search('the and a');
SELECT count(*) AS null_query FROM journaling.search(NULL);
SELECT count(*) AS zero_limit FROM journaling.search('rain', NULL, 0);
SELECT count(*) AS null_limit FROM journaling.search('rain', '00000000-0000-4000-8000-000000000003', NULL);
RESET client_min_messages;
SELECT * FROM journaling.search('rain', NULL, -1);
SELECT * FROM journaling.search('rain', NULL, 20, '{"fuzy": true}');
SELECT * FROM journaling.search('rain', NULL, 20, '[]');
SELECT * FROM journaling.search('rain', NULL, 20, '{"fuzzy": "maybe"}');
-- Option values as (options->>key)::type reads them: null turns a feature
-- off, a number or an object is read as its text.
SELECT o, (SELECT count(*) FROM journaling.search('lisbn', '00000000-0000-4000-8000-000000000001', 3, o::jsonb)) AS rows,
       (SELECT min(matched_query) FROM journaling.search('lisbon lisbn', '00000000-0000-4000-8000-000000000001', 3, o::jsonb)) AS matched,
       (SELECT count(snippet) FROM journaling.search('lisbon', '00000000-0000-4000-8000-000000000001', 3, o::jsonb)) AS snippets,
       p.tsq, p.snippet_options
  FROM unnest(ARRAY['{"fuzzy": null}', '{"fuzzy": 1}', '{"fuzzy": "off"}', '{"similarity": null}', '{"similarity": 0.95}',
                    '{"similarity": "0.1", "fuzzy": true}', '{"snippet": null}', '{"snippet": "MaxWords=4, MinWords=2"}']) o,
       LATERAL journaling.search_prepare('lisbn', '00000000-0000-4000-8000-000000000001', o::jsonb) p;
SELECT * FROM journaling.search('rain', NULL, 20, '{"similarity": "high"}');
SELECT * FROM journaling.search('rain', NULL, 20, '{"fuzzy": [true]}');
SELECT * FROM journaling.search('rain', NULL, 20, '{"snippet": {"MaxWords": 5}}');
SELECT * FROM journaling.search('rain', NULL, 20, 'null');
SELECT * FROM journaling.search_prepare('rain', NULL, '"fuzzy"');
SELECT * FROM journaling.search_prepare(NULL, NULL, '{"similarity": 2}');
SELECT * FROM journaling.search('rain', NULL, 20, '{"snippet": "MinWords=0"}');
SELECT snippet FROM journaling.search('rain', '00000000-0000-4000-8000-000000000001', 1, '{"snippet": "MaxFragments=0, MaxWords=4, MinWords=2, StartSel=[, StopSel=]"}');

-- Clean up the role (roles outlive the test database).
DROP OWNED BY regress_search_app;
DROP ROLE regress_search_app;

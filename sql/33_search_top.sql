-- journaling.search_top(), the ranking under search() for one user: equal to
-- the SQL reference for a user with more rows than one cursor fetch (1000),
-- many rank and date ties, every limit (NULL = all); row-level security.
SET extra_float_digits = 0;
SELECT setseed(0.33);

INSERT INTO journaling.users (id, username) VALUES
  ('00000000-0000-4000-8000-0000000033a1', 'many'), ('00000000-0000-4000-8000-0000000033b2', 'other');
-- 2500 entries of a tiny vocabulary over 5 days: ranks and dates tie often.
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, tags)
SELECT '00000000-0000-4000-8000-0000000033a1', md5('e33-' || n)::uuid,
       CASE WHEN n % 3 = 0 THEN 'rain' END,
       (SELECT string_agg(w, ' ') FROM (SELECT w FROM unnest(ARRAY['rain', 'sun', 'walk', 'walked', 'sea', 'tea', 'calm']) w
                                          ORDER BY random() + 0 * n LIMIT 1 + n % 5) s),
       DATE '2025-03-01' + n % 5,
       CASE WHEN n % 7 = 0 THEN ARRAY['sea'] ELSE '{}' END
  FROM generate_series(1, 2500) n;
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date)
SELECT '00000000-0000-4000-8000-0000000033b2', 'rain', 'rain and sea', DATE '2025-03-01' + n
  FROM generate_series(1, 50) n;

CREATE FUNCTION pg_temp.reference(q tsquery, uid uuid, n int)
RETURNS TABLE(id uuid, user_id uuid, entry_date date, title text, content text, rank real)
LANGUAGE sql AS $$
  SELECT e.id, e.user_id, e.entry_date, e.title, e.content, ts_rank_cd(e.search_vector, q) AS rank
    FROM journaling.journal_entries e
   WHERE e.user_id = uid AND e.search_vector @@ q
   ORDER BY rank DESC, e.entry_date DESC, e.id
   LIMIT n
$$;

SELECT q.q AS query, n.n AS max_results,
       (SELECT count(*) FROM journaling.search_top(q.q, '00000000-0000-4000-8000-0000000033a1', n.n)) AS rows,
       (SELECT array_agg(t ORDER BY o) FROM journaling.search_top(q.q, '00000000-0000-4000-8000-0000000033a1', n.n) WITH ORDINALITY t(a, b, c, d, e, f, o))
       IS NOT DISTINCT FROM
       (SELECT array_agg(r ORDER BY o) FROM pg_temp.reference(q.q, '00000000-0000-4000-8000-0000000033a1', n.n) WITH ORDINALITY r(a, b, c, d, e, f, o))
       AS equals_reference
  FROM (VALUES ('rain'::tsquery), ('rain & !sea'), ('sun | tea'), ('walk <-> sea'), ('!calm'), ('nothing')) q(q),
       (VALUES (1), (20), (999), (1000), (1001), (NULL)) n(n)
 ORDER BY 1, 2;

-- Nothing for a NULL query or owner, or a zero limit; a negative limit is an error.
SELECT count(*) AS null_query FROM journaling.search_top(NULL, '00000000-0000-4000-8000-0000000033a1', 20);
SELECT count(*) AS null_owner FROM journaling.search_top('rain', NULL, 20);
SELECT count(*) AS zero_limit FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033a1', 0);
SELECT * FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033a1', -1);

-- Row-level security: the caller sees only its own rows, even naming another user.
CREATE ROLE regress_search_top_app;
SELECT journaling.grant_app_role('regress_search_top_app');
SET ROLE regress_search_top_app;
SELECT count(*) AS without_identity FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033b2', NULL);
SELECT journaling.set_user('00000000-0000-4000-8000-0000000033a1') IS NOT NULL AS identity_set;
SELECT count(*) AS other_users_rows FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033b2', NULL);
SELECT count(*) AS own_rows, count(*) = (SELECT count(*) FROM journaling.journal_entries WHERE search_vector @@ 'rain') AS all_visible_matches
  FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033a1', NULL);
-- The cached plan follows the role: the same call as superuser sees the other user again.
RESET ROLE;
SELECT count(*) AS other_users_rows_as_superuser FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033b2', NULL);
SET ROLE regress_search_top_app;
SELECT count(*) AS other_users_rows_as_app_again FROM journaling.search_top('rain', '00000000-0000-4000-8000-0000000033b2', NULL);
RESET ROLE;

DROP OWNED BY regress_search_top_app;
DROP ROLE regress_search_top_app;

-- A query of stop words only has no lexemes: nothing, as with @@.
SELECT count(*) AS stop_words_only FROM journaling.search_top(websearch_to_tsquery('english', 'the and a'), '00000000-0000-4000-8000-0000000033a1', NULL);

-- search_vector is kept in the row (STORAGE MAIN), content may go to TOAST;
-- long texts are lz4-compressed (c = default, l = lz4).
SELECT attrelid::regclass, attname, attstorage, attcompression FROM pg_attribute
 WHERE attrelid IN ('journaling.journal_entries'::regclass, 'journaling.messages'::regclass)
   AND attname IN ('content', 'search_vector')
 ORDER BY 1, 2;

-- A long entry is stored lz4-compressed, and snippets of the stored text are
-- still those of ts_headline.
INSERT INTO journaling.journal_entries (user_id, id, content, entry_date)
SELECT '00000000-0000-4000-8000-0000000033a1', '00000000-0000-4000-8000-00000033f00d',
       string_agg('Morning ' || n || ': I felt calm after the long walk by the river.', ' ' ORDER BY n),
       date '2024-03-01'
  FROM generate_series(1, 2000) n;
SELECT pg_column_compression(content) AS compression, octet_length(content) AS bytes,
       pg_column_size(content) < octet_length(content) / 4 AS compressed,
       journaling.snippet('english', content, phraseto_tsquery('english', 'felt calm'), 'MaxFragments=2')
         = ts_headline('english', content, phraseto_tsquery('english', 'felt calm'), 'MaxFragments=2') AS same_as_ts_headline
  FROM journaling.journal_entries WHERE id = '00000000-0000-4000-8000-00000033f00d';

-- search_vector and word_count are maintained in C on every write.  Oracle:
-- the same expression written with the built-in functions.
SET extra_float_digits = 0;

CREATE FUNCTION pg_temp.reference_vector(title text, content text, tags text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', content), 'B')
        || setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'C')
$$;

-- Python's len(s.split()) over ASCII text: runs of non-whitespace.
CREATE FUNCTION pg_temp.reference_words(s text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT count(*)::int FROM regexp_matches(s, '[^ \t\n\r\f\v\x1c-\x1f]+', 'g')
$$;

INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-0000-0000-0000000000a1', 'vec');

-- 2000 generated entries: random words (some non-ASCII, some stop words),
-- NULL titles, NULL tag elements, empty tag arrays, repeated words.
SELECT setseed(0.42);
CREATE TEMP TABLE words AS
SELECT w, row_number() OVER () AS n FROM unnest(string_to_array(
  'the a of to and I me my work worked working sleep slept sleeping anxious anxiety calm '
  'walk walked walking run running ran family mother father café naïve résumé 東京 '
  'Москва über straße happy happier happiest sad sadder tired exhausted grateful '
  'gratitude meeting meetings deadline deadlines coffee tea friend friends weekend '
  'http://example.com/path user@example.com 3.14 2025-11-22 don''t can''t rock''n''roll '
  'self-care well-being e-mail x y z ok OK Ok', ' ')) AS w;

CREATE TEMP TABLE generated AS
SELECT i,
       CASE WHEN random() < 0.15 THEN NULL
            ELSE (SELECT string_agg(w, ' ') FROM (SELECT w FROM words ORDER BY random() + i * 0 LIMIT 1 + (random() * 6)::int) t) END AS title,
       (SELECT string_agg(w, CASE WHEN random() < 0.1 THEN E'\n' WHEN random() < 0.05 THEN E'\t ' ELSE ' ' END)
          FROM (SELECT w FROM words, generate_series(1, 1 + (random() * 40)::int) g ORDER BY random() + i * 0 LIMIT 1 + (random() * 300)::int) t) AS content,
       CASE WHEN random() < 0.2 THEN '{}'::text[]
            WHEN random() < 0.1 THEN ARRAY['walk', NULL, 'sleep well']
            ELSE (SELECT array_agg(w) FROM (SELECT w FROM words ORDER BY random() + i * 0 LIMIT (random() * 4)::int) t) END AS tags
  FROM generate_series(1, 2000) i;
UPDATE generated SET tags = '{}' WHERE tags IS NULL;

INSERT INTO journaling.journal_entries (user_id, id, title, content, tags)
SELECT '00000000-0000-0000-0000-0000000000a1', md5(i::text)::uuid, title, content, tags FROM generated;

SELECT count(*) AS entries,
       count(*) FILTER (WHERE search_vector = pg_temp.reference_vector(title, content, tags)) AS vector_matches,
       count(*) FILTER (WHERE word_count = pg_temp.reference_words(content)) AS word_count_matches
  FROM journaling.journal_entries WHERE user_id = '00000000-0000-0000-0000-0000000000a1';

-- One entry in full, to see the weights.
INSERT INTO journaling.journal_entries (user_id, id, title, content, tags) VALUES
  ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e1',
   'Long walk after work', 'Felt calmer once I left the office. Need to walk more.', ARRAY['walking', 'self-care']);
SELECT search_vector, word_count FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e1';

-- UPDATE paths: a changed title, content or tags recomputes; other columns
-- keep the vector; a hand-written vector or word_count is overwritten.
UPDATE journaling.journal_entries SET title = 'Short run' WHERE id = '00000000-0000-0000-0000-0000000000e1';
SELECT search_vector FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e1';
UPDATE journaling.journal_entries SET tags = '{}', is_favorite = true WHERE id = '00000000-0000-0000-0000-0000000000e1';
SELECT search_vector, is_favorite FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e1';
UPDATE journaling.journal_entries SET search_vector = 'forged:1A', word_count = 999 WHERE id = '00000000-0000-0000-0000-0000000000e1';
SELECT search_vector, word_count FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e1';
INSERT INTO journaling.journal_entries (user_id, id, content, search_vector, word_count) VALUES
  ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e2', 'honest words', 'forged:1', 7);
SELECT search_vector, word_count FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e2';

-- Random updates of the generated rows still agree with the oracle.
UPDATE journaling.journal_entries
   SET content = content || ' extra words here', title = NULL
 WHERE user_id = '00000000-0000-0000-0000-0000000000a1' AND word_count % 3 = 0;
SELECT count(*) FILTER (WHERE search_vector <> pg_temp.reference_vector(title, content, tags)) AS vector_mismatches,
       count(*) FILTER (WHERE word_count <> pg_temp.reference_words(content)) AS word_count_mismatches
  FROM journaling.journal_entries WHERE user_id = '00000000-0000-0000-0000-0000000000a1';

-- word_count follows Python's str.split(): Unicode spaces separate words,
-- zero-width and non-breaking-looking letters do not.
CREATE TEMP TABLE split_cases (label text, content text);
INSERT INTO split_cases VALUES
  ('ascii', 'one two  three'),
  ('leading/trailing', E'  \t one two \n '),
  ('nbsp U+00A0', 'one' || chr(160) || 'two'),
  ('ideographic space U+3000', 'one' || chr(12288) || 'two'),
  ('line separator U+2028', 'one' || chr(8232) || 'two'),
  ('file separator U+001C', 'one' || chr(28) || 'two'),
  ('zero width space U+200B (not a space)', 'one' || chr(8203) || 'two'),
  ('CRLF', E'one\r\ntwo\r\n'),
  ('emoji', 'calm 😊 day');
WITH ins AS (
  INSERT INTO journaling.journal_entries (user_id, content, source, source_id)
  SELECT '00000000-0000-0000-0000-0000000000a1', content, 'split', label FROM split_cases
  RETURNING source_id, word_count)
SELECT source_id AS label, word_count FROM ins ORDER BY 1;

-- A 5 MB entry of unique words: the built-in expression cannot build its
-- vector, but the entry is stored whole with a bounded vector.
CREATE TEMP TABLE big AS
SELECT string_agg(md5(i::text), ' ' ORDER BY i) AS content FROM generate_series(1, 160000) i;
SELECT length(content) AS bytes FROM big;
SELECT to_tsvector('english', content) IS NOT NULL FROM big;
INSERT INTO journaling.journal_entries (user_id, id, title, content, tags)
SELECT '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e3', 'huge', content, '{bulk}' FROM big;
SELECT length(e.content) = length(b.content) AND e.content = b.content AS stored_whole,
       word_count,
       pg_column_size(search_vector) < 1048576 AS vector_bounded,
       search_vector @@ to_tsquery('english', 'huge') AS title_searchable,
       search_vector @@ to_tsquery('english', 'bulk') AS tags_searchable,
       search_vector @@ to_tsquery('english', md5('1')) AS first_word_searchable,
       search_vector @@ to_tsquery('english', md5('7000')) AS early_word_searchable,
       search_vector @@ to_tsquery('english', md5('160000')) AS last_word_searchable
  FROM journaling.journal_entries e, big b
 WHERE e.id = '00000000-0000-0000-0000-0000000000e3';
-- Below the bound nothing is cut: the vector equals the built-in one.
SELECT count(*) FILTER (WHERE search_vector = pg_temp.reference_vector(title, content, tags)) AS equal_below_bound
  FROM journaling.journal_entries WHERE length(content) < 200000;
-- Dense worst case for the bound: short, all-distinct tokens.
INSERT INTO journaling.journal_entries (user_id, id, content)
SELECT '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e4',
       string_agg('q' || to_hex(i), ' ') FROM generate_series(1, 120000) i;
SELECT word_count, pg_column_size(search_vector) < 1048576 AS vector_bounded, length(search_vector) > 10000 AS many_lexemes
  FROM journaling.journal_entries WHERE id = '00000000-0000-0000-0000-0000000000e4';

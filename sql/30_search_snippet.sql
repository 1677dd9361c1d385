-- journaling.snippet() is ts_headline() with the same output: a golden oracle
-- over generated (document, query, options) triples, then error cases.
SET extra_float_digits = 0;
SELECT setseed(0.4242);

-- Vocabulary: plain words, stems, stop words, non-ASCII, hyphenated words,
-- numbers, URLs, e-mail addresses, XML tags and entities, punctuation.
CREATE TEMP TABLE vocab AS
SELECT row_number() OVER () AS i, w FROM unnest(ARRAY[
  'the','a','of','and','to','in','is','it','walk','walked','walking','walks','rain','rainy',
  'lisbon','coffee','friend','friends','friendship','dream','dreams','dreaming','quiet','calm',
  'anxious','anxiety','happy','happily','happiness','work','working','worked','sleep','slept',
  'morning','evening','night','journal','write','writing','wrote','music','sea','river','café',
  'naïve','Zürich','Ελλάδα','日本語','mañana','crème-brûlée','self-care','well-being','x',
  'co-op','2024','3.14','-7','v1.2.3','1e10','http://example.com/a/b','mail@example.org',
  '<b>','</p>','&amp;','<br/>','!!','...',',','.','?','(see)','"quoted"','it''s','don''t',
  'I','me','we','long','longer','longest','run','running','ran','e-mail','ok','no','yes','on',
  'foo.bar.com','/usr/local/bin','O''Neil','tag-a-long','über','ÉCOLE',
  'İzmir', U&'\212Aelvin', U&'don\2019t', U&'wa\0301lk', U&'\00A0', '🧗', 'Walkİng', U&'caf\200Be'
]) AS w;

CREATE TEMP TABLE qwords AS
SELECT row_number() OVER () AS i, w FROM unnest(ARRAY[
  'walk','rain','lisbon','coffee','friend','dream','quiet','calm','anxious','happy','work',
  'sleep','morning','night','journal','write','music','sea','river','café','naïve','zürich',
  'self-care','well-being','run','long','über','mañana','ελλάδα','the','absent','zebra','2024',
  'co-op','e-mail','foo.bar.com','écol','izmir','kelvin','don','walking'
]) AS w;

CREATE FUNCTION pg_temp.rword() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT w FROM vocab WHERE i = 1 + floor(random() * (SELECT count(*) FROM vocab))::int $$;
-- Without tags (documents with no '<' take snippet()'s windowed path).
CREATE TEMP TABLE vocab_notag AS SELECT row_number() OVER () AS i, w FROM vocab WHERE strpos(w, '<') = 0;
CREATE FUNCTION pg_temp.rword_notag() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT w FROM vocab_notag WHERE i = 1 + floor(random() * (SELECT count(*) FROM vocab_notag))::int $$;
CREATE FUNCTION pg_temp.rqword() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT w FROM qwords WHERE i = 1 + floor(random() * (SELECT count(*) FROM qwords))::int $$;

-- Documents: 2000 short (1-120 tokens), 500 long (3000-16000 tokens), a few edge cases.
CREATE TEMP TABLE docs (id int, doc text);
INSERT INTO docs
SELECT g, (SELECT string_agg(CASE WHEN (g + x) % 2 = x % 2 THEN pg_temp.rword_notag() ELSE pg_temp.rword() END, CASE WHEN random() < 0.08 THEN E'\n' WHEN random() < 0.05 THEN '  ' ELSE ' ' END)
             FROM generate_series(1, 1 + (random() * 120)::int + g * 0) x)
  FROM generate_series(1, 2000) g;
INSERT INTO docs
SELECT 2000 + g, (SELECT string_agg(CASE WHEN (g + x) % 2 = x % 2 THEN pg_temp.rword_notag() ELSE pg_temp.rword() END, ' ')
                    FROM generate_series(1, 1500 + (random() * 6500)::int + g * 0) x)
  FROM generate_series(1, 250) g;
-- Long documents where the query words are rare: mostly filler, a few
-- vocabulary words sprinkled in (snippet() parses only around them).
INSERT INTO docs
SELECT 2250 + g, (SELECT string_agg(CASE WHEN random() < 0.004 THEN pg_temp.rword_notag()
                                         ELSE (ARRAY['today','was','fine','nothing','special','happened','at','all','really'])[1 + (random() * 8)::int] END,
                                    CASE WHEN random() < 0.1 THEN E'.\n' WHEN random() < 0.1 THEN ', ' ELSE ' ' END)
                    FROM generate_series(1, 2000 + (random() * 6000)::int + g * 0))
  FROM generate_series(1, 250) g;
INSERT INTO docs VALUES (3001, ''), (3002, ' '), (3003, 'walk'), (3004, '<p>walk</p> &amp; rain'),
  (3005, repeat('walk rain ', 3000)), (3006, repeat('lisbon ', 20000) || 'coffee');

-- Queries: AND, OR, NOT, phrase (<-> and <N>), prefix, stemmed and raw operands.
CREATE TEMP TABLE queries (id int, q tsquery);
SET client_min_messages = warning;
INSERT INTO queries
SELECT g, CASE (g % 12)
  WHEN 0 THEN to_tsquery('english', quote_literal(pg_temp.rqword()))
  WHEN 1 THEN to_tsquery('english', quote_literal(pg_temp.rqword()) || ' & ' || quote_literal(pg_temp.rqword()))
  WHEN 2 THEN to_tsquery('english', quote_literal(pg_temp.rqword()) || ' | ' || quote_literal(pg_temp.rqword()))
  WHEN 3 THEN to_tsquery('english', quote_literal(pg_temp.rqword()) || ' & !' || quote_literal(pg_temp.rqword()))
  WHEN 4 THEN to_tsquery('english', quote_literal(pg_temp.rqword()) || ' <-> ' || quote_literal(pg_temp.rqword()))
  WHEN 5 THEN to_tsquery('english', quote_literal(pg_temp.rqword()) || ' <2> ' || quote_literal(pg_temp.rqword()))
  WHEN 6 THEN to_tsquery('english', left(pg_temp.rqword(), 3) || ':*')
  WHEN 7 THEN to_tsquery('english', '!' || quote_literal(pg_temp.rqword()))
  WHEN 8 THEN to_tsquery('english', '(' || quote_literal(pg_temp.rqword()) || ' | ' || quote_literal(pg_temp.rqword()) || ') & ' || quote_literal(pg_temp.rqword()))
  WHEN 9 THEN websearch_to_tsquery('english', pg_temp.rqword() || ' "' || pg_temp.rqword() || ' ' || pg_temp.rqword() || '" -' || pg_temp.rqword())
  WHEN 10 THEN (quote_literal(pg_temp.rqword()) || ' & ' || quote_literal(pg_temp.rqword()))::tsquery
  ELSE to_tsquery('english', quote_literal(pg_temp.rqword()) || ' <-> (' || quote_literal(pg_temp.rqword()) || ' | ' || quote_literal(pg_temp.rqword()) || ')')
  END
FROM generate_series(1, 400) g;
RESET client_min_messages;

CREATE TEMP TABLE opts (id int, o text);
INSERT INTO opts VALUES
  (0, ''), (1, 'MaxWords=35, MinWords=15, MaxFragments=3'), (2, 'MaxFragments=1'),
  (3, 'MaxWords=10, MinWords=5'), (4, 'HighlightAll=true'), (5, 'MaxWords=2, MinWords=1'),
  (6, 'MaxFragments=2, MaxWords=8, MinWords=3, ShortWord=0'),
  (7, 'StartSel=<<, StopSel=>>, FragmentDelimiter=" | ", MaxFragments=4, MaxWords=12, MinWords=4'),
  (8, 'ShortWord=6, MaxWords=20, MinWords=19'), (9, 'HighlightAll=on, MaxFragments=2'),
  (10, 'StartSel="", StopSel="", MaxFragments=5, MaxWords=100, MinWords=1'),
  (11, 'maxwords=1000, minwords=999, maxfragments=0'), (12, 'MaxFragments=0, MinWords=1, MaxWords=3, ShortWord=10'),
  (13, 'HighlightAll=1, MinWords=0, MaxWords=0, ShortWord=-1'), (14, 'FragmentDelimiter=~, MaxFragments=10, MaxWords=5, MinWords=2');

-- Pairs: every short document with 5 queries and 5 option sets (10 000),
-- every long document with 2 (1000), the edge documents with 15.
CREATE TEMP TABLE pairs AS
SELECT d.id AS doc_id, 1 + ((d.id * 7 + k * 131) % 400) AS q_id, (d.id + k * 3) % 15 AS o_id
  FROM docs d, generate_series(1, 5) k WHERE d.id <= 2000
UNION ALL
SELECT d.id, 1 + ((d.id * 13 + k * 17) % 400), (d.id + k) % 15
  FROM docs d, generate_series(1, 2) k WHERE d.id > 2000 AND d.id <= 3000
UNION ALL
SELECT d.id, 1 + ((d.id * 11 + k * 29) % 400), k % 15
  FROM docs d, generate_series(0, 14) k WHERE d.id > 3000;

SELECT count(*) AS pairs,
       count(*) FILTER (WHERE length(d.doc) > 10000) AS long_pairs,
       count(DISTINCT o.id) AS option_sets
  FROM pairs p JOIN docs d ON d.id = p.doc_id JOIN opts o ON o.id = p.o_id;

SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>|<<') > 1000 AS many_highlighted
  FROM (SELECT journaling.snippet('english', d.doc, q.q, o.o) AS a,
               ts_headline('english', d.doc, q.q, o.o) AS b
          FROM pairs p JOIN docs d ON d.id = p.doc_id JOIN queries q ON q.id = p.q_id
          JOIN opts o ON o.id = p.o_id) s;

-- Long documents with rare query words and the function's default options,
-- where snippet() parses only windows around possible matches.
SELECT count(*) AS windowed_pairs,
       count(*) FILTER (WHERE journaling.snippet('english', d.doc, q.q) IS DISTINCT FROM
                              ts_headline('english', d.doc, q.q, 'MaxWords=35, MinWords=15, MaxFragments=3')) AS mismatches
  FROM docs d, queries q
 WHERE d.id BETWEEN 2251 AND 2300 AND q.id <= 40;

-- A handful of sample outputs.
SELECT journaling.snippet('english', 'The café in Zürich was quiet; we walked along the river, then walked home in the rain.',
                          to_tsquery('english', 'walk & rain'));
SELECT journaling.snippet('english', 'The café in Zürich was quiet; we walked along the river, then walked home in the rain.',
                          to_tsquery('english', 'walk <-> home'), 'StartSel=[, StopSel=], MaxFragments=0, MaxWords=8, MinWords=3');
SELECT journaling.snippet('english', 'Self-care: coffee, <i>music</i> &amp; a long walk.',
                          to_tsquery('english', 'self-care | music'), 'HighlightAll=true');
SELECT journaling.snippet('english', 'nothing to see here at all, really nothing', to_tsquery('english', 'zebra'), 'MaxWords=5, MinWords=2');
SELECT journaling.snippet('simple', 'Ελλάδα και 日本語 mañana', to_tsquery('simple', 'mañana | ελλάδα'));

-- Configurations with multi-word or filtering dictionaries fall back to ts_headline itself.
CREATE TEXT SEARCH DICTIONARY pg_temp.syn_unused (TEMPLATE = simple);
SELECT journaling.snippet('simple', 'one two three', 'two'::tsquery, '') = ts_headline('simple', 'one two three', 'two'::tsquery, '') AS same;

-- Bad input: the same errors as ts_headline (SQLSTATE and message compared).
DO $$
DECLARE
    o text;
    doc text;
    a text;
    b text;
BEGIN
    FOR o, doc IN VALUES ('MaxWords=5, MinWords=5', 'walk'), ('MinWords=0', 'walk'), ('ShortWord=-1', 'walk'),
                         ('MaxFragments=-1', 'walk'), ('Colour=red', 'walk'), ('MaxWords=many', 'walk'),
                         ('MaxWords', 'walk'), ('MaxWords=99999999999', 'walk'), ('', repeat('x', 3000)),
                         ('MinWords=0', repeat('x', 3000))
    LOOP
        BEGIN
            PERFORM journaling.snippet('english', doc, 'walk'::tsquery, o);
            a := 'no error';
        EXCEPTION WHEN OTHERS THEN
            a := SQLSTATE || ' ' || SQLERRM;
        END;
        BEGIN
            PERFORM ts_headline('english', doc, 'walk'::tsquery, o);
            b := 'no error';
        EXCEPTION WHEN OTHERS THEN
            b := SQLSTATE || ' ' || SQLERRM;
        END;
        RAISE NOTICE '% -> % (%)', o, a, CASE WHEN a = b THEN 'same as ts_headline' ELSE 'ts_headline: ' || b END;
    END LOOP;
END
$$;
-- Empty and stop-word-only queries, NULLs (STRICT).
SET client_min_messages = warning;
SELECT journaling.snippet('english', 'the walk in the rain', to_tsquery('english', 'the')) AS stopword_query,
       journaling.snippet('english', 'the walk in the rain', ''::tsquery) AS empty_query,
       journaling.snippet('english', NULL, 'walk'::tsquery) IS NULL AS null_doc,
       journaling.snippet('english', 'walk', 'walk'::tsquery, NULL) IS NULL AS null_options;
RESET client_min_messages;

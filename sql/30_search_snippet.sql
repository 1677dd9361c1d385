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

-- The first-letter property the candidate scan relies on (see
-- snip_config_first_letter): english_stem gives every word a lexeme that
-- starts with the word's first letter, lower-cased.  Checked on every word of
-- one to three letters (also upper-case), every one- or two-letter stem with
-- every suffix the English stemmer removes or rewrites, and its exception list.
WITH letters(c) AS (SELECT chr(c) FROM generate_series(97, 122) c),
stems(w) AS (SELECT a.c FROM letters a UNION ALL SELECT a.c || b.c FROM letters a, letters b),
words(w) AS (
  SELECT w FROM stems
  UNION ALL SELECT a.c || b.c || c.c FROM letters a, letters b, letters c
  UNION ALL SELECT upper(a.c || b.c || c.c) FROM letters a, letters b, letters c
  UNION ALL SELECT p.w || s FROM stems p,
    unnest(string_to_array('s ss sses ied ies us eed eedly ed edly ing ingly y ly tional enci anci abli entli izer '
                           'ization ational ation ator alism aliti alli fulness ousli ousness iveness iviti biliti bli '
                           'ogi fulli lessli li alize icate iciti ical ful ness ative al ance ence er ic able ible ant '
                           'ement ment ent ism ate iti ous ive ize ion sion tion e l at bl iz bb dd ff gg mm nn pp rr tt', ' ')) s
  UNION ALL SELECT unnest(ARRAY['skis', 'skies', 'sky', 'dying', 'lying', 'tying', 'idly', 'gently', 'ugly', 'early',
                                'only', 'singly', 'news', 'howe', 'atlas', 'cosmos', 'bias', 'andes', 'inning',
                                'innings', 'outing', 'outings', 'canning', 'cannings', 'herring', 'herrings',
                                'earring', 'earrings', 'proceed', 'proceeds', 'proceeded', 'proceeding', 'exceed',
                                'exceeded', 'succeed', 'succeeding', 'generously', 'generate', 'communism', 'arsenal',
                                'yyy', 'yes', 'youth', 'ay', 'ey', 'Yelling', 'Ying'])
)
SELECT count(*) > 90000 AS many_words,
       count(*) FILTER (WHERE left(l.lexeme, 1) <> lower(left(w, 1))) AS first_letter_changed
  FROM words LEFT JOIN LATERAL unnest(ts_lexize('english_stem', w)) l(lexeme) ON true;

-- Early stop (MaxFragments > 0, a query of one word or of words joined by OR):
-- long documents without '<' where the query word is placed at distances on
-- either side of every edge the options imply (the stretch of a fragment,
-- the MaxWords + 2 words of context around a possible match, windows joined
-- when closer than max_cover / 2 + 2 words), in plain, stemmed, upper-case,
-- hyphenated, digit- and non-ASCII-adjacent forms, some of which do not match.
CREATE TEMP TABLE es_opts (id int, o text, w int, f int);
INSERT INTO es_opts VALUES
  (1, 'MaxWords=35, MinWords=15, MaxFragments=3', 35, 3), (2, 'MaxFragments=1', 35, 1),
  (3, 'MaxFragments=2, MaxWords=8, MinWords=3, ShortWord=0', 8, 2),
  (4, 'FragmentDelimiter=~, MaxFragments=10, MaxWords=5, MinWords=2', 5, 10),
  (5, 'HighlightAll=on, MaxFragments=2, MaxWords=12, MinWords=4', 12, 2),
  (6, 'MaxFragments=4, MaxWords=20, MinWords=5, StartSel=[, StopSel=]', 20, 4);
CREATE TEMP TABLE es_docs AS
WITH gaps AS (
  SELECT o.id AS o_id, v, u.ord, u.gap
    FROM es_opts o, generate_series(0, 7) v,
         LATERAL (SELECT greatest(o.w * 10, 100) * o.f / 2 AS half) h,
         unnest(ARRAY[0, 1, o.w - 1, o.w, o.w + 1, o.w + 2, o.w + 3, 2 * o.w + 3, 2 * o.w + 4, 2 * o.w + 5,
                      h.half + 1, h.half + 2, h.half + 3, 2 * o.w + h.half + 5, 2 * o.w + h.half + 6,
                      2 * o.w + h.half + 7]) WITH ORDINALITY AS u(gap, ord)
), places AS (
  SELECT o_id, v, (ARRAY[0, 1, 15, 40, 37, 3, 100, 7])[v + 1]
                  + sum(gap + 1) OVER (PARTITION BY o_id, v ORDER BY (ord + v) % 16, ord) - (gap + 1) AS k
    FROM gaps
), plan AS (
  SELECT o_id, v, array_agg(k ORDER BY k) AS ks FROM places GROUP BY o_id, v
)
SELECT o_id * 100 + v AS id, o_id,
       (SELECT string_agg(CASE WHEN k = ANY (ks)
                               THEN (ARRAY['walk', 'Walking', 'WALKED', 'walks', 'walk-about', 'self-walk', 'walk2',
                                           '2walk', 'walk.', '(walk)', 'walké', 'éwalk', 'rain', 'Rainy',
                                           'rain-soaked', 'walk,rain', U&'\212Alvin walk', 'x1.5 walk'])[1 + (k + v) % 18]
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really'])[1 + (k * 7 + v) % 9] END, ' ' ORDER BY k)
          FROM generate_series(0, ks[array_length(ks, 1)] + 1600) k) AS doc
  FROM plan;
-- The same documents with a '<' or an over-long word near the end: no shortcut.
INSERT INTO es_docs
SELECT id + 10000, o_id, doc || ' <b>walk</b>' FROM es_docs WHERE id % 100 = 1
UNION ALL
SELECT id + 20000, o_id, doc || ' ' || repeat('w', 2100) FROM es_docs WHERE id % 100 = 2;
CREATE TEMP TABLE es_queries (id int, q tsquery);
INSERT INTO es_queries VALUES (1, to_tsquery('english', 'walk')), (2, to_tsquery('english', 'walk | rain')),
  (3, to_tsquery('english', 'rain | zebra | walk')), (4, to_tsquery('english', 'walk & rain')),
  (5, to_tsquery('english', 'walk:*')), (6, to_tsquery('english', 'walk & !zebra')),
  (7, 'kelvin'::tsquery), (8, to_tsquery('english', 'zebra'));
SELECT count(*) AS early_stop_pairs,
       count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>|\[') > 200 AS many_highlighted
  FROM (SELECT journaling.snippet('english', d.doc, q.q, o.o) AS a, ts_headline('english', d.doc, q.q, o.o) AS b
          FROM es_docs d JOIN es_opts o ON o.id = d.o_id, es_queries q
         WHERE d.id < 10000) s;
-- (the over-long words' NOTICEs are compared in the error cases below)
SET client_min_messages = warning;
SELECT count(*) AS no_shortcut_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches
  FROM (SELECT journaling.snippet('english', d.doc, q.q, o.o) AS a, ts_headline('english', d.doc, q.q, o.o) AS b
          FROM es_docs d JOIN es_opts o ON o.id = d.o_id, es_queries q
         WHERE d.id > 10000 AND q.id <= 2) s;
RESET client_min_messages;
-- Other configurations: simple (lower-casing keeps the first letter too) and
-- german (its stemmer is not assumed to: every word is looked up).
SELECT count(*) AS other_config_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches
  FROM (SELECT journaling.snippet(c.cfg, d.doc, to_tsquery(c.cfg, q.w), o.o) AS a,
               ts_headline(c.cfg, d.doc, to_tsquery(c.cfg, q.w), o.o) AS b
          FROM es_docs d JOIN es_opts o ON o.id = d.o_id,
               (VALUES ('simple'::regconfig), ('german'::regconfig)) c(cfg),
               (VALUES ('walk'), ('walks | rain'), ('walking')) q(w)
         WHERE d.id < 10000 AND d.id % 100 < 3) s;

-- Phrase queries past the position cap: ts_headline caps positions at 16383,
-- so a phrase of distance >= 1 matches only with its left word before that
-- (while its right word may lie anywhere later, capped); snippet() stops
-- parsing max_cover entries and MaxWords words after it.  Matches are planted
-- around the cap, and a left word just before the cap with a right word at
-- max_cover / 2 - 1, max_cover / 2 and max_cover / 2 + 1 words from it for
-- each option set's max_cover (50, 100, 175, 525 words).
CREATE TEMP TABLE cap_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k = ANY (felt) THEN 'felt' WHEN k = ANY (calm) THEN 'calm'
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really'])[1 + (k * 7 + v) % 9] END, ' ' ORDER BY k)
          FROM generate_series(1, 17300 + 150 * v) k) AS doc
  FROM (VALUES (0, ARRAY[16000, 16379, 16381, 16383], ARRAY[16001, 16380, 16382, 16384]),
               (1, ARRAY[16382, 16383], ARRAY[16383, 16384]),
               (2, ARRAY[16381], ARRAY[16900, 16910])) p(v, felt, calm)
UNION ALL
SELECT 10 + n, (SELECT string_agg(CASE WHEN k = 16382 THEN 'felt' WHEN k = 16382 + n THEN 'calm'
                                       ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at',
                                                   'all', 'really'])[1 + (k * 7 + n) % 9] END, ' ' ORDER BY k)
                  FROM generate_series(1, 17400) k)
  FROM unnest(ARRAY[49, 50, 51, 99, 100, 101, 174, 175, 176, 524, 525, 526]) n;
SELECT count(*) AS phrase_cap_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>felt</b>') AS with_match
  FROM (SELECT journaling.snippet('english', d.doc, q, o) AS a, ts_headline('english', d.doc, q, o) AS b
          FROM cap_docs d,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3', 'MaxFragments=1',
                            'MaxWords=10, MinWords=5', 'MaxFragments=2, MaxWords=8, MinWords=3, ShortWord=0']) o,
               unnest(ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm'),
                            to_tsquery('english', 'felt & (felt <-> calm)'),
                            to_tsquery('english', '(felt <-> calm) | (calm <-> felt)'),
                            to_tsquery('english', 'felt <-> !calm'), to_tsquery('english', 'felt <-> calm & !zebra')]) q) s;

-- The same with the simple configuration, whose word positions snippet()
-- does not count without the dictionaries: it parses from the start, and
-- stops at the position cap.
SELECT count(*) AS phrase_cap_simple_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>felt</b>') AS with_match
  FROM (SELECT journaling.snippet('simple', d.doc, q, o) AS a, ts_headline('simple', d.doc, q, o) AS b
          FROM cap_docs d,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3', 'MaxWords=10, MinWords=5']) o,
               unnest(ARRAY[to_tsquery('simple', 'felt <-> calm'), to_tsquery('simple', 'felt <2> calm'),
                            to_tsquery('simple', 'felt <-> !calm')]) q) s;

-- Phrase queries with windows: phrase words placed sparsely in long documents
-- whose left-out text mixes tokens that take several positions or none
-- (hyphenated words, numbers, versions, e-mail addresses, URLs, non-ASCII
-- words), so the positions counted across left-out text decide the phrase
-- matches and where the position cap falls.
CREATE TEMP TABLE pw_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k % step = 0 AND k BETWEEN lo AND hi
                               THEN (CASE WHEN (k / step) % 3 = 0 THEN 'felt' ELSE 'felt calm' END)
                               ELSE (ARRAY['today', 'self-care', 'was', '2024', 'fine', 'v1.2.3', 'nothing', 'café',
                                           'special', 'mail@example.org', 'happened', 'e-mail', 'at',
                                           'http://example.com/a/b', 'all', 'naïve', 'really', 'x-1'])[1 + (k * 7 + v) % 18]
                               END, ' ' ORDER BY k)
          FROM generate_series(1, n) k) AS doc
  FROM (VALUES (0, 3000, 400, 100, 3000), (1, 16000, 300, 11000, 16000), (2, 17000, 211, 9000, 17000),
               (3, 14000, 500, 1, 14000)) p(v, n, step, lo, hi);
SELECT count(*) AS phrase_window_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>calm</b>') AS with_match
  FROM (SELECT journaling.snippet('english', d.doc, q, o) AS a, ts_headline('english', d.doc, q, o) AS b
          FROM pw_docs d,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3', 'MaxFragments=1', 'MaxWords=10, MinWords=5']) o,
               unnest(ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm'),
                            to_tsquery('english', 'calm <-> felt'), to_tsquery('english', 'felt & (felt <-> calm)'),
                            to_tsquery('english', '(felt <-> calm) | (calm <-> felt)'),
                            to_tsquery('english', 'felt <-> !calm')]) q) s;

-- Phrase windows in a document whose positions reach the cap only past
-- 256 kB (long words): the counts snip_cap_byte keeps for the left-out text
-- (SNIP_MARKS stretches of 1 kB or so) run out before the cap, so gaps
-- between windows are counted partly from them and partly anew.
CREATE TEMP TABLE long_words_doc AS
SELECT (SELECT string_agg(CASE WHEN k % 1499 = 0 OR k = 16200 THEN 'felt calm' WHEN k = 16201 THEN 'felt'
                               WHEN k % 97 = 0 THEN 'self-care'
                               ELSE (ARRAY['incomprehensibly', 'uncharacteristic', 'misunderstanding'])[1 + k % 3] END,
                          ' ' ORDER BY k)
          FROM generate_series(1, 17500) k) AS doc;
SELECT octet_length(doc) > 280000 AS long_doc, count(*) AS long_words_pairs,
       count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>calm</b>') AS with_match
  FROM (SELECT d.doc, journaling.snippet('english', d.doc, q, o) AS a, ts_headline('english', d.doc, q, o) AS b
          FROM long_words_doc d,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3']) o,
               unnest(ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm')]) q) s
 GROUP BY doc;

-- Phrase pairs: the two words of a phrase placed far apart in long documents
-- in every spelling that the quick test (snip_pair_may_match) must either
-- decide exactly or leave to the parser: punctuation, '.', line breaks, case,
-- hyphens, digits, non-ASCII, stems, a word in between, at the very start.
CREATE TEMP TABLE pair_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k % 613 = 0
                               THEN (ARRAY['felt calm', 'felt, calm', 'felt. calm', 'felt... calm', 'felt-calm',
                                           'felt2 calm', 'felt (calm)', E'felt\ncalm', 'Felt CALM', 'felt ''calm''',
                                           'felt café calm', 'feltcalm', 'felt calm.', 'felt.calm', 'feeling calmer',
                                           'felt  calm', 'felt the calm', 'felt, the calm', 'calm felt', 'felt calm-ish',
                                           'x.felt calm', 'felt calm2', 'felt calmé', 'felt;calm'])[1 + (k / 613 + v) % 24]
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really'])[1 + (k * 7 + v) % 9] END, ' ' ORDER BY k)
          FROM generate_series(0, 12000) k) AS doc
  FROM generate_series(0, 3) v
UNION ALL
SELECT 10, 'felt calm ' || repeat('today was fine ', 900)
UNION ALL
SELECT 11, 'calm ' || repeat('today was fine ', 900) || 'felt calm';
SELECT count(*) AS pair_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>calm</b>') AS with_match
  FROM (SELECT journaling.snippet('english', d.doc, q, o) AS a, ts_headline('english', d.doc, q, o) AS b
          FROM pair_docs d,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3',
                            'MaxFragments=2, MaxWords=8, MinWords=3, ShortWord=0']) o,
               unnest(ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm'),
                            to_tsquery('english', 'calm <-> felt'), phraseto_tsquery('english', 'felt the calm'),
                            to_tsquery('english', 'felt <-> calm <-> today'),
                            to_tsquery('english', 'walk & felt <-> calm')]) q) s;

-- The comparisons below: every (document, options, query) triple, how many
-- differ, and how many snippets match a pattern (a highlight that shows the
-- case was reached).
CREATE FUNCTION pg_temp.golden(docs text[], opts text[], queries tsquery[], shown text)
RETURNS TABLE (pairs bigint, mismatches bigint, with_match bigint) LANGUAGE sql AS $$
  SELECT count(*), count(*) FILTER (WHERE a IS DISTINCT FROM b), count(*) FILTER (WHERE a ~ shown)
    FROM (SELECT journaling.snippet('english', d, q, o) AS a, ts_headline('english', d, q, o) AS b
            FROM unnest(docs) d, unnest(opts) o, unnest(queries) q) s
$$;

-- Phrase queries whose every match ends at the phrase's last word: covers
-- end there, so snippet() parses only MaxWords words of context after each
-- possible match (not max_cover).  Dense runs of 'felt' before a match (in
-- covers that end at it) and after it (in none), and a 'walk' 30, 200 or
-- 500 words after it: with 'walk &', covers do run on to the right, which
-- snippet() must still parse.
CREATE TEMP TABLE end_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k = 2000 OR (v = 3 AND k = 2400) THEN 'felt calm'
                               WHEN k = 2000 + (ARRAY[30, 200, 500, 200])[1 + v] THEN 'walk'
                               WHEN (k BETWEEN 1550 AND 1600 AND k % 3 = 0) OR (k BETWEEN 2050 AND 2120 AND k % 2 = 0)
                               THEN 'felt'
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really'])[1 + (k * 7 + v) % 9] END, ' ' ORDER BY k)
          FROM generate_series(1, 4000) k) AS doc
  FROM generate_series(0, 3) v;
SELECT 'phrase_end' AS t, * FROM pg_temp.golden(
  ARRAY(SELECT doc FROM end_docs ORDER BY id),
  ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3', 'MaxFragments=2, MaxWords=8, MinWords=3, ShortWord=0'],
  ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <-> calm & walk'),
        to_tsquery('english', 'walk & felt <-> calm'), to_tsquery('english', 'felt <2> today'),
        to_tsquery('english', 'today <-> (felt <-> calm)')], '<b>walk</b>');

-- Phrase matches across the position cap: a match ending at or after it has
-- its last word at the capped position, so its previous word at position
-- 16383 - distance; when the word there is known not to be that word,
-- snippet() stops MaxWords words after the cap.  Planted at word 16381 or
-- 16382 (word k has position k): the phrase word, a hyphenated phrase, a
-- stop word, punctuation and case; after the cap, a dense run of 'felt'
-- and a 'calm' that completes a match only with the phrase word exactly at
-- 16382 (then that run is in a cover, which stopping early would miss).
CREATE TEMP TABLE capend_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k = 16381 THEN w16381 WHEN k = 16382 THEN w16382
                               WHEN k = 16383 + calm_at THEN 'calm'
                               WHEN k BETWEEN 16400 AND 16460 AND k % 2 = 0 THEN 'felt'
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really'])[1 + (k * 7 + v) % 9] END, ' ' ORDER BY k)
          FROM generate_series(1, 17000) k) AS doc
  FROM (VALUES (0, 'today', 'felt', 100), (1, 'today', 'felt-calm', 100), (2, 'felt-calm', 'today', 100),
               (3, 'felt', 'was', 100), (4, 'today', 'Felt,', 90), (5, 'felt', 'today', 100),
               (6, 'today', 'felt', 0), (7, 'felt', 'felt', 300)) p(v, w16381, w16382, calm_at);
SELECT 'phrase_capend' AS t, * FROM pg_temp.golden(
  ARRAY(SELECT doc FROM capend_docs ORDER BY id), ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3'],
  ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm'),
        to_tsquery('english', 'felt <-> felt'), to_tsquery('english', 'today <-> felt <-> calm')], '<b>calm</b>');

-- Positions counted across left-out text full of punctuation, line breaks,
-- host names and '..' (one position each: '.' is a blank only between a
-- byte other than '.' and white space): a phrase word at position 16382
-- matches a right word after the cap, one at 16383 does not, so a count off
-- by one either way changes the headline.
CREATE TEMP TABLE punct_docs AS
WITH w AS (SELECT v, k, (ARRAY['today,', 'was', E'fine.\n', 'nothing', 'foo.bar', 'special.', 'happened', E'at\n\n',
                               'all..', 'really', 'well.done', '(quiet)', 'ok.'])[1 + (k * 7 + v) % 13] AS w
             FROM generate_series(0, 2) v, generate_series(1, 16600) k),
     p AS (SELECT v, k, w, sum(CASE WHEN w = 'all..' THEN 2 ELSE 1 END) OVER (PARTITION BY v ORDER BY k)
                           - CASE WHEN w = 'all..' THEN 1 ELSE 0 END AS pos
             FROM w),
     t AS (SELECT p.v, p.k AS felt_k, x.calm_after
             FROM p JOIN (VALUES (0, 16382, 8), (1, 16383, 1), (2, 16381, 1)) x(v, felt_at, calm_after)
               ON x.v = p.v AND p.pos = x.felt_at)
SELECT p.v AS id,
       string_agg(CASE WHEN p.k = t.felt_k THEN 'felt' WHEN p.k = t.felt_k + t.calm_after THEN 'calm' ELSE p.w END,
                  ' ' ORDER BY p.k) AS doc
  FROM p JOIN t ON t.v = p.v
 GROUP BY p.v;
SELECT 'punct' AS t, * FROM pg_temp.golden(
  ARRAY(SELECT doc FROM punct_docs ORDER BY id), ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3'],
  ARRAY[to_tsquery('english', 'felt <-> calm')], '<b>calm</b>');

-- Positions counted 16 or 8 bytes at a time (snip_letters16, snip_letters8)
-- across text whose punctuation those take (? ! : ; " ( ), tabs, form feeds,
-- CR LF, dots before a blank) or leave to the parser (dots inside words,
-- digits, non-ASCII), in an order that does not repeat (so a dot followed by
-- a letter falls at varying offsets from 16-byte boundaries), with stop
-- words (words no dictionary is asked about, snip_noitem_setup): a phrase
-- word at position 16382 matches a right word past the cap, one at 16381 or
-- 16383 does not.  felt_at checks with to_tsvector where it was planted.
CREATE TEMP TABLE sse_docs AS
WITH w AS (SELECT v, k, (ARRAY['today?', 'was!', 'fine:', 'nothing;', '"special"', '(happened)', E'at\t',
                               E'all\r\n', 'really.', E'so\f', 'then' || chr(11), 'café', '2024', 'x2',
                               'e.g.', 'a.b', 'quiet:', E'wow!?\t', 'it', 'ok'])[1 + (k * 7 + k * k / 11 + v) % 20] AS w
             FROM generate_series(0, 5) v, generate_series(1, 16600) k)
SELECT v AS id, string_agg(CASE WHEN k = felt_at THEN 'felt' WHEN k = felt_at + 8 THEN 'calm' ELSE w END,
                           ' ' ORDER BY k) AS doc
  FROM w JOIN (VALUES (0, 16382), (1, 16383), (2, 16381), (3, 16382), (4, 16382), (5, 16383)) x(xv, felt_at)
    ON xv = v
 GROUP BY v;
SELECT id, (SELECT positions FROM unnest(to_tsvector('english', doc)) WHERE lexeme = 'felt') AS felt_at
  FROM sse_docs ORDER BY id;
SELECT 'sse' AS t, * FROM pg_temp.golden(
  ARRAY(SELECT doc FROM sse_docs ORDER BY id), ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3'],
  ARRAY[to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'felt <2> calm')], '<b>calm</b>');

-- A configuration whose hyphenated words' parts go to other dictionaries than
-- words (english_stem, words to simple): the scan asks both about a word's
-- letters (snip_may_start), where 'dying' stems to 'die' and 'skies' to
-- 'sky' only as such a part.
CREATE TEXT SEARCH CONFIGURATION pg_temp.mixed (COPY = english);
ALTER TEXT SEARCH CONFIGURATION pg_temp.mixed ALTER MAPPING FOR asciiword WITH simple;
SELECT count(*) AS mixed_pairs, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS mismatches,
       count(*) FILTER (WHERE a ~ '<b>(dying|skies)</b>') AS with_match
  FROM (SELECT journaling.snippet('pg_temp.mixed', d, q, o) AS a, ts_headline('pg_temp.mixed', d, q, o) AS b
          FROM (SELECT repeat('today was fine, nothing special happened ', 300) || w || repeat(' at all really', 200) AS d
                  FROM unnest(ARRAY['self-dying', 'blue-skies', 'dying skies', 'Self-Dying']) w) s,
               unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3']) o,
               unnest(ARRAY[to_tsquery('simple', 'die'), to_tsquery('simple', 'sky'),
                            to_tsquery('simple', 'die | sky')]) q) x;

-- A dictionary altered in mid-session: snippet() must forget what it learned
-- of the old one (its backend-wide cache of dictionary answers, and what it
-- read of the configuration), on short documents and on windowed long ones.
CREATE TEXT SEARCH DICTIONARY pg_temp.alterable (TEMPLATE = simple);
CREATE TEXT SEARCH CONFIGURATION pg_temp.altered (COPY = english);
ALTER TEXT SEARCH CONFIGURATION pg_temp.altered ALTER MAPPING FOR asciiword WITH pg_temp.alterable;
CREATE TEMP TABLE alter_docs AS
SELECT d FROM unnest(ARRAY['the cat sat on the mat',
                           repeat('nothing special happened today ', 100) || 'the cat sat on the mat'
                             || repeat(' and nothing else', 100)]) d;
CREATE FUNCTION pg_temp.alter_check() RETURNS TABLE (pairs bigint, mismatches bigint, the_marked bigint)
LANGUAGE sql AS $$
  SELECT count(*), count(*) FILTER (WHERE a IS DISTINCT FROM b), count(*) FILTER (WHERE a ~ '<b>the</b>')
    FROM (SELECT journaling.snippet('pg_temp.altered', d, q, o) AS a, ts_headline('pg_temp.altered', d, q, o) AS b
            FROM alter_docs, unnest(ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3']) o,
                 unnest(ARRAY['the & cat'::tsquery, 'the | cat'::tsquery, 'the'::tsquery]) q) x
$$;
SELECT 'before' AS t, * FROM pg_temp.alter_check();
ALTER TEXT SEARCH DICTIONARY pg_temp.alterable (StopWords = english);
SELECT 'stop words' AS t, * FROM pg_temp.alter_check();
ALTER TEXT SEARCH DICTIONARY pg_temp.alterable (StopWords);
SELECT 'no stop words' AS t, * FROM pg_temp.alter_check();

-- The scan's 8-byte test: a query word planted once in a long document of
-- filler, in capitals, or spelled with a character that lower-cases to
-- ASCII (the Kelvin sign, U+0130) among other non-ASCII bytes, so that a
-- scan skipping its first byte misses the only match.
CREATE TEMP TABLE scan_docs AS
SELECT v AS id,
       (SELECT string_agg(CASE WHEN k = 1000 THEN w
                               ELSE (ARRAY['today', 'was', 'fine', 'nothing', 'special', 'happened', 'at', 'all',
                                           'really', 'naïve'])[1 + (k * 7 + v) % 10] END, ' ' ORDER BY k)
          FROM generate_series(1, 2000) k) AS doc
  FROM (VALUES (0, U&'\212Aelvin'), (1, 'CALM'), (2, 'Calm'), (3, U&'\0130zmir'), (4, 'felt CALM'),
               (5, U&'\212Aelvin scale'), (6, U&'caf\00E9 Felt calm')) p(v, w);
SELECT 'scan' AS t, * FROM pg_temp.golden(
  ARRAY(SELECT doc FROM scan_docs ORDER BY id), ARRAY['', 'MaxWords=35, MinWords=15, MaxFragments=3'],
  ARRAY[to_tsquery('english', 'kelvin'), to_tsquery('english', 'calm'), to_tsquery('english', 'izmir'),
        to_tsquery('english', 'felt <-> calm'), to_tsquery('english', 'kelvin <-> scale')], '<b>');

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

-- The lexize cache kept from call to call for one query (snip_kept): many
-- documents for each query in turn, in a fixed order (so each query's calls
-- follow one another, as search() makes them), the same query again after
-- another one, and calls that fail (bad options) in between, after which
-- the cache must be rebuilt, not trusted.
CREATE FUNCTION pg_temp.kept_cache_mismatches() RETURNS TABLE(calls int, mismatches int, errors int)
LANGUAGE plpgsql AS $$
DECLARE
    q record;
    d record;
    a text;
    b text;
BEGIN
    calls := 0; mismatches := 0; errors := 0;
    FOR q IN SELECT qq.id, qq.q FROM queries qq, generate_series(1, 2) r
              WHERE qq.id <= 12 ORDER BY r, qq.id LOOP
        FOR d IN SELECT dd.id, dd.doc FROM docs dd WHERE dd.id % 37 = q.id % 37 OR dd.id BETWEEN 2251 AND 2260
                  ORDER BY dd.id LOOP
            a := journaling.snippet('english', d.doc, q.q);
            b := ts_headline('english', d.doc, q.q, 'MaxWords=35, MinWords=15, MaxFragments=3');
            calls := calls + 1;
            IF a IS DISTINCT FROM b THEN
                mismatches := mismatches + 1;
            END IF;
            IF d.id % 50 = 0 THEN
                BEGIN
                    PERFORM journaling.snippet('english', d.doc, q.q, 'MaxWords=2, MinWords=5');
                EXCEPTION WHEN invalid_parameter_value THEN
                    errors := errors + 1;
                END;
            END IF;
        END LOOP;
    END LOOP;
    RETURN NEXT;
END
$$;
SELECT calls > 1000 AS many_calls, mismatches, errors > 10 AS some_errors FROM pg_temp.kept_cache_mismatches();

-- test/hostile/odd_arguments.sql — generate calls of every journaling
-- function with odd arguments (psql -At -v fixtures=... -v app=... -v dir=...;
-- one call per line as "app|statement" or "su|statement", each statement in
-- its own transaction that rolls back).
--
-- Every argument draws from a pool of values chosen for what the parameter
-- means (a JSON document, a format name, snippet options, a tsquery, a mood,
-- a day, a path, ...): the first value of a pool is a sane one, the others
-- are empty, NULL, huge, negative, malformed, out of range or nonsensical.
-- A function whose pools multiply to at most 1 000 combinations gets all of
-- them; a bigger one gets every pool value in each position with sane values
-- elsewhere, all NULLs, and 800 combinations drawn with a fixed seed.
-- Aggregates run over three rows, plainly and as a moving window (so the
-- inverse transition runs too).  Calls run as the application role :app
-- when it may execute the function, else (and for the server-file imports,
-- which need pg_read_server_files) as superuser; the caller runs them and
-- inspects the server log.
SET client_min_messages = warning;
SELECT setseed(0.3) \g /dev/null

CREATE TEMP TABLE pool (kind text, ord int, expr text);

-- JSON documents for the importer (import_json, read_records)
INSERT INTO pool SELECT 'doc_json', ord, expr FROM unnest(ARRAY[
  $$'[{"content": "walked in the rain", "entry_date": "2025-01-02", "mood_score": 0.5, "tags": ["a"]}]'$$,
  'NULL', $$''$$, $$' '$$, $$'null'$$, $$'[]'$$, $$'{}'$$, $$'[null]'$$, $$'[1, "x", true, 1.5e300]'$$,
  $$'{"entries": null}'$$, $$'[{}]'$$, $$'[{"content": null}]'$$, $$'[{"content": ""}]'$$, $$'[{"content": {"a": [1]}}]'$$,
  $$'[{"content": "x", "entry_date": "99999-12-31"}]'$$,
  $$'[{"content": "x", "entry_date": "2025-02-30T25:61:61+99:99"}]'$$,
  $$'[{"content": "x", "created_at": "-infinity", "updated_at": "294277-01-01"}]'$$,
  $$'[{"content": "x", "mood_score": 1e400}]'$$, $$'[{"content": "x", "mood_score": "NaN"}]'$$,
  $$'[{"content": "x", "mood_score": -1.0000001, "word_count": -5}]'$$,
  $$'[{"content": "x", "tags": [null, 1, {"a": []}], "categories": "c"}]'$$,
  $$'[{"id": "not-a-uuid", "content": "x"}]'$$,
  $$'[{"id": "00000000-0000-0000-0000-000000000000", "content": "x"}, {"id": "00000000-0000-0000-0000-000000000000", "content": "y"}]'$$,
  $$'[{"content": "\u0000"}]'$$, $$'[{"content": "\ud800"}]'$$, $$'[{"content": "\udc00\ud800 \uDBFF\uDFFF"}]'$$,
  $$'[{"content": "x", "\u0000": 1}]'$$, $$'{"a": '$$, $$'[{"content": "x"'$$,
  $$'[' || repeat('[', 100000)$$, $$repeat('[', 10000) || repeat(']', 10000)$$,
  $$'[{"content": "' || repeat('x ', 1000000) || '"}]'$$, $$'{"' || repeat('k', 100000) || '": 1}'$$,
  $$'[' || repeat('{"content": "a"},', 5000) || '{"content": "b"}]'$$,
  $$chr(65279) || '[{"content": "bom"}]'$$, $$'[1e999999999999]'$$, $$'[-]'$$, $$'[0x10, 01, .5, +1]'$$, $$'["\x"]'$$,
  $$'[{"content": "x", "user_id": "00000000-0000-0000-0000-0000000000bb"}]'$$,
  $$'{"metadata": {}, "entries": [{"text": "x", "creationDate": "2025-01-01T00:00:00Z", "uuid": "ABCDEF0123456789ABCDEF0123456789"}, {"uuid": 5}]}'$$,
  $$'{"tags": {}, "entries": [{"date": "2025-13-01", "time": "25:00", "title": "t", "body": "b"}, {"date": null}]}'$$,
  $$'{"id": "x", "date_journal": 1e30, "text": "t", "timezone": "Nowhere/Never"}'$$,
  $$'{"id": "c", "created_at": "yesterday", "messages": [{"role": "user", "content": null}, {"role": "assistant", "stage1": [1], "stage3": {}}]}'$$,
  $$'[{"role": "bot", "content": 5, "sequence_number": -9223372036854775808}, {"role": "user", "timestamp": 1e300}]'$$,
  $$'{"t": {"k": {"value": 1, "created_at": "x", "expires_at": "y"}}, "u": 7}'$$,
  $$'{"00000000-0000-0000-0000-000000000001": {"content": "x", "topic_id": "zzz"}, "not-a-uuid": {}}'$$,
  $$'{"user_id": "u", "tier": "gold", "daily_used": -1, "total_queries": 1e20}'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'format', ord, expr FROM unnest(ARRAY[
  $$'entries'$$, 'NULL', $$'auto'$$, $$'sessions'$$, $$'journaling_ai.entries'$$, $$'journaling_ai.topics'$$,
  $$'journaling_ai.sessions'$$, $$'journaling_ai.messages'$$, $$'llm_council.conversation'$$,
  $$'llm_council.usage'$$, $$'donna.session'$$, $$'donna.history'$$, $$'donna.memory'$$, $$'donna.user'$$,
  $$'dayone'$$, $$'jrnl'$$, $$'journey'$$, $$''$$, $$'ENTRIES'$$, $$'entries '$$, $$'journaling_ai.'$$,
  $$repeat('x', 10000)$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'import_options', ord, expr FROM unnest(ARRAY[
  $$'{}'$$, 'NULL', $$'null'$$, $$'[]'$$, $$'"x"'$$,
  $$'{"user_id": "00000000-0000-0000-0000-0000000000bb"}'$$, $$'{"user_id": "nope"}'$$,
  $$'{"user_id": null}'$$, $$'{"user_id": 5}'$$, $$'{"timezone": "Mars/Olympus"}'$$,
  $$'{"timezone": "UTC+99999"}'$$, $$'{"timezone": ""}'$$, $$'{"entries_timezone": "Europe/Berlin", "timezone": 1}'$$,
  $$'{"on_conflict": "update"}'$$, $$'{"on_conflict": "explode"}'$$, $$'{"mode": "strict"}'$$,
  $$'{"mode": []}'$$, $$'{"dry_run": "yes"}'$$, $$'{"dry_run": true, "mode": "strict"}'$$,
  $$'{"chat_id": "../../etc/passwd", "memory_user": ""}'$$, $$'{"unknown": 1}'$$,
  $$jsonb_build_object('timezone', repeat('A', 10000))$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'search_options', ord, expr FROM unnest(ARRAY[
  $$'{}'$$, 'NULL', $$'null'$$, $$'[]'$$, $$'1'$$, $$'{"fuzzy": false}'$$, $$'{"fuzzy": "maybe"}'$$,
  $$'{"similarity": 2}'$$, $$'{"similarity": -1}'$$, $$'{"similarity": "NaN"}'$$,
  $$'{"snippet": "MaxWords=1, MinWords=0"}'$$, $$'{"snippet": "MaxFragments=-1"}'$$,
  $$'{"snippet": "StartSel=\"<\", StopSel=>, HighlightAll=true"}'$$, $$'{"snippet": 5}'$$, $$'{"nope": 1}'$$
]) WITH ORDINALITY AS t(expr, ord);

-- snippet() options
INSERT INTO pool SELECT 'snippet_options', ord, expr FROM unnest(ARRAY[
  $$'MaxWords=35, MinWords=15, MaxFragments=3'$$, 'NULL', $$''$$, $$'MaxWords=1, MinWords=0'$$,
  $$'MaxWords=2, MinWords=1'$$, $$'MinWords=15'$$, $$'MaxWords=2147483647, MinWords=1'$$, $$'MaxWords=-1'$$,
  $$'MaxFragments=2147483647'$$, $$'MaxFragments=-1'$$, $$'MaxFragments=1, MaxWords=2, MinWords=1'$$,
  $$'ShortWord=-1'$$, $$'ShortWord=2147483647'$$, $$'HighlightAll=true'$$, $$'HighlightAll=true, MaxFragments=5'$$,
  $$'StartSel=' || repeat('<', 10000)$$, $$'StartSel="", StopSel="", FragmentDelimiter=""'$$,
  $$'MaxWords=abc'$$, $$'Bogus=1'$$, $$'='$$, $$',,,'$$, $$'MaxWords=99999999999999999999'$$,
  $$'MaxWords=35, MinWords=15, MaxFragments=1000'$$
]) WITH ORDINALITY AS t(expr, ord);

-- documents for snippet()
INSERT INTO pool SELECT 'doc_text', ord, expr FROM unnest(ARRAY[
  $$'I walked in the rain in Lisbon and felt calm, then walked home.'$$, 'NULL', $$''$$, $$' '$$,
  $$repeat('rain and more words ', 6000)$$, $$'<b>walk</b> <a href="x">rain</a> &amp; <!-- walk -->'$$,
  $$'http://walk.example/rain?x=1 mail@walk.org 1.5e10 -3 v1.2.3 walk-rain'$$,
  $$repeat('walk ', 20000)$$, $$repeat('walkwalkwalk', 10000)$$, $$repeat(U&'wa\0301lk ', 1000)$$,
  $$chr(65533) || E'\t\n\r' || chr(1)$$, $$repeat('<', 100000)$$, $$repeat('a ', 60000) || 'walk rain'$$
]) WITH ORDINALITY AS t(expr, ord);

-- search and topic queries
INSERT INTO pool SELECT 'query_text', ord, expr FROM unnest(ARRAY[
  $$'walk'$$, 'NULL', $$''$$, $$' '$$, $$'!'$$, $$'-walk'$$, $$'"'$$, $$'"walk rain"'$$, $$'walk OR'$$,
  $$'OR OR OR'$$, $$'-'$$, $$'&|!<->():*'$$, $$repeat('walk ', 2000)$$, $$repeat('"', 1001)$$,
  $$'hospitl boulderng'$$, $$'the a an'$$, $$E'\\'$$, $$'é ñ 中文 🧗'$$, $$repeat('x', 3000)$$,
  $$repeat('w', 100) || ' OR ' || repeat('r', 2047)$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'tsquery', ord, expr FROM unnest(ARRAY[
  $$'walk'$$, 'NULL', $$''$$, $$'!walk'$$, $$'walk & !rain'$$, $$'!!walk'$$, $$'walk <-> rain'$$,
  $$'walk <100> rain'$$, $$'walk <16384> rain'$$, $$'walk:*'$$, $$'walk:A'$$, $$'walk | rain | lisbon'$$,
  $$'!(walk | rain)'$$, $$'walk <-> !rain'$$, $$'!walk <-> !rain'$$,
  $$(SELECT string_agg('w' || i, ' & ') FROM generate_series(1, 300) i)$$,
  $$to_tsquery('english', 'the')$$, $$'((((walk))))'$$, $$'walk <0> walk'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'regconfig', ord, expr FROM unnest(ARRAY[
  $$'english'$$, 'NULL', $$'simple'$$, $$'german'$$, $$'public.hostile_syn'$$, $$'public.hostile_empty'$$
]) WITH ORDINALITY AS t(expr, ord);

-- users: the sessions' own (aa), another of the application's, an imported one, none
INSERT INTO pool SELECT 'uuid', ord, expr FROM unnest(ARRAY[
  $$'00000000-0000-0000-0000-0000000000aa'$$, 'NULL', $$'00000000-0000-0000-0000-000000000000'$$,
  $$'00000000-0000-0000-0000-0000000000bb'$$, $$'6f1c2a5e-0000-4000-8000-000000000001'$$,
  $$'ffffffff-ffff-ffff-ffff-ffffffffffff'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'int4', ord, expr FROM unnest(ARRAY[
  '10', 'NULL', '-2147483648', '-1', '0', '1', '2147483647'
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'int8', ord, expr FROM unnest(ARRAY[
  'NULL', '-9223372036854775808', '-1', '0', '1', '9223372036854775807'
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'float8', ord, expr FROM unnest(ARRAY[
  '0.5', 'NULL', $$'NaN'$$, $$'Infinity'$$, $$'-Infinity'$$, '-1.7976931348623157e308', '-1', '-0.0',
  '0', '1', '5e-324', '1e308', '2'
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'float4', ord, expr FROM unnest(ARRAY[
  '0.3', 'NULL', $$'NaN'$$, $$'Infinity'$$, '-1', '0', '1', '2'
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'date', ord, expr FROM unnest(ARRAY[
  $$'2025-10-05'$$, 'NULL', $$'-infinity'$$, $$'infinity'$$, $$'4714-11-24 BC'$$, $$'5874897-12-31'$$,
  $$'2000-01-01'$$, $$'1999-12-31'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'bool', ord, expr FROM unnest(ARRAY['false', 'NULL', 'true'])
  WITH ORDINALITY AS t(expr, ord);

-- tag arrays
INSERT INTO pool SELECT 'text[]', ord, expr FROM unnest(ARRAY[
  $$'{calm,work,calm}'$$, 'NULL', $$'{}'$$, $$'{NULL}'$$, $$'{"","é","😀"}'$$,
  $$ARRAY[repeat('x', 100000)]$$, $$array_fill('t'::text, ARRAY[100000])$$,
  $$'{{a,b},{c,d}}'$$, $$'[0:1]={a,b}'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'bucket', ord, expr FROM unnest(ARRAY[
  $$'week'$$, 'NULL', $$'day'$$, $$'month'$$, $$'quarter'$$, $$'year'$$, $$'hour'$$, $$'WEEK'$$,
  $$''$$, $$'week '$$, $$'millennium'$$, $$repeat('w', 10000)$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'schedule', ord, expr FROM unnest(ARRAY[
  $$'*/5 * * * *'$$, 'NULL', $$''$$, $$'* * * * * * *'$$, $$'61 * * * *'$$, $$'5 seconds'$$,
  $$'-1 seconds'$$, $$repeat('*', 10000)$$
]) WITH ORDINALITY AS t(expr, ord);

-- files for import_file (server-side reads; superuser only)
INSERT INTO pool SELECT 'file_path', ord, expr FROM unnest(ARRAY[
  quote_literal(:'fixtures' || '/canonical/entries.json'), 'NULL', $$''$$, $$'/'$$, $$'/nonexistent.json'$$,
  $$'/etc/passwd'$$, $$'/etc/shadow'$$, $$'/dev/null'$$, $$'/dev/zero'$$, $$'/dev/urandom'$$,
  $$'/proc/self/status'$$, $$'.'$$, $$'relative.json'$$, quote_literal(:'fixtures'),
  quote_literal(:'fixtures' || '/broken/not-json.json'), quote_literal(:'fixtures' || '/broken/bom.json'),
  quote_literal(:'fixtures' || '/broken/empty.json'), quote_literal(:'dir' || '/loop/loop/loop/a.json'),
  $$repeat('/a', 5000)$$
]) WITH ORDINALITY AS t(expr, ord);

-- directories for import_directory (never /dev, /proc or /sys: opening some devices has effects)
INSERT INTO pool SELECT 'dir_path', ord, expr FROM unnest(ARRAY[
  quote_literal(:'fixtures' || '/exports'), 'NULL', $$''$$, $$'/nonexistent'$$, $$'/etc/passwd'$$,
  quote_literal(:'dir'), quote_literal(:'dir' || '/loop'), $$'relative'$$, $$repeat('/a', 5000)$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'regrole', ord, expr FROM unnest(ARRAY[
  quote_literal(:'app'), 'NULL', $$'-'$$, $$'pg_read_server_files'$$
]) WITH ORDINALITY AS t(expr, ord);

-- moodstats states: real ones (empty, one row, far days, extreme moods) and text forms
INSERT INTO pool SELECT 'moodstats', ord, expr FROM unnest(ARRAY[
  $$(SELECT journaling.mood_agg(m, d) FROM (VALUES (0.5, date '2024-01-01'), (-1, date '2024-03-01'), (0.25, NULL)) v(m, d))$$,
  'NULL', $$(SELECT journaling.mood_agg(1, NULL) WHERE false)$$, $$(SELECT journaling.mood_agg(1, '2000-01-01'))$$,
  $$(SELECT journaling.mood_agg(m, d) FROM (VALUES (1e300, date '4714-11-24 BC'), (-1e300, date '5874897-12-31')) v(m, d))$$,
  $$(SELECT journaling.mood_agg(m, NULL) FROM (VALUES (1e-300), (5e-324)) v(m))$$,
  $$'(v=1,n=2,np=0,sy=1/0,syy=1/0,min=0,max=1,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$
]) WITH ORDINALITY AS t(expr, ord);

INSERT INTO pool SELECT 'cstring', ord, expr FROM unnest(ARRAY[
  $$'(v=1,n=2,np=0,sy=1/0,syy=1/0,min=0,max=1,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$, 'NULL', $$''$$,
  $$'('$$, $$'()'$$, $$'(v=2,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=-1,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=1,np=2,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=1,np=1,sy=NaN/0,syy=Infinity/0,min=NaN,max=-Infinity,first=5,last=4,sx=9,sxx=81,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=9223372036854775807,np=9223372036854775807,sy=1e308/1e308,syy=1e308/0,min=-1e308,max=1e308,first=-2147483648,last=2147483647,sx=-9223372036854775808,sxx=170141183460469231731687303715884105727,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=1,np=1,sy=0.5/0,syy=0.25/0,min=0.5,max=0.5,first=1,last=1,sx=1,sxx=1,syp=0.5/0,sxy=0.5/0,extra=1)'$$,
  $$'(v=1,n=1,n=1,np=0,sy=0.5/0,syy=0.25/0,min=0.5,max=0.5,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=1,np=0,sy=0.5/0,syy=0.25/0,min=0.5,max=0.5,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0'$$,
  $$'(v=1, n=1 ,np=0,sy=0.5/0,syy=0.25/0,min=0.5,max=0.5,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$'(v=1,n=99999999999999999999,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'$$,
  $$repeat('(', 100000)$$
]) WITH ORDINALITY AS t(expr, ord);

-- Which pool each parameter draws from.
CREATE TEMP TABLE params AS
SELECT p.oid AS fn, p.proname, p.prokind, p.proretset, a.n,
       format_type(a.typ, NULL) AS typ,
       CASE
         WHEN a.name = 'document' AND p.proname = 'snippet' THEN 'doc_text'
         WHEN a.name = 'document' THEN 'doc_json'
         WHEN a.name = 'format' THEN 'format'
         WHEN a.name = 'options' AND a.typ = 'jsonb'::regtype AND p.proname LIKE 'search%' THEN 'search_options'
         WHEN a.name = 'options' AND a.typ = 'jsonb'::regtype THEN 'import_options'
         WHEN a.name = 'options' THEN 'snippet_options'
         WHEN a.name = 'path' AND p.proname = 'import_directory' THEN 'dir_path'
         WHEN a.name = 'path' THEN 'file_path'
         WHEN a.name IN ('query', 'name') AND a.typ = 'text'::regtype THEN 'query_text'
         WHEN a.name IN ('bucket', 'schedule') THEN a.name
         WHEN a.typ = 'journaling.moodstats'::regtype THEN 'moodstats'
         WHEN a.typ = 'cstring'::regtype THEN 'cstring'
         ELSE CASE format_type(a.typ, NULL)
                WHEN 'double precision' THEN 'float8' WHEN 'real' THEN 'float4'
                WHEN 'integer' THEN 'int4' WHEN 'bigint' THEN 'int8' WHEN 'boolean' THEN 'bool'
                ELSE format_type(a.typ, NULL) END
       END AS kind
  FROM pg_proc p
  CROSS JOIN LATERAL unnest(p.proargtypes::oid[], (p.proargnames)[1:p.pronargs]) WITH ORDINALITY AS a(typ, name, n)
 WHERE p.pronamespace = 'journaling'::regnamespace;

-- Callable functions: no trigger, no internal argument or result.
CREATE TEMP TABLE fns AS
SELECT p.oid AS fn, p.proname, p.prokind, p.proretset, p.pronargs
  FROM pg_proc p
 WHERE p.pronamespace = 'journaling'::regnamespace
   AND p.prorettype NOT IN ('trigger'::regtype, 'internal'::regtype)
   AND NOT EXISTS (SELECT FROM params x WHERE x.fn = p.oid AND x.typ = 'internal');

DO $$
BEGIN
  IF EXISTS (SELECT FROM params x JOIN fns USING (fn) WHERE NOT EXISTS (SELECT FROM pool WHERE pool.kind = x.kind)) THEN
    RAISE EXCEPTION 'no pool for %', (SELECT string_agg(DISTINCT x.proname || '.' || x.kind, ', ')
      FROM params x JOIN fns USING (fn) WHERE NOT EXISTS (SELECT FROM pool WHERE pool.kind = x.kind));
  END IF;
END $$;

-- Argument lists: every combination, or one-at-a-time + all NULL + a sample.
CREATE TEMP TABLE combos (fn oid, args text[]);
CREATE TEMP TABLE pools AS
SELECT x.fn, x.n, x.typ, array_agg(format('(%s)::%s', pool.expr, x.typ) ORDER BY pool.ord) AS vals
  FROM params x JOIN fns USING (fn) JOIN pool ON pool.kind = x.kind
 GROUP BY x.fn, x.n, x.typ;

INSERT INTO combos SELECT fn, '{}' FROM fns WHERE pronargs = 0;

WITH RECURSIVE size AS (
  SELECT fn, exp(sum(ln(cardinality(vals)))) AS n FROM pools GROUP BY fn
), cross_product AS (
  SELECT p.fn, 1 AS n, ARRAY[v] AS args
    FROM pools p JOIN size USING (fn), unnest(p.vals) v WHERE p.n = 1 AND size.n <= 1000
  UNION ALL
  SELECT c.fn, c.n + 1, c.args || v
    FROM cross_product c JOIN pools p ON p.fn = c.fn AND p.n = c.n + 1, unnest(p.vals) v
)
INSERT INTO combos
SELECT c.fn, c.args FROM cross_product c JOIN fns USING (fn) WHERE c.n = fns.pronargs;

WITH big AS (
  SELECT fn FROM pools GROUP BY fn HAVING exp(sum(ln(cardinality(vals)))) > 1000
), sane AS (
  SELECT fn, array_agg(vals[1] ORDER BY n) AS args, array_agg(format('(NULL)::%s', typ) ORDER BY n) AS nulls
    FROM pools JOIN big USING (fn) GROUP BY fn
)
INSERT INTO combos
SELECT s.fn, s.args[:p.n - 1] || v || s.args[p.n + 1:]
  FROM sane s JOIN pools p USING (fn), unnest(p.vals) v
UNION ALL
SELECT fn, nulls FROM sane
UNION ALL
SELECT s.fn, (SELECT array_agg(p.vals[1 + floor(random() * cardinality(p.vals))::int] ORDER BY p.n)
                FROM pools p WHERE p.fn = s.fn AND g > 0)
  FROM sane s, generate_series(1, 800) g;

-- The statements.
SELECT CASE WHEN has_function_privilege(:'app', f.fn, 'EXECUTE')
             AND f.proname NOT IN ('import_file', 'import_directory') THEN 'app|' ELSE 'su|' END ||
       'BEGIN; ' ||
       CASE
         WHEN f.prokind = 'a' THEN
           format('SELECT md5(string_agg(r::text, %L)) FROM (SELECT journaling.%I(%s) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS r, journaling.%I(%s) OVER () AS t FROM (VALUES (1, %s), (2, %s), (3, %s)) v(i, %s)) w',
                  ',', f.proname, cols, f.proname, cols, vals, sane, vals, cols)
         WHEN f.proretset THEN
           format('SELECT md5(string_agg(r::text, %L)) FROM journaling.%I(%s) r', ',', f.proname, array_to_string(c.args, ', '))
         ELSE
           format('SELECT md5(journaling.%I(%s)::text)', f.proname, array_to_string(c.args, ', '))
       END || '; ROLLBACK;'
  FROM combos c JOIN fns f USING (fn)
  CROSS JOIN LATERAL (
    SELECT string_agg('c' || i, ', ' ORDER BY i) AS cols, array_to_string(c.args, ', ') AS vals,
           (SELECT string_agg(p.vals[1], ', ' ORDER BY p.n) FROM pools p WHERE p.fn = c.fn) AS sane
      FROM generate_series(1, f.pronargs) i
  ) agg
 ORDER BY f.proname, c.args;

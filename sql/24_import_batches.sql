-- Legacy import: how rows reach the tables.  A batch is first inserted
-- with a plain INSERT, after a duplicate with ON CONFLICT, and row by row
-- only when that fails; import_errors rows are queued and written in
-- batches.  Every path must land every good record of a batch and record
-- exactly the bad ones.
SET timezone = 'UTC';
\set VERBOSITY terse
\set owner '{"user_id": "5dad10db-0000-4000-8000-0000000b0024"}'
\set strict '{"user_id": "5dad10db-0000-4000-8000-0000000b0024", "mode": "strict"}'

-- The id of record i.
CREATE FUNCTION pg_temp.id(i int) RETURNS uuid LANGUAGE sql AS $$
SELECT format('00000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid
$$;
-- A canonical entries document of records lo..hi: record i has id i; its
-- entry_date is impossible (the server rejects it) when i is in bad_date,
-- its mood out of range (the mapper rejects it) when i is in bad_mood, and
-- it has no id when i is in no_id.
CREATE FUNCTION pg_temp.doc(lo int, hi int, bad_date int[] DEFAULT '{}', bad_mood int[] DEFAULT '{}',
                            no_id int[] DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
SELECT json_agg(json_strip_nulls(json_build_object(
         'id', CASE WHEN i <> ALL (no_id) THEN pg_temp.id(i) END,
         'title', 'entry ' || i,
         'content', 'batch "path" \ entry ' || i || E'\n\tcafé 😀',
         'entry_date', CASE WHEN i = ANY (bad_date) THEN '2025-02-30' ELSE '2025-01-01' END,
         'mood_score', CASE WHEN i = ANY (bad_mood) THEN 3.5 ELSE 0.25 END,
         'tags', json_build_array('a "q"', 'b\c'),
         'metadata', json_build_object('n', i, 's', 'x\y "z"')))
       ORDER BY i)::text
  FROM generate_series(lo, hi) i
$$;
-- The entries of this test that landed, by number.
CREATE VIEW pg_temp.landed AS
SELECT array_agg(right(id::text, 4)::int ORDER BY id) AS ids
  FROM journaling.journal_entries
 WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024';
-- Errors of the last run.
CREATE VIEW pg_temp.last_errors AS
SELECT ordinal, kind, right(source_id, 4) AS source_id, sqlstate, message
  FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs)
 ORDER BY ordinal, kind;

-- A new batch with a row the server rejects: the plain INSERT fails, the
-- rows are isolated; the four good ones land, the bad one is recorded.
SELECT * FROM journaling.import_json(pg_temp.doc(1, 5, bad_date => '{3}'), 'entries', :'owner');
SELECT * FROM pg_temp.last_errors;
SELECT * FROM pg_temp.landed;

-- Duplicates and bad rows in one batch: skipped, imported and failed exact.
SELECT * FROM journaling.import_json(pg_temp.doc(1, 8, bad_date => '{3,7}'), 'entries', :'owner');
SELECT * FROM pg_temp.last_errors;
SELECT * FROM pg_temp.landed;

-- Duplicates only: the plain INSERT collides, ON CONFLICT lands the rest.
SELECT * FROM journaling.import_json(pg_temp.doc(1, 10), 'entries', :'owner');
SELECT * FROM pg_temp.last_errors;
SELECT * FROM pg_temp.landed;

-- Text, arrays and jsonb arrive byte-exact through every path.
SELECT count(*) AS exact
  FROM journaling.journal_entries e
 WHERE e.user_id = '5dad10db-0000-4000-8000-0000000b0024'
   AND e.content = 'batch "path" \ entry ' || right(e.id::text, 4)::int || E'\n\tcafé 😀'
   AND e.title = 'entry ' || right(e.id::text, 4)::int
   AND e.tags = ARRAY['a "q"', 'b\c']
   AND e.metadata = jsonb_build_object('n', right(e.id::text, 4)::int, 's', 'x\y "z"')
   AND e.mood_score = 0.25 AND e.entry_date = '2025-01-01';

-- strict: a row the server rejects raises naming it, and nothing lands.
SELECT * FROM journaling.import_json(pg_temp.doc(11, 14, bad_date => '{13}'), 'entries', :'strict');
SELECT * FROM pg_temp.landed;

-- Several batches: 9000 records (batches of 4000, 4000 and 1000), every
-- third rejected by the server's CHECK on the mood and two for their dates
-- (in the first and third batches).
DELETE FROM journaling.journal_entries WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024';
SELECT * FROM journaling.import_json(
  pg_temp.doc(1, 9000, bad_date => '{500,8999}',
              bad_mood => ARRAY(SELECT i FROM generate_series(3, 9000, 3) i)), 'entries', :'owner');
SELECT sqlstate, count(*), min(ordinal), max(ordinal), count(DISTINCT ordinal) AS distinct_ordinals
  FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs)
 GROUP BY sqlstate ORDER BY sqlstate;
SELECT count(*) AS landed,
       count(*) FILTER (WHERE right(id::text, 4)::int % 3 = 0 OR right(id::text, 4)::int IN (500, 8999)) AS wrongly
  FROM journaling.journal_entries WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024';
DELETE FROM journaling.journal_entries WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024';

-- A batch with rows the server rejects (in both halves, alone, two side by
-- side): it keeps the memory of one committed subtransaction, not of one
-- per row (its rows are tried
-- alone in subtransactions rolled back, then the good ones go in together;
-- PostgreSQL keeps 8 kB of each committed subtransaction that allocated, as
-- an INSERT into journal_entries does for its statement triggers, until the
-- transaction ends).
BEGIN;
SELECT * FROM journaling.import_json(pg_temp.doc(6001, 9000, bad_date => '{6100,6900,7500,8002,8003}'), 'entries', :'owner');
SELECT count(*) AS kept_subtransactions FROM pg_backend_memory_contexts WHERE name = 'CurTransactionContext';
SELECT * FROM pg_temp.last_errors;
SELECT count(*) AS landed FROM journaling.journal_entries
 WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024' AND right(id::text, 4)::int BETWEEN 6001 AND 9000;
ROLLBACK;

-- Good rows that go in alone but not together (here through a unique index
-- of the test): they are inserted one at a time, as before.
BEGIN;
CREATE UNIQUE INDEX one_per_day ON journaling.journal_entries (user_id, entry_date) WHERE title LIKE 'entry 900_';
SELECT * FROM journaling.import_json(pg_temp.doc(9001, 9005, bad_date => '{9003}'), 'entries', :'owner');
-- (the index's name differs on partitioned tables)
SELECT ordinal, source_id, sqlstate FROM pg_temp.last_errors;
SELECT array_agg(right(id::text, 4) ORDER BY id) AS landed FROM journaling.journal_entries WHERE title LIKE 'entry 900_';
ROLLBACK;

-- More errors than one batch of them, some without a source id.
SELECT * FROM journaling.import_json(
  pg_temp.doc(3001, 5600, bad_mood => ARRAY(SELECT i FROM generate_series(3001, 5600) i),
              no_id => '{3500,4000,5600}'), 'entries', :'owner');
SELECT count(*), count(DISTINCT ordinal) AS distinct_ordinals, min(ordinal), max(ordinal),
       count(*) FILTER (WHERE source_id IS NULL) AS without_source_id,
       count(*) FILTER (WHERE message = 'mood_score 3.5 is outside [-1, 1]') AS mood
  FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs);
SELECT ordinal, source_id FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs) AND ordinal IN (1, 500, 1000, 1001, 2600)
 ORDER BY ordinal;

-- Arrays of strings without escapes reach text[] as written (only the
-- brackets change): what the array literal syntax treats specially stays
-- data.  Timestamps at the ends of the four-digit years and beyond (in UTC)
-- arrive exact.
SELECT * FROM journaling.import_json(
  '[{"id": "00000000-0000-4000-8000-000000009001", "content": "plain tags",
     "tags": ["a,b", "{x}", "NULL", "", "sp ace", "é"], "categories": [],
     "created_at": "0001-01-01T00:00:00Z", "updated_at": "9999-12-31T23:00:00.000001-05:00"}]',
  'entries', :'owner');
SELECT tags = ARRAY['a,b', '{x}', 'NULL', '', 'sp ace', 'é'] AS tags_exact, categories = '{}' AS categories_empty,
       created_at = '0001-01-01 00:00:00+00' AS created_exact,
       updated_at = '10000-01-01 04:00:00.000001+00' AS updated_exact
  FROM journaling.journal_entries WHERE id = '00000000-0000-4000-8000-000000009001';

DELETE FROM journaling.journal_entries WHERE user_id = '5dad10db-0000-4000-8000-0000000b0024';

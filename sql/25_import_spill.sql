-- Legacy import: the per-file set of record ids in bounded memory.  With
-- work_mem at its minimum (64kB: about 800 ids) the set writes sorted runs
-- to temporary files and merges them; a duplicate id must still be
-- reported exactly as when the set stays in memory (default work_mem),
-- with the ordinal of its first occurrence, wherever that one is kept: in
-- the table in memory, in a run written out, or in a merged run.
SET timezone = 'UTC';
\set VERBOSITY terse
\set owner '{"user_id": "5dad10db-0000-4000-8000-0000000b0025"}'
\set strict '{"user_id": "5dad10db-0000-4000-8000-0000000b0025", "mode": "strict"}'

-- The id of record i: random-looking, so that runs interleave.
CREATE FUNCTION pg_temp.id(i int) RETURNS uuid LANGUAGE sql AS $$
SELECT md5('spill ' || i)::uuid
$$;
-- Record i of the "dups" document has the id of record src(i) (its own, or
-- an earlier one's): for i up to 5000, i - 3 every 37th record (still in
-- memory), i / 2 every 101st (written out), a record among the first 50
-- every 997th (merged); records 5001 to 10000 repeat the ids of records 1
-- to 5000, so that every id kept is looked up again.
CREATE FUNCTION pg_temp.src(i int) RETURNS int LANGUAGE sql AS $$
SELECT CASE WHEN j % 997 = 0 THEN j % 50 + 1 WHEN j % 101 = 0 THEN j / 2
            WHEN j % 37 = 0 THEN j - 3 ELSE j END
  FROM (SELECT CASE WHEN i > 5000 THEN i - 5000 ELSE i END AS j) r
$$;
-- Entries documents, made with the default work_mem: "dups" (10000
-- records with the ids src(i)), "unique" (3600 records with their own
-- ids) and "last" (the same and a 3601st with the id of record 2).
CREATE TEMP TABLE docs AS
SELECT 'dups' AS name, json_agg(json_build_object('id', pg_temp.id(pg_temp.src(i)), 'content', 'x') ORDER BY i)::text AS doc
  FROM generate_series(1, 10000) i
UNION ALL
SELECT 'unique', json_agg(json_build_object('id', pg_temp.id(i), 'content', 'x') ORDER BY i)::text
  FROM generate_series(1, 3600) i
UNION ALL
SELECT 'last', json_agg(json_build_object('id', pg_temp.id(CASE WHEN i = 3601 THEN 2 ELSE i END), 'content', 'x') ORDER BY i)::text
  FROM generate_series(1, 3601) i;
CREATE FUNCTION pg_temp.doc(which text) RETURNS text LANGUAGE sql AS $$
SELECT doc FROM docs WHERE name = which
$$;
-- The records of "dups", each with the record that first has its id.
CREATE TEMP TABLE recs AS
SELECT i, src, min(i) OVER (PARTITION BY src) AS first
  FROM (SELECT i, pg_temp.src(i) AS src FROM generate_series(1, 10000) i) r;
-- Errors of a run.
CREATE FUNCTION pg_temp.errors(run bigint) RETURNS TABLE (ordinal bigint, kind text, source_id text, sqlstate text, message text)
LANGUAGE sql AS $$
SELECT ordinal, kind, source_id, sqlstate, message FROM journaling.import_errors WHERE run_id = run
$$;
-- Errors of a statement.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- "dups" at work_mem 64kB: the debug line shows the runs written
-- and merged.
SET work_mem = '64kB';
SET client_min_messages = debug1;
SELECT * FROM journaling.import_json(pg_temp.doc('dups'), 'entries', :'owner');
RESET client_min_messages;
SELECT max(id) AS spilled FROM journaling.import_runs \gset
-- The same document with the default work_mem: the set stays in memory.
RESET work_mem;
SELECT * FROM journaling.import_json(pg_temp.doc('dups'), 'entries', :'owner');
SELECT max(id) AS in_memory FROM journaling.import_runs \gset
-- The oracle: both runs report the same errors, record by record.
SELECT count(*) AS errors, count(DISTINCT ordinal) AS records FROM pg_temp.errors(:spilled);
SELECT 'spilled only' AS side, * FROM (SELECT * FROM pg_temp.errors(:spilled) EXCEPT ALL SELECT * FROM pg_temp.errors(:in_memory)) d
UNION ALL
SELECT 'in memory only', * FROM (SELECT * FROM pg_temp.errors(:in_memory) EXCEPT ALL SELECT * FROM pg_temp.errors(:spilled)) d
ORDER BY 1, 2;
-- ... exactly the records whose id an earlier record had, each naming the
-- first of those, for the three places the first occurrence can be kept.
CREATE TEMP TABLE expected AS
SELECT i::bigint AS ordinal,
       format('duplicate id %s: record %s of this file has the same id', pg_temp.id(src), first) AS message
  FROM recs WHERE first < i;
SELECT 'reported only' AS side, * FROM (SELECT ordinal, message FROM pg_temp.errors(:spilled) EXCEPT ALL SELECT * FROM expected) d
UNION ALL
SELECT 'expected only', * FROM (SELECT * FROM expected EXCEPT ALL SELECT ordinal, message FROM pg_temp.errors(:spilled)) d
ORDER BY 1, 2;
SELECT ordinal > 5000 AS again, ordinal % 997 = 0 AS merged, ordinal % 101 = 0 AS written, count(*)
  FROM pg_temp.errors(:spilled) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT ordinal, message FROM pg_temp.errors(:spilled) WHERE ordinal % 997 = 0 ORDER BY ordinal LIMIT 3;

-- strict: the first duplicate raises, naming the first occurrence, here
-- record 2, long written out and merged.
SET work_mem = '64kB';
SELECT pg_temp.try(format('SELECT * FROM journaling.import_json(%L, %L, %L)',
                          pg_temp.doc('last'), 'entries', :'strict'));
-- The temporary files count against temp_file_limit.
SET temp_file_limit = '16kB';
SELECT pg_temp.try(format('SELECT * FROM journaling.import_json(%L, %L, %L)',
                          pg_temp.doc('unique'), 'entries', :'owner'));
RESET temp_file_limit;
RESET work_mem;

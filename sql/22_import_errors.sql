-- Legacy import: broken files (legacy-samples README §3.5), strict vs
-- best_effort, the reader's tolerance, options.
\set fixtures `pwd`/test/fixtures/legacy-samples
SET extra_float_digits = 0;
SET timezone = 'UTC';
\set VERBOSITY terse

-- Errors of a statement, with the fixture directory masked.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '/\S*/legacy-samples/', '…/', 'g');
END $$;

-- Errors of the last run.
CREATE VIEW pg_temp.last_errors AS
SELECT regexp_replace(file, '^.*/', '') AS file, ordinal, byte_offset, kind, source_id, sqlstate, message
  FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs)
 ORDER BY ordinal, kind;

SELECT * FROM journaling.import_file(:'fixtures' || '/broken/empty.json', 'journaling_ai.entries');
SELECT * FROM pg_temp.last_errors;
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/truncated.json', 'journaling_ai.entries');
SELECT * FROM pg_temp.last_errors;
SELECT id, title FROM journaling.journal_entries WHERE id IN
  ('6942896b-e808-4b39-aed4-bee7bdd4153b', '17f77da0-c8e0-4d51-b798-5d57f97880d2', '32cc2360-647e-4b92-a08f-6f337cf9e2c1',
   '4dd96921-4919-47b4-b0d8-97771c40dafd') ORDER BY title;
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/bom.json', 'journaling_ai.entries');
SELECT id, mood_score, mood_label FROM journaling.journal_entries
 WHERE id IN ('b8cee754-160c-4aa0-83d5-c9e7a2a30d43', 'a92359d3-fa9a-4af0-8a3c-e876bc1139a0', 'fd2538b9-1c2b-4e21-abf1-be1c92afbf4b')
 ORDER BY mood_score;
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/not-json.json', 'journaling_ai.entries');
SELECT * FROM pg_temp.last_errors;
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/bad-records.json', 'entries');
SELECT * FROM pg_temp.last_errors;
SELECT title FROM journaling.journal_entries
 WHERE id IN ('c0c66889-e6ea-4249-910e-627089cf6ae6', '122790c3-a028-464a-92fe-bc679a6d443c',
              '3c489a04-a245-4a72-8b29-a73588d92709', 'bd1f7a4c-28af-4505-ab38-191ec4cd3eeb',
              'e4c11e04-b2e5-4348-bb26-e15dcf7bd395', '08c229a9-f917-44aa-9711-2e9d492af11e',
              'c7b5afeb-9e9e-496c-865b-7dc886590ba6', 'cbc1893c-c74f-4dc4-a25b-767ea55a597a')
 ORDER BY title;
-- Re-run: same failures, the rest skipped.
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/bad-records.json', 'entries');
SELECT * FROM journaling.import_report();

-- strict: the first bad record raises, naming it; nothing lands.
DELETE FROM journaling.journal_entries WHERE source = 'canonical';
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/broken/bad-records.json', 'entries', '{"mode": "strict"}')$q$);
SELECT count(*) AS landed FROM journaling.journal_entries WHERE source = 'canonical';
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/broken/truncated.json', 'journaling_ai.entries', '{"mode": "strict"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/broken/empty.json', 'journaling_ai.entries', '{"mode": "strict"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/broken/not-json.json', 'journaling_ai.entries', '{"mode": "strict"}')$q$);
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/bom.json', 'journaling_ai.entries', '{"mode": "strict"}');
-- auto cannot detect an empty file: one failed record (strict: an error).
SELECT * FROM journaling.import_file(:'fixtures' || '/broken/empty.json');
SELECT * FROM pg_temp.last_errors;
SELECT pg_temp.try($q$SELECT * FROM journaling.import_file('$q$ || :'fixtures' || $q$/broken/empty.json', 'auto', '{"mode": "strict"}')$q$);

-- The reader's tolerance, through read_records (writes nothing).
SELECT ordinal, byte_offset, kind, source_id, record ->> 'content' AS content, error
  FROM journaling.read_records(E'\xEF\xBB\xBF' || '[{"content": "bom \ud83d\ude0a a\/b"}]', 'entries');
SELECT ordinal, record -> 'mood_score' AS mood, record -> 'metadata' -> 'source' -> 'extra' -> 0 AS inf,
       record -> 'metadata' -> 'source' -> 'extra' -> 1 AS minus_inf,
       (record -> 'metadata' -> 'source' -> 'extra' -> 2)::float8 AS sentinel,
       jsonb_typeof(record -> 'metadata' -> 'source' -> 'extra' -> 2) AS sentinel_type, error
  FROM journaling.read_records('[{"content": "x", "mood_score": NaN, "extra": [Infinity, -Infinity, 1.7976931348623157E308]}]', 'entries');
SELECT ordinal, record ->> 'content' AS content, record -> 'metadata' AS metadata, error
  FROM journaling.read_records('[{"content": "crlf\r\nkept  ", "metadata": []}]', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('[]', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('{}', 'journaling_ai.entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('[{"content": "a"}, {"content": "b"', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('[{"content": "a"}] trailing', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('[{"content": "\ud83d"}]', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records('[{"content": "a\u0000b"}]', 'entries');
SELECT ordinal, byte_offset, error FROM journaling.read_records(' ', 'entries');
-- Record-level checks: duplicates, types, moods, timestamps.
SELECT ordinal, byte_offset, kind, source_id, error FROM journaling.read_records($j$[
 {"id": "11111111-1111-4111-8111-111111111111", "content": "first"},
 {"id": "11111111-1111-4111-8111-111111111111", "content": "again"},
 {"content": "mood word", "mood_score": "happy"},
 {"content": "mood low", "mood_score": -1.01},
 {"content": "bad ts", "created_at": "2025-02-30 10:00:00"},
 {"content": "tags", "tags": "a,b"},
 {"content": ["not", "text"]},
 "not an object",
 {"content": "naive ts", "created_at": "2025-08-03 19:42:10.381204"}
]$j$, 'entries', '{"timezone": "Europe/Berlin"}') ORDER BY ordinal;
SELECT record ->> 'created_at' AS created_at, record ->> 'entry_date' AS entry_date
  FROM journaling.read_records('[{"content": "x", "created_at": "2025-08-03 23:30:00"}]', 'entries',
                               '{"entries_timezone": "America/New_York"}');
-- Auto detection by shape.
SELECT kind, count(*) FROM journaling.read_records('{"0b6f3c2e-5d1a-4c7e-9a55-1f2e3d4c5b6a": {"title": "t", "content": "c", "entry_type": "journal"}}') GROUP BY 1;
SELECT kind, count(*) FROM journaling.read_records('{"id": "5f0c9a7e-2b1d-4e3f-8a6b-0c1d2e3f4a5b", "created_at": "2025-11-30T08:15:42", "title": "t", "messages": [{"role": "user", "content": "q"}]}') GROUP BY 1 ORDER BY 1;
SELECT kind, count(*) FROM journaling.read_records('{"tags": {"@a": 1}, "entries": [{"title": "t.", "body": " b @a", "date": "2024-03-04", "time": "09:40", "starred": false}]}') GROUP BY 1;

-- Options are checked.
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '{"mode": "lenient"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '{"on_conflict": "replace"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '{"timezone": "Mars/Olympus"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '{"user_id": "nobody"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '{"colour": "red"}')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'csv')$q$);
SELECT pg_temp.try($q$SELECT * FROM journaling.import_json('[]', 'entries', '[]')$q$);

-- user_id option: the owner (created if missing).
SELECT * FROM journaling.import_json('[{"id": "22222222-2222-4222-8222-222222222222", "content": "mine"}]', 'entries',
                                     '{"user_id": "00000000-0000-4000-8000-0000000000aa"}');
SELECT user_id, content FROM journaling.journal_entries WHERE id = '22222222-2222-4222-8222-222222222222';

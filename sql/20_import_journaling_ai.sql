-- Legacy import: Journaling AI (object keyed by id and the dual-write array),
-- canonical entries and sessions.  Counts and values from
-- test/fixtures/legacy-samples/README.md §3.1 and §3.6.
\set fixtures `pwd`/test/fixtures/legacy-samples
SET extra_float_digits = 0;
SET timezone = 'UTC';

-- Topics first (as import_directory does), then entries read in Berlin time.
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/topics.json');
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/entries.json',
                                     'auto', '{"entries_timezone": "Europe/Berlin"}');
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/sessions.json');
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/messages.json');

-- Owned by the default user, created once.
SELECT id, username, source, source_id FROM journaling.users ORDER BY id;

SELECT id, name, color, tags, metadata -> 'source' ->> 'entry_count' AS entry_count
  FROM journaling.topics ORDER BY name;

-- Ids are the source uuids; moods mapped with the word kept; #7's dangling topic
-- is NULL in the column and kept under metadata.source.
SELECT e.id, e.title, e.entry_date, e.created_at, e.mood_score, e.mood_label, t.name AS topic,
       e.metadata -> 'source' ->> 'topic_id' AS source_topic, e.is_favorite, e.word_count
  FROM journaling.journal_entries e LEFT JOIN journaling.topics t ON t.user_id = e.user_id AND t.id = e.topic_id
 WHERE e.source = 'journaling_ai'
 ORDER BY e.created_at;

-- Nothing lost: unmapped fields kept verbatim; old records have no template_id.
SELECT title, metadata -> 'source' AS source
  FROM journaling.journal_entries
 WHERE id IN ('c8ee3946-fa54-4481-87b5-b3f5abdb0e5c', '78f21594-0e11-45d0-9ada-c4c8e628a6da')
 ORDER BY title;

-- Text exactly as decoded: \u escapes and surrogate pairs.
SELECT title, content ~ 'Müller' AS umlaut, content ~ '😊' AS emoji, content = btrim(content) AS untrimmed
  FROM journaling.journal_entries
 WHERE id IN ('6880bd9f-c552-4506-9538-9936305ebb0b', '78f21594-0e11-45d0-9ada-c4c8e628a6da')
 ORDER BY title;

SELECT id, session_type, status, message_count, created_at, last_message_at,
       metadata -> 'source' ->> 'description' IS NOT NULL AS description_kept,
       metadata -> 'source' -> 'metadata' AS client_metadata
  FROM journaling.chat_sessions WHERE source = 'journaling_ai' ORDER BY created_at;

-- Messages: one row each, seq in order per session; greetings and the orphan turn included.
SELECT s.session_type, string_agg(m.role, ', ' ORDER BY m.seq) AS roles, count(*) AS n,
       min(m.seq) AS first_seq, max(m.seq) AS last_seq
  FROM journaling.messages m JOIN journaling.chat_sessions s ON s.user_id = m.user_id AND s.id = m.session_id
 WHERE s.source = 'journaling_ai'
 GROUP BY s.session_type ORDER BY 1;
SELECT seq, role, created_at, metadata -> 'source' ->> 'id' AS source_id, metadata -> 'source' -> 'metadata' AS client_metadata
  FROM journaling.messages WHERE session_id = '1294affc-1306-4d50-86c2-3040d6879451' ORDER BY seq;

-- Dual-write payloads: no id, no timestamp; ids are UUIDv5 of the content.
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data-dualwrite/entries.json');
SELECT title, mood_score, tags, metadata -> 'source' ->> 'entry_type' AS entry_type,
       (id::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-5') AS uuid_v5
  FROM journaling.journal_entries WHERE source = 'journaling_ai' AND source_id IS NULL ORDER BY title;

-- Canonical entries and sessions: stored as given.
SELECT * FROM journaling.import_file(:'fixtures' || '/canonical/entries.json');
SELECT * FROM journaling.import_file(:'fixtures' || '/canonical/sessions.json');
SELECT id, title, entry_date, mood_score, mood_label, is_private, is_favorite, categories, metadata, word_count
  FROM journaling.journal_entries WHERE source = 'canonical' ORDER BY entry_date;
SELECT id, title, session_type, status, context, temperature, system_prompt IS NULL AS no_prompt, created_at
  FROM journaling.chat_sessions WHERE source = 'canonical' ORDER BY created_at;

-- Idempotent: a second run skips everything; on_conflict = update rewrites.
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/entries.json',
                                     'journaling_ai.entries', '{"entries_timezone": "Europe/Berlin"}');
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data/messages.json');
SELECT * FROM journaling.import_file(:'fixtures' || '/journaling_ai/data-dualwrite/entries.json');
UPDATE journaling.journal_entries SET title = 'changed' WHERE id = '58eb140e-2f5e-48dd-8693-6527a587f1f1';
SELECT * FROM journaling.import_file(:'fixtures' || '/canonical/entries.json', 'entries', '{"on_conflict": "update"}');
SELECT title FROM journaling.journal_entries WHERE id = '58eb140e-2f5e-48dd-8693-6527a587f1f1';

-- The same directory again: nothing new.
SELECT * FROM journaling.import_directory(:'fixtures' || '/journaling_ai/data', '{"entries_timezone": "Europe/Berlin"}');
SELECT * FROM journaling.import_report();

-- dry_run writes nothing (not even the run), but counts.
SELECT count(*) AS runs_before FROM journaling.import_runs \gset
DELETE FROM journaling.journal_entries WHERE source = 'canonical';
SELECT * FROM journaling.import_file(:'fixtures' || '/canonical/entries.json', 'entries', '{"dry_run": true}');
SELECT count(*) AS canonical_entries FROM journaling.journal_entries WHERE source = 'canonical';
SELECT count(*) - :runs_before AS new_runs FROM journaling.import_runs;

-- Legacy import: LLM Council, Donna, Day One, jrnl, Journey
-- (test/fixtures/legacy-samples/README.md §3.2–§3.4).
\set fixtures `pwd`/test/fixtures/legacy-samples
SET extra_float_digits = 0;
SET timezone = 'UTC';

SELECT * FROM journaling.import_directory(:'fixtures' || '/llm_council/data');
SELECT s.id, s.title, s.created_at, s.message_count, u.username AS owner
  FROM journaling.chat_sessions s JOIN journaling.users u ON u.id = s.user_id
 WHERE s.source = 'llm_council' ORDER BY s.created_at;
-- Assistant content is stage3.response (NULL when the response was null); stages verbatim.
SELECT s.title, m.seq, m.role, left(m.content, 30) AS content, m.model,
       m.stages IS NOT NULL AS has_stages, jsonb_typeof(m.stages -> 'stage1') AS stage1
  FROM journaling.messages m JOIN journaling.chat_sessions s ON s.user_id = m.user_id AND s.id = m.session_id
 WHERE s.source = 'llm_council' ORDER BY s.created_at, m.seq;
-- Mirmer metadata goes to messages.metadata (and, with the stages, to stages);
-- Infinity becomes a JSON string, with a note.
SELECT m.metadata -> 'aggregate_rankings' -> 3 AS failed_model_ranking,
       m.stages -> 'metadata' = m.metadata AS in_stages, jsonb_object_keys(m.stages) AS stage_keys
  FROM journaling.messages m WHERE m.session_id = '29fc0576-6f85-4884-b269-683b853a19d2' AND m.seq = 2
 ORDER BY stage_keys;
SELECT ordinal, kind, sqlstate, message FROM journaling.import_errors
 WHERE run_id = (SELECT max(id) FROM journaling.import_runs) ORDER BY ordinal;
SELECT tier, daily_used, monthly_used, total_queries, last_reset_daily, last_reset_monthly
  FROM journaling.usage ORDER BY user_id;

SELECT * FROM journaling.import_directory(:'fixtures' || '/donna/data');
SELECT id = '00000000-0000-0000-0000-000000000000'::uuid AS nil, full_name, email, preferences,
       profile ->> 'city' AS city, metadata -> 'source' AS source
  FROM journaling.users WHERE source = 'donna';
-- Three Donna sessions: two imported, one created for the history without a session file.
SELECT s.source_id, u.source AS owner_source, s.message_count, s.metadata
  FROM journaling.chat_sessions s JOIN journaling.users u ON u.id = s.user_id
 WHERE s.source = 'donna' ORDER BY s.source_id;
SELECT s.source_id, string_agg(m.role, ', ' ORDER BY m.seq) AS roles, min(m.seq), max(m.seq)
  FROM journaling.messages m JOIN journaling.chat_sessions s ON s.user_id = m.user_id AND s.id = m.session_id
 WHERE s.source = 'donna' GROUP BY 1 ORDER BY 1;
-- \/ decoded, raw UTF-8 kept, [] metadata read as {}.
SELECT m.seq, m.content ~ 'https://' AS url, m.content ~ '24/11' AS slash, m.metadata
  FROM journaling.messages m JOIN journaling.chat_sessions s ON s.user_id = m.user_id AND s.id = m.session_id
 WHERE s.source_id = 'guest-1764338400' ORDER BY m.seq;
SELECT memory_type, key, value, expires_at FROM journaling.user_memory ORDER BY 1, 2;

SELECT * FROM journaling.import_file(:'fixtures' || '/exports/dayone/Journal.json', 'auto',
                                     '{"entries_timezone": "Europe/Berlin"}');
SELECT id, title, entry_date, created_at, tags, is_favorite, mood_score,
       content ~ 'bread\.' AS unescaped, content ~ '\\\.' AS still_escaped,
       jsonb_typeof(metadata -> 'source' -> 'richText') AS rich_text
  FROM journaling.journal_entries WHERE source = 'dayone' ORDER BY created_at;
SELECT metadata -> 'source' -> 'photos' -> 0 ->> 'fnumber' AS fnumber
  FROM journaling.journal_entries WHERE id = 'e03ca3a5-cace-4f70-8766-859ee35d8b78';

SELECT * FROM journaling.import_file(:'fixtures' || '/exports/jrnl/journal.json', 'auto',
                                     '{"entries_timezone": "Europe/Berlin"}');
SELECT title, entry_date, created_at, tags, is_favorite, left(content, 40) AS content
  FROM journaling.journal_entries WHERE source = 'jrnl' ORDER BY created_at;

SELECT * FROM journaling.import_directory(:'fixtures' || '/exports/journey', '{"entries_timezone": "Europe/Berlin"}');
SELECT source_id, entry_date, created_at, mood_score, is_favorite, tags, left(content, 30) AS content,
       (metadata -> 'source' -> 'lat')::float8 AS lat, (metadata -> 'source' -> 'weather' -> 'degree_c')::float8 AS degree_c
  FROM journaling.journal_entries WHERE source = 'journey' ORDER BY created_at;

-- Second pass over everything: only skips.
SELECT * FROM journaling.import_directory(:'fixtures' || '/llm_council/data');
SELECT * FROM journaling.import_directory(:'fixtures' || '/donna/data');
SELECT * FROM journaling.import_directory(:'fixtures' || '/exports', '{"entries_timezone": "Europe/Berlin"}');
SELECT (SELECT count(*) FROM journaling.chat_sessions WHERE source = 'donna') AS donna_sessions,
       (SELECT count(*) FROM journaling.messages) AS messages;

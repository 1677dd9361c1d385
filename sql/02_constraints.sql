-- Every constraint rejects bad rows with the right SQLSTATE.
-- (Runs as superuser, which bypasses row-level security.)

-- Run a statement; report its SQLSTATE and message instead of failing.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'alice'),
    ('00000000-0000-0000-0000-00000000000b', 'bob');
INSERT INTO journaling.topics (user_id, id, name) VALUES
    ('00000000-0000-0000-0000-00000000000a', '10000000-0000-0000-0000-000000000001', 'work');
INSERT INTO journaling.journal_entries (user_id, id, content) VALUES
    ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'fine day');
INSERT INTO journaling.chat_sessions (user_id, id, created_at) VALUES
    ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', '2025-01-01 10:00+00');

SELECT label, pg_temp.try(stmt) AS outcome FROM (VALUES
  -- users
  ('users: duplicate id', $$INSERT INTO journaling.users (id) VALUES ('00000000-0000-0000-0000-00000000000a')$$),
  ('users: preferences not an object', $$INSERT INTO journaling.users (preferences) VALUES ('[]')$$),
  ('users: null is_active', $$INSERT INTO journaling.users (is_active) VALUES (NULL)$$),
  -- journal_entries
  ('entries: content null', $$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-00000000000a', NULL)$$),
  ('entries: content empty', $$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-00000000000a', '')$$),
  ('entries: content blank', $$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-00000000000a', E'   \n\t  ')$$),
  ('entries: mood above 1', $$INSERT INTO journaling.journal_entries (user_id, content, mood_score) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', 3.5)$$),
  ('entries: mood below -1', $$INSERT INTO journaling.journal_entries (user_id, content, mood_score) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', -1.01)$$),
  ('entries: mood too precise for numeric(3,2)', $$INSERT INTO journaling.journal_entries (user_id, content, mood_score) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', 10)$$),
  ('entries: mood on the bounds', $$INSERT INTO journaling.journal_entries (user_id, content, mood_score) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', -1), ('00000000-0000-0000-0000-00000000000a', 'y', 1)$$),
  ('entries: unknown user', $$INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000000ff', 'x')$$),
  ('entries: topic of another user', $$INSERT INTO journaling.journal_entries (user_id, content, topic_id) VALUES ('00000000-0000-0000-0000-00000000000b', 'x', '10000000-0000-0000-0000-000000000001')$$),
  ('entries: duplicate (user, id)', $$INSERT INTO journaling.journal_entries (user_id, id, content) VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'again')$$),
  ('entries: duplicate source id', $$INSERT INTO journaling.journal_entries (user_id, content, source, source_id) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', 'jrnl', '1'), ('00000000-0000-0000-0000-00000000000a', 'y', 'jrnl', '1')$$),
  ('entries: metadata not an object', $$INSERT INTO journaling.journal_entries (user_id, content, metadata) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', '"s"')$$),
  ('entries: bad date', $$INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES ('00000000-0000-0000-0000-00000000000a', 'x', '2025-11-31')$$),
  -- topics
  ('topics: duplicate name per user', $$INSERT INTO journaling.topics (user_id, name) VALUES ('00000000-0000-0000-0000-00000000000a', 'work')$$),
  ('topics: same name, other user', $$INSERT INTO journaling.topics (user_id, name) VALUES ('00000000-0000-0000-0000-00000000000b', 'work')$$),
  ('topics: blank name', $$INSERT INTO journaling.topics (user_id, name) VALUES ('00000000-0000-0000-0000-00000000000a', ' ')$$),
  -- entry_topics
  ('entry_topics: relevance above 1', $$INSERT INTO journaling.entry_topics VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 1.5)$$),
  ('entry_topics: entry of another user', $$INSERT INTO journaling.entry_topics VALUES ('00000000-0000-0000-0000-00000000000b', '20000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 0.5)$$),
  -- sentiment_analysis
  ('sentiment: confidence above 1', $$INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, confidence) VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'm', 1.2)$$),
  ('sentiment: confidence below 0', $$INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, confidence) VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'm', -0.1)$$),
  ('sentiment: confidence NaN', $$INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, confidence) VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'm', 'NaN')$$),
  ('sentiment: valid', $$INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, confidence) VALUES ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001', 'm', 0.9)$$),
  -- psychology_insights / psychology_content
  ('insights: confidence above 1', $$INSERT INTO journaling.psychology_insights (user_id, insight_type, confidence) VALUES ('00000000-0000-0000-0000-00000000000a', 'pattern', 2)$$),
  ('insights: null type', $$INSERT INTO journaling.psychology_insights (user_id, insight_type) VALUES ('00000000-0000-0000-0000-00000000000a', NULL)$$),
  ('content: blank', $$INSERT INTO journaling.psychology_content (category, title, content) VALUES ('cbt', 't', ' ')$$),
  -- chat_sessions
  ('sessions: end before start', $$INSERT INTO journaling.chat_sessions (user_id, created_at, ended_at) VALUES ('00000000-0000-0000-0000-00000000000a', '2025-01-02', '2025-01-01')$$),
  ('sessions: negative message_count', $$INSERT INTO journaling.chat_sessions (user_id, message_count) VALUES ('00000000-0000-0000-0000-00000000000a', -1)$$),
  ('sessions: temperature 3', $$INSERT INTO journaling.chat_sessions (user_id, temperature) VALUES ('00000000-0000-0000-0000-00000000000a', 3)$$),
  ('sessions: free-text session_type', $$INSERT INTO journaling.chat_sessions (user_id, session_type) VALUES ('00000000-0000-0000-0000-00000000000a', 'pattern_detective')$$),
  -- messages
  ('messages: unknown role', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', 1, 'bot')$$),
  ('messages: negative seq', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', -1, 'user')$$),
  ('messages: missing session', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-0000000000ff', 1, 'user')$$),
  ('messages: session of another user', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-00000000000b', '30000000-0000-0000-0000-000000000001', 1, 'user')$$),
  ('messages: duplicate seq', $$INSERT INTO journaling.messages (user_id, session_id, seq, role) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', 1, 'user'), ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', 1, 'assistant')$$),
  ('messages: negative token_count', $$INSERT INTO journaling.messages (user_id, session_id, seq, role, token_count) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', 2, 'tool', -5)$$),
  ('messages: null content allowed', $$INSERT INTO journaling.messages (user_id, session_id, seq, role, content) VALUES ('00000000-0000-0000-0000-00000000000a', '30000000-0000-0000-0000-000000000001', 3, 'assistant', NULL)$$),
  -- user_memory
  ('memory: null value', $$INSERT INTO journaling.user_memory (user_id, memory_type, key, value) VALUES ('00000000-0000-0000-0000-00000000000a', 'profile', 'name', NULL)$$),
  ('memory: expires before created', $$INSERT INTO journaling.user_memory (user_id, memory_type, key, value, created_at, expires_at) VALUES ('00000000-0000-0000-0000-00000000000a', 'context', 'k', '1', '2025-01-02', '2025-01-01')$$),
  -- usage
  ('usage: negative daily_used', $$INSERT INTO journaling.usage (user_id, daily_used) VALUES ('00000000-0000-0000-0000-00000000000a', -1)$$),
  ('usage: negative limit', $$INSERT INTO journaling.usage (user_id, daily_limit) VALUES ('00000000-0000-0000-0000-00000000000a', -1)$$),
  ('usage: unlimited', $$INSERT INTO journaling.usage (user_id, daily_limit) VALUES ('00000000-0000-0000-0000-00000000000a', NULL)$$),
  ('usage: second row for a user', $$INSERT INTO journaling.usage (user_id) VALUES ('00000000-0000-0000-0000-00000000000a')$$)
) AS t(label, stmt);

-- ON DELETE SET NULL (topic_id) keeps the entry and its user.
UPDATE journaling.journal_entries SET topic_id = '10000000-0000-0000-0000-000000000001'
 WHERE id = '20000000-0000-0000-0000-000000000001';
DELETE FROM journaling.topics WHERE id = '10000000-0000-0000-0000-000000000001';
SELECT user_id, topic_id FROM journaling.journal_entries WHERE id = '20000000-0000-0000-0000-000000000001';

-- Deleting a user removes everything of theirs.
DELETE FROM journaling.users WHERE id = '00000000-0000-0000-0000-00000000000a';
SELECT (SELECT count(*) FROM journaling.journal_entries) AS entries,
       (SELECT count(*) FROM journaling.chat_sessions) AS sessions,
       (SELECT count(*) FROM journaling.messages) AS messages,
       (SELECT count(*) FROM journaling.usage) AS usage,
       (SELECT count(*) FROM journaling.sentiment_analysis) AS sentiment;
DELETE FROM journaling.users;
DELETE FROM journaling.psychology_content;

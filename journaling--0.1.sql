/* journaling--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION journaling" to load this file. \quit

-- This script is search-path-proof: every name is schema-qualified and every
-- operator is written OPERATOR(pg_catalog.x), so objects a hostile role puts
-- in public (or anywhere else on the path) are never picked up.

--------------------------------------------------------------------------------
-- The extension creates its own schema, so the schema is a member of the
-- extension (DROP EXTENSION removes it) and no schema made beforehand by
-- anyone -- whose owner could drop or shadow every journal -- is ever used.
--------------------------------------------------------------------------------
DO $guard$
DECLARE
    owner_name pg_catalog.name;
BEGIN
    SELECT pg_catalog.pg_get_userbyid(n.nspowner) INTO owner_name
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname OPERATOR(pg_catalog.=) 'journaling';

    IF NOT FOUND THEN
        RETURN;
    ELSIF owner_name OPERATOR(pg_catalog.<>) CURRENT_USER THEN
        RAISE EXCEPTION 'schema "journaling" already exists and is owned by role "%"', owner_name
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The owner of the schema could drop or replace every object of the extension.',
                  HINT = 'Drop or rename the existing schema "journaling", then run CREATE EXTENSION again.';
    ELSE
        RAISE EXCEPTION 'schema "journaling" already exists'
            USING ERRCODE = 'duplicate_schema',
                  DETAIL = 'The extension creates and owns its schema; objects made beforehand could shadow its own.',
                  HINT = 'Drop or rename the existing schema "journaling", then run CREATE EXTENSION again.';
    END IF;
END
$guard$;

CREATE SCHEMA journaling;
COMMENT ON SCHEMA journaling IS 'Objects of the journaling extension';
REVOKE ALL ON SCHEMA journaling FROM PUBLIC;

--------------------------------------------------------------------------------
-- Identity (src/identity.c)
--------------------------------------------------------------------------------

-- STABLE: reads the journaling.user_id setting, constant within a statement.
CREATE FUNCTION journaling.current_user_id()
RETURNS pg_catalog.uuid
AS 'MODULE_PATHNAME', 'journaling_current_user_id'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.current_user_id() IS
'Identity of the application user of this session (journaling.user_id), or NULL when none is set; row-level security policies compare rows with it';

-- Not STRICT: a NULL user_id clears the identity.  VOLATILE: changes a setting.
CREATE FUNCTION journaling.set_user(user_id pg_catalog.uuid, is_local pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.uuid
AS 'MODULE_PATHNAME', 'journaling_set_user'
LANGUAGE C VOLATILE SECURITY DEFINER;

REVOKE ALL ON FUNCTION journaling.set_user(pg_catalog.uuid, pg_catalog.bool) FROM PUBLIC;

COMMENT ON FUNCTION journaling.set_user(pg_catalog.uuid, pg_catalog.bool) IS
'Set the application user identity for the session (or the transaction when is_local); NULL clears it. Granted to application roles only';

--------------------------------------------------------------------------------
-- Tables.  Every per-user table leads its primary key, unique constraints and
-- foreign keys with user_id, so it can be distributed or hash-partitioned by
-- user without change.
--------------------------------------------------------------------------------

CREATE TABLE journaling.users (
    id          pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    username    pg_catalog.text,
    email       pg_catalog.text,
    full_name   pg_catalog.text,
    preferences pg_catalog.jsonb NOT NULL DEFAULT '{}',
    profile     pg_catalog.jsonb NOT NULL DEFAULT '{}',
    is_active   pg_catalog.bool NOT NULL DEFAULT true,
    metadata    pg_catalog.jsonb NOT NULL DEFAULT '{}',
    source      pg_catalog.text,
    source_id   pg_catalog.text,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_preferences_object CHECK (pg_catalog.jsonb_typeof(preferences) OPERATOR(pg_catalog.=) 'object'),
    CONSTRAINT users_profile_object CHECK (pg_catalog.jsonb_typeof(profile) OPERATOR(pg_catalog.=) 'object'),
    CONSTRAINT users_metadata_object CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);
COMMENT ON TABLE journaling.users IS
'Application users; a row is visible only to the identity it belongs to (id = journaling.current_user_id())';

CREATE TABLE journaling.topics (
    user_id     pg_catalog.uuid NOT NULL,
    id          pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    name        pg_catalog.text NOT NULL,
    description pg_catalog.text,
    color       pg_catalog.text,
    tags        pg_catalog.text[] NOT NULL DEFAULT '{}',
    is_system   pg_catalog.bool NOT NULL DEFAULT false,
    metadata    pg_catalog.jsonb NOT NULL DEFAULT '{}',
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT topics_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT topics_user_id_name_key UNIQUE (user_id, name),
    CONSTRAINT topics_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT topics_name_not_blank CHECK (name OPERATOR(pg_catalog.~) '[^[:space:]]'),
    CONSTRAINT topics_metadata_object CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);
COMMENT ON TABLE journaling.topics IS
'Per-user topics that entries belong to; trigram-indexed names for similar_topics';

CREATE TABLE journaling.journal_entries (
    user_id       pg_catalog.uuid NOT NULL,
    id            pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    title         pg_catalog.text,
    content       pg_catalog.text NOT NULL,
    entry_date    pg_catalog.date NOT NULL DEFAULT CURRENT_DATE,
    mood_score    pg_catalog.numeric(3,2),
    mood_label    pg_catalog.text,
    tags          pg_catalog.text[] NOT NULL DEFAULT '{}',
    categories    pg_catalog.text[] NOT NULL DEFAULT '{}',
    topic_id      pg_catalog.uuid,
    is_private    pg_catalog.bool NOT NULL DEFAULT false,
    is_favorite   pg_catalog.bool NOT NULL DEFAULT false,
    word_count    pg_catalog.int4 NOT NULL DEFAULT 0,
    search_vector pg_catalog.tsvector,
    metadata      pg_catalog.jsonb NOT NULL DEFAULT '{}',
    source        pg_catalog.text,
    source_id     pg_catalog.text,
    created_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT journal_entries_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT journal_entries_user_id_source_source_id_key UNIQUE (user_id, source, source_id),
    CONSTRAINT journal_entries_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT journal_entries_topic_fkey FOREIGN KEY (user_id, topic_id)
        REFERENCES journaling.topics (user_id, id) ON DELETE SET NULL (topic_id),
    CONSTRAINT journal_entries_content_not_blank CHECK (content OPERATOR(pg_catalog.~) '[^[:space:]]'),
    CONSTRAINT journal_entries_mood_range CHECK (mood_score OPERATOR(pg_catalog.>=) -1 AND mood_score OPERATOR(pg_catalog.<=) 1),
    CONSTRAINT journal_entries_word_count_nonnegative CHECK (word_count OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT journal_entries_metadata_object CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);
COMMENT ON TABLE journaling.journal_entries IS
'Journal entries; search_vector (title A, content B, tags C, english) and word_count are maintained by the extension on every write';
COMMENT ON COLUMN journaling.journal_entries.search_vector IS
'Weighted tsvector maintained by the extension from at most the first 256 kB of title, content and tags; the text itself is stored whole';
COMMENT ON COLUMN journaling.journal_entries.word_count IS
'Number of whitespace-separated words of content, maintained by the extension';

CREATE TABLE journaling.entry_topics (
    user_id    pg_catalog.uuid NOT NULL,
    entry_id   pg_catalog.uuid NOT NULL,
    topic_id   pg_catalog.uuid NOT NULL,
    relevance  pg_catalog.numeric(3,2),
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT entry_topics_pkey PRIMARY KEY (user_id, entry_id, topic_id),
    CONSTRAINT entry_topics_entry_fkey FOREIGN KEY (user_id, entry_id)
        REFERENCES journaling.journal_entries (user_id, id) ON DELETE CASCADE,
    CONSTRAINT entry_topics_topic_fkey FOREIGN KEY (user_id, topic_id)
        REFERENCES journaling.topics (user_id, id) ON DELETE CASCADE,
    CONSTRAINT entry_topics_relevance_range CHECK (relevance OPERATOR(pg_catalog.>=) 0 AND relevance OPERATOR(pg_catalog.<=) 1)
);
COMMENT ON TABLE journaling.entry_topics IS
'Which topics an entry belongs to, with a relevance in [0, 1]';

CREATE TABLE journaling.sentiment_analysis (
    user_id     pg_catalog.uuid NOT NULL,
    entry_id    pg_catalog.uuid NOT NULL,
    model_name  pg_catalog.text NOT NULL,
    label       pg_catalog.text,
    confidence  pg_catalog.float8,
    emotions    pg_catalog.jsonb NOT NULL DEFAULT '{}',
    analyzed_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT sentiment_analysis_pkey PRIMARY KEY (user_id, entry_id, model_name),
    CONSTRAINT sentiment_analysis_entry_fkey FOREIGN KEY (user_id, entry_id)
        REFERENCES journaling.journal_entries (user_id, id) ON DELETE CASCADE,
    CONSTRAINT sentiment_analysis_confidence_range CHECK (confidence OPERATOR(pg_catalog.>=) 0 AND confidence OPERATOR(pg_catalog.<=) 1)
);
COMMENT ON TABLE journaling.sentiment_analysis IS
'Sentiment of an entry as judged by one model: label, confidence in [0, 1], emotions';

CREATE TABLE journaling.psychology_insights (
    user_id      pg_catalog.uuid NOT NULL,
    id           pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    insight_type pg_catalog.text NOT NULL,
    insight_data pg_catalog.jsonb NOT NULL DEFAULT '{}',
    confidence   pg_catalog.float8,
    generated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    is_active    pg_catalog.bool NOT NULL DEFAULT true,
    CONSTRAINT psychology_insights_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT psychology_insights_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT psychology_insights_confidence_range CHECK (confidence OPERATOR(pg_catalog.>=) 0 AND confidence OPERATOR(pg_catalog.<=) 1)
);
COMMENT ON TABLE journaling.psychology_insights IS
'Insights generated about a user (patterns, suggestions) with a confidence in [0, 1]';

CREATE TABLE journaling.psychology_content (
    id             pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    category       pg_catalog.text NOT NULL,
    content_type   pg_catalog.text,
    title          pg_catalog.text NOT NULL,
    content        pg_catalog.text NOT NULL,
    source         pg_catalog.text,
    evidence_level pg_catalog.text,
    tags           pg_catalog.text[] NOT NULL DEFAULT '{}',
    created_at     pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT psychology_content_pkey PRIMARY KEY (id),
    CONSTRAINT psychology_content_content_not_blank CHECK (content OPERATOR(pg_catalog.~) '[^[:space:]]')
);
COMMENT ON TABLE journaling.psychology_content IS
'Global knowledge base shared by every user (not per user): readable by application roles, written by administrators';

CREATE TABLE journaling.chat_sessions (
    user_id         pg_catalog.uuid NOT NULL,
    id              pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    title           pg_catalog.text,
    session_type    pg_catalog.text,
    status          pg_catalog.text NOT NULL DEFAULT 'active',
    context         pg_catalog.jsonb NOT NULL DEFAULT '{}',
    ai_model        pg_catalog.text,
    system_prompt   pg_catalog.text,
    temperature     pg_catalog.float8,
    message_count   pg_catalog.int4 NOT NULL DEFAULT 0,
    last_message_at pg_catalog.timestamptz,
    tags            pg_catalog.text[] NOT NULL DEFAULT '{}',
    metadata        pg_catalog.jsonb NOT NULL DEFAULT '{}',
    source          pg_catalog.text,
    source_id       pg_catalog.text,
    created_at      pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    ended_at        pg_catalog.timestamptz,
    CONSTRAINT chat_sessions_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT chat_sessions_user_id_source_source_id_key UNIQUE (user_id, source, source_id),
    CONSTRAINT chat_sessions_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT chat_sessions_end_after_start CHECK (ended_at OPERATOR(pg_catalog.>=) created_at),
    CONSTRAINT chat_sessions_temperature_range CHECK (temperature OPERATOR(pg_catalog.>=) 0 AND temperature OPERATOR(pg_catalog.<=) 2),
    CONSTRAINT chat_sessions_message_count_nonnegative CHECK (message_count OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT chat_sessions_metadata_object CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);
COMMENT ON TABLE journaling.chat_sessions IS
'AI-companion chat sessions; session_type is free text';

CREATE TABLE journaling.messages (
    user_id            pg_catalog.uuid NOT NULL,
    session_id         pg_catalog.uuid NOT NULL,
    seq                pg_catalog.int4 NOT NULL,
    role               pg_catalog.text NOT NULL,
    content            pg_catalog.text,
    stages             pg_catalog.jsonb,
    metadata           pg_catalog.jsonb NOT NULL DEFAULT '{}',
    model              pg_catalog.text,
    token_count        pg_catalog.int4,
    processing_time_ms pg_catalog.int4,
    created_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT messages_pkey PRIMARY KEY (user_id, session_id, seq),
    CONSTRAINT messages_session_fkey FOREIGN KEY (user_id, session_id)
        REFERENCES journaling.chat_sessions (user_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_role_known CHECK (role OPERATOR(pg_catalog.=) ANY ('{user,assistant,system,tool}'::pg_catalog.text[])),
    CONSTRAINT messages_seq_nonnegative CHECK (seq OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT messages_token_count_nonnegative CHECK (token_count OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT messages_processing_time_nonnegative CHECK (processing_time_ms OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT messages_metadata_object CHECK (pg_catalog.jsonb_typeof(metadata) OPERATOR(pg_catalog.=) 'object')
);
COMMENT ON TABLE journaling.messages IS
'Chat messages, one row per message in session order (seq); stages holds multi-model answers';

CREATE TABLE journaling.user_memory (
    user_id     pg_catalog.uuid NOT NULL,
    memory_type pg_catalog.text NOT NULL,
    key         pg_catalog.text NOT NULL,
    value       pg_catalog.jsonb NOT NULL,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    expires_at  pg_catalog.timestamptz,
    CONSTRAINT user_memory_pkey PRIMARY KEY (user_id, memory_type, key),
    CONSTRAINT user_memory_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT user_memory_expires_after_created CHECK (expires_at OPERATOR(pg_catalog.>=) created_at)
);
COMMENT ON TABLE journaling.user_memory IS
'What the AI companion remembers about a user, by memory type and key';

CREATE TABLE journaling.usage (
    user_id            pg_catalog.uuid NOT NULL,
    tier               pg_catalog.text NOT NULL DEFAULT 'free',
    daily_used         pg_catalog.int4 NOT NULL DEFAULT 0,
    daily_limit        pg_catalog.int4,
    monthly_used       pg_catalog.int4 NOT NULL DEFAULT 0,
    monthly_limit      pg_catalog.int4,
    total_queries      pg_catalog.int8 NOT NULL DEFAULT 0,
    last_reset_daily   pg_catalog.date,
    last_reset_monthly pg_catalog.date,
    metadata           pg_catalog.jsonb NOT NULL DEFAULT '{}',
    CONSTRAINT usage_pkey PRIMARY KEY (user_id),
    CONSTRAINT usage_user_fkey FOREIGN KEY (user_id) REFERENCES journaling.users (id) ON DELETE CASCADE,
    CONSTRAINT usage_counts_nonnegative CHECK (daily_used OPERATOR(pg_catalog.>=) 0 AND monthly_used OPERATOR(pg_catalog.>=) 0 AND total_queries OPERATOR(pg_catalog.>=) 0),
    CONSTRAINT usage_limits_nonnegative CHECK (daily_limit OPERATOR(pg_catalog.>=) 0 AND monthly_limit OPERATOR(pg_catalog.>=) 0)
);
COMMENT ON TABLE journaling.usage IS
'Per-user query quota and counters; a NULL limit means unlimited';

CREATE SEQUENCE journaling.import_runs_id_seq;

CREATE TABLE journaling.import_runs (
    id          pg_catalog.int8 NOT NULL DEFAULT pg_catalog.nextval('journaling.import_runs_id_seq'::pg_catalog.regclass),
    run_by      pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
    identity    pg_catalog.uuid DEFAULT journaling.current_user_id(),
    source      pg_catalog.text NOT NULL,
    format      pg_catalog.text NOT NULL,
    options     pg_catalog.jsonb NOT NULL DEFAULT '{}',
    started_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at pg_catalog.timestamptz,
    processed   pg_catalog.int8 NOT NULL DEFAULT 0,
    imported    pg_catalog.int8 NOT NULL DEFAULT 0,
    skipped     pg_catalog.int8 NOT NULL DEFAULT 0,
    failed      pg_catalog.int8 NOT NULL DEFAULT 0,
    CONSTRAINT import_runs_pkey PRIMARY KEY (id)
);
ALTER SEQUENCE journaling.import_runs_id_seq OWNED BY journaling.import_runs.id;
COMMENT ON TABLE journaling.import_runs IS
'One row per import call: what was read, by whom, and the record counts';

CREATE TABLE journaling.import_errors (
    run_id      pg_catalog.int8 NOT NULL,
    file        pg_catalog.text NOT NULL,
    ordinal     pg_catalog.int8 NOT NULL,
    byte_offset pg_catalog.int8 NOT NULL,
    kind        pg_catalog.text,
    source_id   pg_catalog.text,
    sqlstate    pg_catalog.text NOT NULL,
    message     pg_catalog.text NOT NULL,
    CONSTRAINT import_errors_pkey PRIMARY KEY (run_id, file, ordinal),
    CONSTRAINT import_errors_run_fkey FOREIGN KEY (run_id) REFERENCES journaling.import_runs (id) ON DELETE CASCADE
);
COMMENT ON TABLE journaling.import_errors IS
'One row per record an import rejected: file, 1-based ordinal, byte offset, SQLSTATE and message';

--------------------------------------------------------------------------------
-- Indexes.  Full-text @@ is not LEAKPROOF, so under row-level security the
-- planner filters by user first: every per-user table has a btree index
-- leading with user_id (its primary key) and the common access paths below.
--------------------------------------------------------------------------------
CREATE INDEX journal_entries_user_date_idx ON journaling.journal_entries (user_id, entry_date);
CREATE INDEX journal_entries_search_idx ON journaling.journal_entries USING gin (search_vector);
CREATE INDEX entry_topics_user_topic_idx ON journaling.entry_topics (user_id, topic_id);
CREATE INDEX psychology_insights_user_type_idx ON journaling.psychology_insights (user_id, insight_type);
CREATE INDEX chat_sessions_user_last_message_idx ON journaling.chat_sessions (user_id, last_message_at);
CREATE INDEX psychology_content_category_idx ON journaling.psychology_content (category);
CREATE INDEX import_runs_run_by_idx ON journaling.import_runs (run_by);

-- The trigram operator class lives in whichever schema pg_trgm was installed
-- into; name it explicitly rather than trusting search_path.
DO $trgm$
DECLARE
    trgm_schema pg_catalog.name;
BEGIN
    SELECT n.nspname INTO STRICT trgm_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'pg_trgm';
    EXECUTE pg_catalog.format(
        'CREATE INDEX topics_name_trgm_idx ON journaling.topics USING gin (name %I.gin_trgm_ops)',
        trgm_schema);
END
$trgm$;

--------------------------------------------------------------------------------
-- search_vector and word_count maintenance (src/entry_vector.c)
--------------------------------------------------------------------------------
CREATE FUNCTION journaling.entry_vector_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'journaling_entry_vector_trigger'
LANGUAGE C;

COMMENT ON FUNCTION journaling.entry_vector_trigger() IS
'Trigger that recomputes journal_entries.search_vector and word_count on insert and update';

CREATE TRIGGER journal_entries_search_vector
    BEFORE INSERT OR UPDATE ON journaling.journal_entries
    FOR EACH ROW EXECUTE FUNCTION journaling.entry_vector_trigger();

--------------------------------------------------------------------------------
-- Row-level security: enabled and forced on every per-user table, one policy
-- per command, all keyed on journaling.current_user_id().
--------------------------------------------------------------------------------
ALTER TABLE journaling.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_select ON journaling.users FOR SELECT
    USING (id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY users_insert ON journaling.users FOR INSERT
    WITH CHECK (id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY users_update ON journaling.users FOR UPDATE
    USING (id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY users_delete ON journaling.users FOR DELETE
    USING (id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.topics ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.topics FORCE ROW LEVEL SECURITY;
CREATE POLICY topics_select ON journaling.topics FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY topics_insert ON journaling.topics FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY topics_update ON journaling.topics FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY topics_delete ON journaling.topics FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.journal_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.journal_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY journal_entries_select ON journaling.journal_entries FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY journal_entries_insert ON journaling.journal_entries FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY journal_entries_update ON journaling.journal_entries FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY journal_entries_delete ON journaling.journal_entries FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.entry_topics ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.entry_topics FORCE ROW LEVEL SECURITY;
CREATE POLICY entry_topics_select ON journaling.entry_topics FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY entry_topics_insert ON journaling.entry_topics FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY entry_topics_update ON journaling.entry_topics FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY entry_topics_delete ON journaling.entry_topics FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.sentiment_analysis ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.sentiment_analysis FORCE ROW LEVEL SECURITY;
CREATE POLICY sentiment_analysis_select ON journaling.sentiment_analysis FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY sentiment_analysis_insert ON journaling.sentiment_analysis FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY sentiment_analysis_update ON journaling.sentiment_analysis FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY sentiment_analysis_delete ON journaling.sentiment_analysis FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.psychology_insights ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.psychology_insights FORCE ROW LEVEL SECURITY;
CREATE POLICY psychology_insights_select ON journaling.psychology_insights FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY psychology_insights_insert ON journaling.psychology_insights FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY psychology_insights_update ON journaling.psychology_insights FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY psychology_insights_delete ON journaling.psychology_insights FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.chat_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.chat_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY chat_sessions_select ON journaling.chat_sessions FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY chat_sessions_insert ON journaling.chat_sessions FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY chat_sessions_update ON journaling.chat_sessions FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY chat_sessions_delete ON journaling.chat_sessions FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.messages FORCE ROW LEVEL SECURITY;
CREATE POLICY messages_select ON journaling.messages FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY messages_insert ON journaling.messages FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY messages_update ON journaling.messages FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY messages_delete ON journaling.messages FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.user_memory ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.user_memory FORCE ROW LEVEL SECURITY;
CREATE POLICY user_memory_select ON journaling.user_memory FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY user_memory_insert ON journaling.user_memory FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY user_memory_update ON journaling.user_memory FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY user_memory_delete ON journaling.user_memory FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

ALTER TABLE journaling.usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.usage FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_select ON journaling.usage FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY usage_insert ON journaling.usage FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY usage_update ON journaling.usage FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY usage_delete ON journaling.usage FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

-- Import bookkeeping belongs to the database role that ran the import.
ALTER TABLE journaling.import_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.import_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY import_runs_select ON journaling.import_runs FOR SELECT
    USING (run_by OPERATOR(pg_catalog.=) CURRENT_USER);
CREATE POLICY import_runs_insert ON journaling.import_runs FOR INSERT
    WITH CHECK (run_by OPERATOR(pg_catalog.=) CURRENT_USER);
CREATE POLICY import_runs_update ON journaling.import_runs FOR UPDATE
    USING (run_by OPERATOR(pg_catalog.=) CURRENT_USER)
    WITH CHECK (run_by OPERATOR(pg_catalog.=) CURRENT_USER);
CREATE POLICY import_runs_delete ON journaling.import_runs FOR DELETE
    USING (run_by OPERATOR(pg_catalog.=) CURRENT_USER);

ALTER TABLE journaling.import_errors ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.import_errors FORCE ROW LEVEL SECURITY;
CREATE POLICY import_errors_select ON journaling.import_errors FOR SELECT
    USING (EXISTS (SELECT 1 FROM journaling.import_runs r WHERE r.id OPERATOR(pg_catalog.=) run_id));
CREATE POLICY import_errors_insert ON journaling.import_errors FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM journaling.import_runs r WHERE r.id OPERATOR(pg_catalog.=) run_id));
CREATE POLICY import_errors_update ON journaling.import_errors FOR UPDATE
    USING (EXISTS (SELECT 1 FROM journaling.import_runs r WHERE r.id OPERATOR(pg_catalog.=) run_id))
    WITH CHECK (EXISTS (SELECT 1 FROM journaling.import_runs r WHERE r.id OPERATOR(pg_catalog.=) run_id));
CREATE POLICY import_errors_delete ON journaling.import_errors FOR DELETE
    USING (EXISTS (SELECT 1 FROM journaling.import_runs r WHERE r.id OPERATOR(pg_catalog.=) run_id));

--------------------------------------------------------------------------------
-- pg_dump keeps the rows of every table and the state of every sequence.
--------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('journaling.users', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.topics', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.journal_entries', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.entry_topics', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.sentiment_analysis', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.psychology_insights', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.psychology_content', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.chat_sessions', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.messages', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.user_memory', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.usage', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.import_runs', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.import_errors', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.import_runs_id_seq', '');

--------------------------------------------------------------------------------
-- Application roles
--------------------------------------------------------------------------------

-- VOLATILE: grants privileges.  Runs as the caller, who must be able to grant.
CREATE FUNCTION journaling.grant_app_role(app_role pg_catalog.regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    role_name pg_catalog.text := app_role::pg_catalog.text;
BEGIN
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA journaling TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT SELECT, INSERT, UPDATE, DELETE ON journaling.users, journaling.topics, '
        'journaling.journal_entries, journaling.entry_topics, journaling.sentiment_analysis, '
        'journaling.psychology_insights, journaling.chat_sessions, journaling.messages, '
        'journaling.user_memory, journaling.usage TO %s', role_name);
    EXECUTE pg_catalog.format('GRANT SELECT ON journaling.psychology_content TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION journaling.set_user(pg_catalog.uuid, pg_catalog.bool) TO %s',
        role_name);
END
$body$;

REVOKE ALL ON FUNCTION journaling.grant_app_role(pg_catalog.regrole) FROM PUBLIC;

COMMENT ON FUNCTION journaling.grant_app_role(pg_catalog.regrole) IS
'Grant an application role what it needs and no more: the per-user tables (under row-level security), the shared knowledge base read-only, and set_user()';

--------------------------------------------------------------------------------
-- Full-text search (src/search.c, src/snippet.c)
--------------------------------------------------------------------------------

-- IMMUTABLE STRICT PARALLEL SAFE, like ts_headline(regconfig, text, tsquery, text).
CREATE FUNCTION journaling.snippet(config pg_catalog.regconfig, document pg_catalog.text,
                                   query pg_catalog.tsquery,
                                   options pg_catalog.text DEFAULT 'MaxWords=35, MinWords=15, MaxFragments=3')
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'journaling_snippet'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.snippet(pg_catalog.regconfig, pg_catalog.text, pg_catalog.tsquery, pg_catalog.text) IS
'Highlighted excerpt of a document for a query: the same text as ts_headline(config, document, query, options), computed with less work on long documents';

-- The search functions call pg_trgm, which lives in whichever schema it was
-- installed into: the functions are created here with that schema named
-- explicitly (resolved once, from the catalog), never found through a path.
DO $search$
DECLARE
    trgm pg_catalog.name;
BEGIN
    SELECT n.nspname INTO STRICT trgm
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'pg_trgm';

    -- STABLE: reads tables only.  Not STRICT: a NULL owner means "no typo correction".
    EXECUTE pg_catalog.format($fmt$
CREATE FUNCTION journaling.search_correct_query(tsq pg_catalog.tsquery, owner pg_catalog.uuid,
                                                threshold pg_catalog.float4 DEFAULT 0.3)
RETURNS pg_catalog.tsquery
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    quoted pg_catalog.text;
    wanted pg_catalog.text;
    best pg_catalog.text;
    result pg_catalog.tsquery := tsq;
BEGIN
    IF tsq IS NULL OR owner IS NULL THEN
        RETURN tsq;
    END IF;
    -- Every operand of the query ('...' with '' and \\ escaped, as tsqueryout writes it).
    FOR quoted IN
        SELECT DISTINCT m[1]
          FROM pg_catalog.regexp_matches(tsq::pg_catalog.text, $re$('(?:[^'\\]|''|\\.)*')$re$, 'g') AS m
    LOOP
        -- Words the owner has written: nothing to correct.
        PERFORM 1 FROM journaling.journal_entries e
         WHERE e.user_id OPERATOR(pg_catalog.=) owner
           AND e.search_vector OPERATOR(pg_catalog.@@) quoted::pg_catalog.tsquery
         LIMIT 1;
        CONTINUE WHEN FOUND;

        wanted := pg_catalog.replace(pg_catalog.replace(
                    pg_catalog.substr(quoted, 2, pg_catalog.length(quoted) OPERATOR(pg_catalog.-) 2),
                    '''''', ''''), '\\', '\');
        -- The closest lexeme among the owner's own entries (row-level security
        -- applies to this query too, so a caller never sees words it could not SELECT).
        SELECT s.word INTO best
          FROM pg_catalog.ts_stat(pg_catalog.format(
                 'SELECT search_vector FROM journaling.journal_entries WHERE user_id OPERATOR(pg_catalog.=) %%L',
                 owner)) AS s
         WHERE %1$I.similarity(s.word, wanted) OPERATOR(pg_catalog.>=) threshold
         ORDER BY %1$I.similarity(s.word, wanted) DESC, s.ndoc DESC, s.word
         LIMIT 1;
        IF best IS NOT NULL THEN
            result := pg_catalog.ts_rewrite(result, quoted::pg_catalog.tsquery,
                        ('''' OPERATOR(pg_catalog.||)
                         pg_catalog.replace(pg_catalog.replace(best, '\', '\\'), '''', '''''')
                         OPERATOR(pg_catalog.||) '''')::pg_catalog.tsquery);
        END IF;
    END LOOP;
    RETURN result;
END
$body$
$fmt$, trgm);

    -- STABLE: reads tables only.  Not STRICT: a NULL query or owner is handled here.
    EXECUTE $fmt$
CREATE FUNCTION journaling.search_prepare(query pg_catalog.text, owner pg_catalog.uuid,
                                          options pg_catalog.jsonb,
                                          OUT tsq pg_catalog.tsquery, OUT snippet_options pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    fuzzy pg_catalog.bool := true;
    threshold pg_catalog.float4 := 0.3;
    key pg_catalog.text;
BEGIN
    snippet_options := 'MaxWords=35, MinWords=15, MaxFragments=3';
    IF options IS NOT NULL THEN
        IF pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.<>) 'object' THEN
            RAISE EXCEPTION 'search options must be a JSON object'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOR key IN SELECT k FROM pg_catalog.jsonb_object_keys(options) AS k LOOP
            IF key OPERATOR(pg_catalog.=) 'fuzzy' THEN
                fuzzy := (options OPERATOR(pg_catalog.->>) 'fuzzy')::pg_catalog.bool;
            ELSIF key OPERATOR(pg_catalog.=) 'similarity' THEN
                threshold := (options OPERATOR(pg_catalog.->>) 'similarity')::pg_catalog.float4;
            ELSIF key OPERATOR(pg_catalog.=) 'snippet' THEN
                snippet_options := options OPERATOR(pg_catalog.->>) 'snippet';
            ELSE
                RAISE EXCEPTION 'unrecognized search option "%"', key
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'Known options are fuzzy, similarity and snippet.';
            END IF;
        END LOOP;
    END IF;
    IF query IS NULL THEN
        RETURN;
    END IF;
    tsq := pg_catalog.websearch_to_tsquery('english'::pg_catalog.regconfig, query);
    IF fuzzy THEN
        tsq := journaling.search_correct_query(tsq, owner, threshold);
    END IF;
END
$body$
$fmt$;

    -- STABLE: reads tables only.  Not STRICT: user_id NULL means every visible row.
    -- LANGUAGE sql: PL/pgSQL refuses an argument and a result column both named user_id.
    EXECUTE $fmt$
CREATE FUNCTION journaling.search(query pg_catalog.text, user_id pg_catalog.uuid DEFAULT NULL,
                                  max_results pg_catalog.int4 DEFAULT 20,
                                  options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(entry_id pg_catalog.uuid, user_id pg_catalog.uuid, entry_date pg_catalog.date,
              title pg_catalog.text, rank pg_catalog.float4, snippet pg_catalog.text,
              matched_query pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    -- Rank and order every matching visible row, then make snippets for the
    -- chosen few only.  One branch per case, so that the plan (made once,
    -- for any argument values) can use the (user_id, ...) btree indexes for
    -- one user -- which row-level security leaves usable, @@ not being
    -- leakproof -- and the GIN index for everyone; the other branch is
    -- skipped at run time.
    SELECT r.id, r.user_id, r.entry_date, r.title, r.rank,
           journaling.snippet('english'::pg_catalog.regconfig, r.content, p.tsq, p.snippet_options),
           p.tsq::pg_catalog.text
      FROM journaling.search_prepare($1, COALESCE($2, journaling.current_user_id()), $4) AS p,
           LATERAL ((SELECT e.id, e.user_id, e.entry_date, e.title, e.content,
                            pg_catalog.ts_rank_cd(e.search_vector, p.tsq) AS rank
                       FROM journaling.journal_entries e
                      WHERE $2 IS NOT NULL
                        AND e.user_id OPERATOR(pg_catalog.=) $2
                        AND e.search_vector OPERATOR(pg_catalog.@@) p.tsq
                      ORDER BY rank DESC, e.entry_date DESC, e.id
                      LIMIT $3)
                    UNION ALL
                    (SELECT e.id, e.user_id, e.entry_date, e.title, e.content,
                            pg_catalog.ts_rank_cd(e.search_vector, p.tsq) AS rank
                       FROM journaling.journal_entries e
                      WHERE $2 IS NULL
                        AND e.search_vector OPERATOR(pg_catalog.@@) p.tsq
                      ORDER BY rank DESC, e.entry_date DESC, e.id
                      LIMIT $3)) AS r
     ORDER BY r.rank DESC, r.entry_date DESC, r.id
$body$
$fmt$;

    -- STABLE: reads tables only.  Not STRICT: user_id NULL means every visible row.
    EXECUTE $fmt$
CREATE FUNCTION journaling.search_messages(query pg_catalog.text, user_id pg_catalog.uuid DEFAULT NULL,
                                           max_results pg_catalog.int4 DEFAULT 20)
RETURNS TABLE(session_id pg_catalog.uuid, seq pg_catalog.int4, role pg_catalog.text,
              created_at pg_catalog.timestamptz, rank pg_catalog.float4, snippet pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
#variable_conflict use_column
DECLARE
    q pg_catalog.tsquery;
BEGIN
    IF search_messages.query IS NULL THEN
        RETURN;
    END IF;
    q := pg_catalog.websearch_to_tsquery('english'::pg_catalog.regconfig, search_messages.query);
    -- Messages carry no stored vector: each visible message of the user is
    -- vectorized from at most its first 256 kB (a tsvector is limited to 1 MB).
    RETURN QUERY
    SELECT r.session_id, r.seq, r.role, r.created_at, r.rank,
           journaling.snippet('english'::pg_catalog.regconfig, r.content, q)
      FROM (SELECT m.session_id, m.seq, m.role, m.created_at, m.content,
                   pg_catalog.ts_rank_cd(v.v, q) AS rank
              FROM journaling.messages m,
                   LATERAL (SELECT pg_catalog.to_tsvector('english'::pg_catalog.regconfig,
                                     pg_catalog.left(m.content, 262144)) AS v) v
             WHERE (search_messages.user_id IS NULL OR m.user_id OPERATOR(pg_catalog.=) search_messages.user_id)
               AND m.content IS NOT NULL
               AND v.v OPERATOR(pg_catalog.@@) q
             ORDER BY rank DESC, m.created_at DESC, m.session_id, m.seq
             LIMIT search_messages.max_results) r
     ORDER BY r.rank DESC, r.created_at DESC, r.session_id, r.seq;
END
$body$
$fmt$;

    -- STABLE: reads tables and the pg_trgm.similarity_threshold setting.
    EXECUTE pg_catalog.format($fmt$
CREATE FUNCTION journaling.similar_topics(name pg_catalog.text, user_id pg_catalog.uuid DEFAULT NULL,
                                          max_results pg_catalog.int4 DEFAULT 10)
RETURNS TABLE(topic_id pg_catalog.uuid, name pg_catalog.text, similarity pg_catalog.float4)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT t.id, t.name, %1$I.similarity(t.name, $1)
      FROM journaling.topics t
     WHERE ($2 IS NULL OR t.user_id OPERATOR(pg_catalog.=) $2)
       AND t.name OPERATOR(%1$I.%%) $1
     ORDER BY 3 DESC, t.name, t.id
     LIMIT $3
$body$
$fmt$, trgm);
END
$search$;

COMMENT ON FUNCTION journaling.search_correct_query(pg_catalog.tsquery, pg_catalog.uuid, pg_catalog.float4) IS
'Typo correction for search(): every operand that matches none of the owner''s entries is replaced by the most similar lexeme (pg_trgm similarity >= threshold) of that owner''s own entries';
COMMENT ON FUNCTION journaling.search_prepare(pg_catalog.text, pg_catalog.uuid, pg_catalog.jsonb) IS
'Query preparation for search(): validates the options and builds the tsquery (websearch syntax, english), typo-corrected for the owner unless fuzzy is false';
COMMENT ON FUNCTION journaling.search(pg_catalog.text, pg_catalog.uuid, pg_catalog.int4, pg_catalog.jsonb) IS
'Full-text search of journal entries (websearch syntax, english), ranked by ts_rank_cd, with snippets and typo correction; user_id NULL searches every row the caller may see';
COMMENT ON FUNCTION journaling.search_messages(pg_catalog.text, pg_catalog.uuid, pg_catalog.int4) IS
'Full-text search of chat messages (websearch syntax, english), ranked by ts_rank_cd, with snippets; user_id NULL searches every message the caller may see';
COMMENT ON FUNCTION journaling.similar_topics(pg_catalog.text, pg_catalog.uuid, pg_catalog.int4) IS
'Topics whose names are similar to a name (pg_trgm similarity above pg_trgm.similarity_threshold), most similar first';

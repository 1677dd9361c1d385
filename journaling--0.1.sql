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
    counts      pg_catalog.jsonb NOT NULL DEFAULT '{}',
    notes       pg_catalog.int8 NOT NULL DEFAULT 0,
    CONSTRAINT import_runs_pkey PRIMARY KEY (id)
);
ALTER SEQUENCE journaling.import_runs_id_seq OWNED BY journaling.import_runs.id;
COMMENT ON TABLE journaling.import_runs IS
'One row per import call: what was read, by whom, and the record counts (in total and per target table in counts)';

CREATE TABLE journaling.import_errors (
    run_id      pg_catalog.int8 NOT NULL,
    file        pg_catalog.text NOT NULL,
    ordinal     pg_catalog.int8 NOT NULL,
    byte_offset pg_catalog.int8 NOT NULL,
    kind        pg_catalog.text NOT NULL,
    source_id   pg_catalog.text,
    sqlstate    pg_catalog.text NOT NULL,
    message     pg_catalog.text NOT NULL,
    CONSTRAINT import_errors_pkey PRIMARY KEY (run_id, file, ordinal, kind),
    CONSTRAINT import_errors_run_fkey FOREIGN KEY (run_id) REFERENCES journaling.import_runs (id) ON DELETE CASCADE
);
COMMENT ON TABLE journaling.import_errors IS
'One row per record an import rejected (kind = its target table; kind note = a non-failure remark such as non-finite numbers): file, 1-based ordinal, byte offset, SQLSTATE and message';

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
        'GRANT SELECT ON journaling.daily_stats, journaling.user_statistics, '
        'journaling.daily_stats_live, journaling.user_statistics_live TO %s', role_name);
    -- mood_trend() reads the caller's own pending days (row-level security).
    EXECUTE pg_catalog.format('GRANT SELECT ON journaling.stats_changes TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION journaling.set_user(pg_catalog.uuid, pg_catalog.bool) TO %s',
        role_name);
    -- Legacy import of client-supplied documents (under row-level security);
    -- the server-file functions additionally need pg_read_server_files.
    EXECUTE pg_catalog.format(
        'GRANT SELECT, INSERT, UPDATE ON journaling.import_runs TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT SELECT, INSERT ON journaling.import_errors TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT USAGE ON SEQUENCE journaling.import_runs_id_seq TO %s', role_name);
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION journaling.read_records(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb), '
        'journaling.import_json(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb), '
        'journaling.import_report(pg_catalog.int8) TO %s', role_name);
END
$body$;

REVOKE ALL ON FUNCTION journaling.grant_app_role(pg_catalog.regrole) FROM PUBLIC;

COMMENT ON FUNCTION journaling.grant_app_role(pg_catalog.regrole) IS
'Grant an application role what it needs and no more: the per-user tables (under row-level security), the shared knowledge base and the materialized statistics read-only, set_user(), and import_json/read_records/import_report with its own import bookkeeping';

--------------------------------------------------------------------------------
-- Mood statistics (src/moodstats.c)
--
-- journaling.moodstats is a fixed-size aggregate state: count, exact day sums,
-- double-double mood sums, min/max mood and first/last day.  Its accessors
-- agree with count, avg, var_samp, stddev_samp, min, max and regr_slope over
-- the same rows.  A NULL mood is ignored; a NULL day still counts the mood
-- but not for slope, first_day and last_day.
--------------------------------------------------------------------------------

CREATE TYPE journaling.moodstats;

CREATE FUNCTION journaling.moodstats_in(pg_catalog.cstring)
RETURNS journaling.moodstats
AS 'MODULE_PATHNAME', 'journaling_moodstats_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.moodstats_in(pg_catalog.cstring) IS
'Input function of journaling.moodstats';

CREATE FUNCTION journaling.moodstats_out(journaling.moodstats)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'journaling_moodstats_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.moodstats_out(journaling.moodstats) IS
'Output function of journaling.moodstats (exact: reads back to the same value)';

CREATE FUNCTION journaling.moodstats_recv(pg_catalog.internal)
RETURNS journaling.moodstats
AS 'MODULE_PATHNAME', 'journaling_moodstats_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.moodstats_recv(pg_catalog.internal) IS
'Binary input function of journaling.moodstats';

CREATE FUNCTION journaling.moodstats_send(journaling.moodstats)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'journaling_moodstats_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.moodstats_send(journaling.moodstats) IS
'Binary output function of journaling.moodstats';

CREATE TYPE journaling.moodstats (
    INTERNALLENGTH = 136,
    INPUT = journaling.moodstats_in,
    OUTPUT = journaling.moodstats_out,
    RECEIVE = journaling.moodstats_recv,
    SEND = journaling.moodstats_send,
    ALIGNMENT = double,
    STORAGE = plain
);

COMMENT ON TYPE journaling.moodstats IS
'Mergeable mood statistics of a set of (mood, day) rows: count, mean, variance, min, max, first/last day and least-squares slope';

-- Accessors: pure functions of the state.
CREATE FUNCTION journaling.n(journaling.moodstats)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'journaling_moodstats_n'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.n(journaling.moodstats) IS
'Number of non-NULL moods, as count(mood)';

CREATE FUNCTION journaling.mean(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mean(journaling.moodstats) IS
'Mean mood, as avg(mood); NULL without moods';

CREATE FUNCTION journaling.stddev(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_stddev'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.stddev(journaling.moodstats) IS
'Sample standard deviation of the moods, as stddev_samp(mood); NULL with fewer than two moods';

CREATE FUNCTION journaling.variance(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_variance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.variance(journaling.moodstats) IS
'Sample variance of the moods, as var_samp(mood); NULL with fewer than two moods';

CREATE FUNCTION journaling.min_mood(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_min_mood'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.min_mood(journaling.moodstats) IS
'Least mood, as min(mood); NULL without moods';

CREATE FUNCTION journaling.max_mood(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_max_mood'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.max_mood(journaling.moodstats) IS
'Greatest mood, as max(mood); NULL without moods';

CREATE FUNCTION journaling.first_day(journaling.moodstats)
RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'journaling_moodstats_first_day'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.first_day(journaling.moodstats) IS
'Earliest day of the rows with both a mood and a day; NULL without such rows';

CREATE FUNCTION journaling.last_day(journaling.moodstats)
RETURNS pg_catalog.date
AS 'MODULE_PATHNAME', 'journaling_moodstats_last_day'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.last_day(journaling.moodstats) IS
'Latest day of the rows with both a mood and a day; NULL without such rows';

CREATE FUNCTION journaling.slope(journaling.moodstats)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_moodstats_slope'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.slope(journaling.moodstats) IS
'Least-squares mood change per day, as regr_slope(mood, day - date ''2000-01-01''); NULL with fewer than two distinct days';

-- Aggregate support.  Transition functions are not STRICT: a NULL day still
-- counts the mood, a NULL mood is skipped.
CREATE FUNCTION journaling.mood_agg_trans(journaling.moodstats, pg_catalog.float8, pg_catalog.date)
RETURNS journaling.moodstats
AS 'MODULE_PATHNAME', 'journaling_mood_agg_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_agg_trans(journaling.moodstats, pg_catalog.float8, pg_catalog.date) IS
'Transition function of mood_agg: add one (mood, day) row';

CREATE FUNCTION journaling.moodstats_combine(journaling.moodstats, journaling.moodstats)
RETURNS journaling.moodstats
AS 'MODULE_PATHNAME', 'journaling_moodstats_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journaling.moodstats_combine(journaling.moodstats, journaling.moodstats) IS
'Merge two mood statistics: combine function of mood_agg and rollup, transition function of rollup';

CREATE FUNCTION journaling.mood_agg_mtrans(pg_catalog.internal, pg_catalog.float8, pg_catalog.date)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'journaling_mood_agg_mtrans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_agg_mtrans(pg_catalog.internal, pg_catalog.float8, pg_catalog.date) IS
'Moving-window transition function of mood_agg: add one row to the frame';

CREATE FUNCTION journaling.mood_agg_minv(pg_catalog.internal, pg_catalog.float8, pg_catalog.date)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'journaling_mood_agg_minv'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_agg_minv(pg_catalog.internal, pg_catalog.float8, pg_catalog.date) IS
'Moving-window inverse transition function of mood_agg: remove the earliest row of the frame';

-- Not STRICT: an empty frame gives the empty state.
CREATE FUNCTION journaling.mood_agg_mfinal(pg_catalog.internal)
RETURNS journaling.moodstats
AS 'MODULE_PATHNAME', 'journaling_mood_agg_mfinal'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_agg_mfinal(pg_catalog.internal) IS
'Moving-window final function of mood_agg: the statistics of the current frame';

CREATE AGGREGATE journaling.mood_agg(mood pg_catalog.float8, day pg_catalog.date) (
    SFUNC = journaling.mood_agg_trans,
    STYPE = journaling.moodstats,
    INITCOND = '(v=1,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)',
    COMBINEFUNC = journaling.moodstats_combine,
    MSFUNC = journaling.mood_agg_mtrans,
    MINVFUNC = journaling.mood_agg_minv,
    MSTYPE = pg_catalog.internal,
    MSSPACE = 512,
    MFINALFUNC = journaling.mood_agg_mfinal,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journaling.mood_agg(pg_catalog.float8, pg_catalog.date) IS
'Mood statistics of the rows (NULL moods ignored); parallel-safe, and O(1) per row in moving windows (OVER (... ROWS n PRECEDING))';

CREATE AGGREGATE journaling.rollup(journaling.moodstats) (
    SFUNC = journaling.moodstats_combine,
    STYPE = journaling.moodstats,
    INITCOND = '(v=1,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)',
    COMBINEFUNC = journaling.moodstats_combine,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journaling.rollup(journaling.moodstats) IS
'Merge mood statistics (e.g. per-day states into a month): equals mood_agg over the underlying rows';

-- Not STRICT: NULL moods are skipped but every alpha is checked.
CREATE FUNCTION journaling.mood_ewma_trans(pg_catalog.internal, pg_catalog.float8, pg_catalog.float8)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'journaling_mood_ewma_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_ewma_trans(pg_catalog.internal, pg_catalog.float8, pg_catalog.float8) IS
'Transition function of mood_ewma';

-- Not STRICT: runs on the state even when no mood was seen, returning NULL.
CREATE FUNCTION journaling.mood_ewma_final(pg_catalog.internal)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'journaling_mood_ewma_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_ewma_final(pg_catalog.internal) IS
'Final function of mood_ewma';

CREATE AGGREGATE journaling.mood_ewma(mood pg_catalog.float8, alpha pg_catalog.float8) (
    SFUNC = journaling.mood_ewma_trans,
    STYPE = pg_catalog.internal,
    FINALFUNC = journaling.mood_ewma_final,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journaling.mood_ewma(pg_catalog.float8, pg_catalog.float8) IS
'Exponentially weighted moving average of the moods in the order given (mood_ewma(mood, 0.3 ORDER BY day)): s1 = x1, sk = alpha*xk + (1-alpha)*s(k-1); NULL moods skipped';

-- STABLE: reads journal_entries (under row-level security).  Not STRICT: the
-- since/until defaults are NULL.
CREATE FUNCTION journaling.mood_trend(user_id pg_catalog.uuid,
                                      bucket pg_catalog.text DEFAULT 'week',
                                      since pg_catalog.date DEFAULT NULL,
                                      until pg_catalog.date DEFAULT NULL)
RETURNS TABLE(bucket_start pg_catalog.date, entries pg_catalog.int8, avg_mood pg_catalog.float8,
              stddev_mood pg_catalog.float8, min_mood pg_catalog.float8, max_mood pg_catalog.float8,
              slope pg_catalog.float8, moving_avg pg_catalog.float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$
#variable_conflict use_column
DECLARE
    span pg_catalog.interval;
BEGIN
    IF bucket IS NULL THEN
        RAISE EXCEPTION 'bucket must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Use ''day'', ''week'' or ''month''.';
    ELSIF bucket OPERATOR(pg_catalog.=) 'day' THEN
        span := pg_catalog.make_interval(days => 3);
    ELSIF bucket OPERATOR(pg_catalog.=) 'week' THEN
        span := pg_catalog.make_interval(weeks => 3);
    ELSIF bucket OPERATOR(pg_catalog.=) 'month' THEN
        span := pg_catalog.make_interval(months => 3);
    ELSE
        RAISE EXCEPTION 'unknown bucket "%"', bucket
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''day'', ''week'' or ''month''.';
    END IF;

    -- Per-day states: the days materialized by the last statistics refresh,
    -- except those written since (pending in the change log), which are
    -- aggregated from the entries themselves.  Both read as the caller, so
    -- row-level security applies to every source.
    RETURN QUERY
    WITH pending AS (
        SELECT DISTINCT c.day
          FROM journaling.stats_changes c
         WHERE c.user_id OPERATOR(pg_catalog.=) mood_trend.user_id
    ), days AS (
        SELECT d.day, d.entries AS n_entries, d.mood AS st
          FROM journaling.daily_stats d
         WHERE d.user_id OPERATOR(pg_catalog.=) mood_trend.user_id
           AND (mood_trend.since IS NULL OR d.day OPERATOR(pg_catalog.>=) mood_trend.since)
           AND (mood_trend.until IS NULL OR d.day OPERATOR(pg_catalog.<=) mood_trend.until)
           AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.day OPERATOR(pg_catalog.=) d.day)
        UNION ALL
        SELECT e.entry_date, pg_catalog.count(*),
               journaling.mood_agg(e.mood_score::pg_catalog.float8, e.entry_date)
          FROM journaling.journal_entries e
          JOIN pending p ON p.day OPERATOR(pg_catalog.=) e.entry_date
         WHERE e.user_id OPERATOR(pg_catalog.=) mood_trend.user_id
           AND (mood_trend.since IS NULL OR e.entry_date OPERATOR(pg_catalog.>=) mood_trend.since)
           AND (mood_trend.until IS NULL OR e.entry_date OPERATOR(pg_catalog.<=) mood_trend.until)
         GROUP BY e.entry_date
    ), buckets AS (
        SELECT pg_catalog.date_trunc(mood_trend.bucket, days.day::pg_catalog.timestamp)::pg_catalog.date AS b,
               pg_catalog.sum(days.n_entries)::pg_catalog.int8 AS n_entries,
               journaling.rollup(days.st) AS st
          FROM days
         GROUP BY 1
    )
    SELECT k.b,
           k.n_entries,
           journaling.mean(k.st),
           journaling.stddev(k.st),
           journaling.min_mood(k.st),
           journaling.max_mood(k.st),
           journaling.slope(k.st),
           journaling.mean(journaling.rollup(k.st) OVER (ORDER BY k.b RANGE BETWEEN span PRECEDING AND CURRENT ROW))
      FROM buckets k
     ORDER BY k.b;
END
$body$;

COMMENT ON FUNCTION journaling.mood_trend(pg_catalog.uuid, pg_catalog.text, pg_catalog.date, pg_catalog.date) IS
'Mood per day, ISO week or month bucket of one user''s entries (only buckets with entries); moving_avg is the mean mood of the current and three preceding calendar buckets, weighted by mood count. Reads the per-day states of journaling.daily_stats and aggregates only the days written since the last refresh from the entries, so the answer is always current. Row-level security applies';

-- STABLE: reads journal_entries (under row-level security) and CURRENT_DATE.
-- Not STRICT so that a NULL user gives (0, 0) like an unknown one.
CREATE FUNCTION journaling.streaks(user_id pg_catalog.uuid)
RETURNS TABLE(current_streak pg_catalog.int4, longest_streak pg_catalog.int4)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$
    WITH days AS (
        SELECT DISTINCT e.entry_date AS d
          FROM journaling.journal_entries e
         WHERE e.user_id OPERATOR(pg_catalog.=) streaks.user_id
    ), runs AS (
        SELECT pg_catalog.min(g.d) AS first_d, pg_catalog.max(g.d) AS last_d,
               pg_catalog.count(*)::pg_catalog.int4 AS len
          FROM (SELECT days.d,
                       days.d OPERATOR(pg_catalog.-)
                           (pg_catalog.row_number() OVER (ORDER BY days.d))::pg_catalog.int4 AS grp
                  FROM days) g
         GROUP BY g.grp
    )
    SELECT COALESCE(pg_catalog.max(r.len) FILTER (
               WHERE r.first_d OPERATOR(pg_catalog.<=) CURRENT_DATE
                 AND r.last_d OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) 1)), 0),
           COALESCE(pg_catalog.max(r.len), 0)
      FROM runs r
$body$;

COMMENT ON FUNCTION journaling.streaks(pg_catalog.uuid) IS
'Runs of consecutive days with at least one entry: the run that includes today or yesterday (CURRENT_DATE, session time zone), else 0, and the longest run. Row-level security applies';

--------------------------------------------------------------------------------
-- Materialized statistics (src/refresh.c, src/stats_capture.c)
--
-- Writes to journal_entries only append the (user_id, day) pairs they touch
-- to journaling.stats_changes (statement-level triggers over transition
-- tables).  journaling.refresh_statistics() consumes that change log and
-- recomputes the touched days (daily_stats) and users (user_statistics);
-- journaling.daily_stats_live and journaling.user_statistics_live compute the
-- same rows from scratch and are the oracle the tests compare with.
--
-- Per-day mood states are aggregated in entry id order and rolled up per user
-- in day order, both here and in the refresh, so the stored statistics equal
-- the live ones bit for bit, not just to rounding.
--------------------------------------------------------------------------------

CREATE TABLE journaling.daily_stats (
    user_id pg_catalog.uuid NOT NULL,
    day     pg_catalog.date NOT NULL,
    entries pg_catalog.int8 NOT NULL,
    words   pg_catalog.int8 NOT NULL,
    mood    journaling.moodstats NOT NULL,
    CONSTRAINT daily_stats_pkey PRIMARY KEY (user_id, day)
);
COMMENT ON TABLE journaling.daily_stats IS
'Per user and day with entries (entry_date): statistics materialized by journaling.refresh_statistics(); a row is visible only to its user';
COMMENT ON COLUMN journaling.daily_stats.entries IS
'Number of entries of the user on the day';
COMMENT ON COLUMN journaling.daily_stats.words IS
'Sum of word_count of those entries';
COMMENT ON COLUMN journaling.daily_stats.mood IS
'journaling.mood_agg(mood_score, entry_date ORDER BY id) over those entries (NULL moods ignored)';

CREATE TABLE journaling.user_statistics (
    user_id          pg_catalog.uuid NOT NULL,
    total_entries    pg_catalog.int8 NOT NULL,
    total_words      pg_catalog.int8 NOT NULL,
    avg_mood         pg_catalog.float8,
    mood_stddev      pg_catalog.float8,
    mood_slope       pg_catalog.float8,
    first_entry_date pg_catalog.date NOT NULL,
    last_entry_date  pg_catalog.date NOT NULL,
    active_months    pg_catalog.int4 NOT NULL,
    current_streak   pg_catalog.int4 NOT NULL,
    longest_streak   pg_catalog.int4 NOT NULL,
    top_tags         pg_catalog.text[] NOT NULL,
    refreshed_at     pg_catalog.timestamptz NOT NULL,
    CONSTRAINT user_statistics_pkey PRIMARY KEY (user_id)
);
COMMENT ON TABLE journaling.user_statistics IS
'Per user with at least one entry: statistics materialized by journaling.refresh_statistics(), equal to journaling.user_statistics_live after a refresh; a row is visible only to its user';
COMMENT ON COLUMN journaling.user_statistics.total_entries IS
'Number of entries of the user';
COMMENT ON COLUMN journaling.user_statistics.total_words IS
'Sum of word_count over the user''s entries';
COMMENT ON COLUMN journaling.user_statistics.avg_mood IS
'Mean of the non-NULL mood_score values (as avg); NULL without moods';
COMMENT ON COLUMN journaling.user_statistics.mood_stddev IS
'Sample standard deviation of the non-NULL mood_score values (as stddev_samp); NULL with fewer than two';
COMMENT ON COLUMN journaling.user_statistics.mood_slope IS
'Least-squares mood change per day: regr_slope(mood_score, entry_date - date ''2000-01-01''); NULL with fewer than two distinct days with a mood';
COMMENT ON COLUMN journaling.user_statistics.first_entry_date IS
'Earliest entry_date of the user';
COMMENT ON COLUMN journaling.user_statistics.last_entry_date IS
'Latest entry_date of the user';
COMMENT ON COLUMN journaling.user_statistics.active_months IS
'Number of distinct calendar months with at least one entry';
COMMENT ON COLUMN journaling.user_statistics.current_streak IS
'As journaling.streaks(): length of the run of consecutive entry days that includes the refresh''s CURRENT_DATE or the day before (and starts no later than CURRENT_DATE), else 0';
COMMENT ON COLUMN journaling.user_statistics.longest_streak IS
'As journaling.streaks(): length of the longest run of consecutive entry days';
COMMENT ON COLUMN journaling.user_statistics.top_tags IS
'The 5 most frequent non-NULL tags (occurrences in the tags arrays of the user''s entries), most frequent first, ties by tag in "C" collation order; empty when none';
COMMENT ON COLUMN journaling.user_statistics.refreshed_at IS
'Start of the transaction that last recomputed the row (now())';

CREATE TABLE journaling.stats_changes (
    user_id    pg_catalog.uuid NOT NULL,
    day        pg_catalog.date NOT NULL,
    changed_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE journaling.stats_changes IS
'Change log: (user_id, day) pairs touched by writes to journal_entries since they were last consumed by journaling.refresh_statistics(); written by the capture triggers only, no privileges for application roles. Deliberately without index (the capture trigger appends to its heap directly; it falls back to a slower INSERT if an index, trigger or rule is added)';

CREATE SEQUENCE journaling.refresh_log_id_seq;

CREATE TABLE journaling.refresh_log (
    id          pg_catalog.int8 NOT NULL DEFAULT pg_catalog.nextval('journaling.refresh_log_id_seq'::pg_catalog.regclass),
    started_at  pg_catalog.timestamptz NOT NULL,
    finished_at pg_catalog.timestamptz NOT NULL,
    mode        pg_catalog.text NOT NULL,
    users       pg_catalog.int8 NOT NULL,
    days        pg_catalog.int8 NOT NULL,
    changes     pg_catalog.int8 NOT NULL,
    duration    pg_catalog.interval NOT NULL,
    as_of       pg_catalog.date,
    run_by      pg_catalog.name NOT NULL DEFAULT SESSION_USER,
    CONSTRAINT refresh_log_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_log_mode_known CHECK (mode OPERATOR(pg_catalog.=) ANY ('{incremental,bulk,full,skipped}'::pg_catalog.text[]))
);
ALTER SEQUENCE journaling.refresh_log_id_seq OWNED BY journaling.refresh_log.id;
COMMENT ON TABLE journaling.refresh_log IS
'One row per call of journaling.refresh_statistics(): mode, users and days recomputed, change-log rows consumed, timing; a table for administrators (no per-user data, no row-level security, no privileges for application roles)';
COMMENT ON COLUMN journaling.refresh_log.as_of IS
'CURRENT_DATE of the run: the day current_streak values refer to (NULL when skipped)';

CREATE INDEX daily_stats_day_idx ON journaling.daily_stats (day);

-- The daily statistics computed from scratch (row-level security applies).
CREATE VIEW journaling.daily_stats_live WITH (security_invoker = true) AS
SELECT e.user_id,
       e.entry_date AS day,
       pg_catalog.count(*) AS entries,
       pg_catalog.sum(e.word_count) AS words,
       journaling.mood_agg(e.mood_score::pg_catalog.float8, e.entry_date ORDER BY e.id) AS mood
  FROM journaling.journal_entries e
 GROUP BY e.user_id, e.entry_date;

COMMENT ON VIEW journaling.daily_stats_live IS
'journaling.daily_stats computed from scratch from journal_entries (security_invoker: the caller sees only their own rows)';

-- The user statistics computed from scratch: the oracle of user_statistics.
-- refresh_statistics() runs the same query over journaling.daily_stats.
CREATE VIEW journaling.user_statistics_live WITH (security_invoker = true) AS
WITH d AS (
    SELECT s.user_id, s.day, s.entries, s.words, s.mood,
           s.day OPERATOR(pg_catalog.-)
               (pg_catalog.row_number() OVER (PARTITION BY s.user_id ORDER BY s.day))::pg_catalog.int4 AS grp
      FROM journaling.daily_stats_live s
), totals AS (
    SELECT d.user_id,
           pg_catalog.sum(d.entries)::pg_catalog.int8 AS total_entries,
           pg_catalog.sum(d.words)::pg_catalog.int8 AS total_words,
           journaling.rollup(d.mood ORDER BY d.day) AS st,
           pg_catalog.min(d.day) AS first_entry_date,
           pg_catalog.max(d.day) AS last_entry_date,
           pg_catalog.count(DISTINCT pg_catalog.date_trunc('month', d.day::pg_catalog.timestamp))::pg_catalog.int4 AS active_months
      FROM d
     GROUP BY d.user_id
), runs AS (
    SELECT d.user_id, pg_catalog.min(d.day) AS first_d, pg_catalog.max(d.day) AS last_d,
           pg_catalog.count(*)::pg_catalog.int4 AS len
      FROM d
     GROUP BY d.user_id, d.grp
), streaks AS (
    SELECT r.user_id,
           COALESCE(pg_catalog.max(r.len) FILTER (
               WHERE r.first_d OPERATOR(pg_catalog.<=) CURRENT_DATE
                 AND r.last_d OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) 1)), 0) AS current_streak,
           pg_catalog.max(r.len) AS longest_streak
      FROM runs r
     GROUP BY r.user_id
), tags AS (
    SELECT c.user_id,
           pg_catalog.array_agg(c.tag ORDER BY c.n DESC, c.tag COLLATE pg_catalog."C") AS top_tags
      FROM (SELECT x.user_id, x.tag, x.n,
                   pg_catalog.row_number() OVER (PARTITION BY x.user_id
                                                 ORDER BY x.n DESC, x.tag COLLATE pg_catalog."C") AS rank
              FROM (SELECT e.user_id, t.tag, pg_catalog.count(*) AS n
                      FROM journaling.journal_entries e
                     CROSS JOIN LATERAL pg_catalog.unnest(e.tags) AS t(tag)
                     WHERE t.tag IS NOT NULL
                     GROUP BY e.user_id, t.tag) x) c
     WHERE c.rank OPERATOR(pg_catalog.<=) 5
     GROUP BY c.user_id
)
SELECT t.user_id,
       t.total_entries,
       t.total_words,
       journaling.mean(t.st) AS avg_mood,
       journaling.stddev(t.st) AS mood_stddev,
       journaling.slope(t.st) AS mood_slope,
       t.first_entry_date,
       t.last_entry_date,
       t.active_months,
       s.current_streak,
       s.longest_streak,
       COALESCE(g.top_tags, '{}'::pg_catalog.text[]) AS top_tags,
       pg_catalog.now() AS refreshed_at
  FROM totals t
  JOIN streaks s ON s.user_id OPERATOR(pg_catalog.=) t.user_id
  LEFT JOIN tags g ON g.user_id OPERATOR(pg_catalog.=) t.user_id;

COMMENT ON VIEW journaling.user_statistics_live IS
'journaling.user_statistics computed from scratch from journal_entries, with current_streak as of the caller''s CURRENT_DATE and refreshed_at = now() (security_invoker: the caller sees only their own rows)';

-- Change capture: statement-level AFTER triggers over transition tables.
-- SECURITY DEFINER so that the writer's rows can be logged although
-- application roles have no privilege on journaling.stats_changes.
CREATE FUNCTION journaling.stats_capture_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'journaling_stats_capture_trigger'
LANGUAGE C SECURITY DEFINER;

REVOKE ALL ON FUNCTION journaling.stats_capture_trigger() FROM PUBLIC;

COMMENT ON FUNCTION journaling.stats_capture_trigger() IS
'Trigger that appends the (user_id, entry_date) pairs a statement on journal_entries touched (old and new rows) to journaling.stats_changes';

CREATE TRIGGER journal_entries_stats_insert
    AFTER INSERT ON journaling.journal_entries
    REFERENCING NEW TABLE AS journaling_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_capture_trigger();
CREATE TRIGGER journal_entries_stats_update
    AFTER UPDATE ON journaling.journal_entries
    REFERENCING OLD TABLE AS journaling_old_entries NEW TABLE AS journaling_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_capture_trigger();
CREATE TRIGGER journal_entries_stats_delete
    AFTER DELETE ON journaling.journal_entries
    REFERENCING OLD TABLE AS journaling_old_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_capture_trigger();
CREATE TRIGGER journal_entries_stats_truncate
    AFTER TRUNCATE ON journaling.journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_capture_trigger();

-- VOLATILE: writes the statistics tables.  Not STRICT: full defaults to false.
-- SECURITY DEFINER (the extension owner, a superuser, bypasses row-level
-- security; row_security = off makes any other owner fail instead of
-- silently reading a subset).  jit = off: compiling costs tens of
-- milliseconds per statement, more than a whole incremental run.
CREATE FUNCTION journaling.refresh_statistics(full pg_catalog.bool DEFAULT false)
RETURNS TABLE(mode pg_catalog.text, users pg_catalog.int8, days pg_catalog.int8,
              changes pg_catalog.int8, duration pg_catalog.interval)
AS 'MODULE_PATHNAME', 'journaling_refresh_statistics'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET jit = off;

REVOKE ALL ON FUNCTION journaling.refresh_statistics(pg_catalog.bool) FROM PUBLIC;

COMMENT ON FUNCTION journaling.refresh_statistics(pg_catalog.bool) IS
'Recompute daily_stats and user_statistics for the days and users changed since the last refresh (everything with full, or when most users changed) in one transaction; a concurrent call returns mode skipped (transaction-level advisory lock 7670314527420216168). For administrators: not executable by PUBLIC';

-- STABLE: only reads.  SECURITY DEFINER so that monitoring roles can be
-- granted it without reading the change log itself.
CREATE FUNCTION journaling.statistics_lag()
RETURNS TABLE(pending_changes pg_catalog.int8, oldest_change pg_catalog.timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $body$
    SELECT pg_catalog.count(*), pg_catalog.min(c.changed_at)
      FROM journaling.stats_changes c
$body$;

REVOKE ALL ON FUNCTION journaling.statistics_lag() FROM PUBLIC;

COMMENT ON FUNCTION journaling.statistics_lag() IS
'Change-log rows not yet consumed by refresh_statistics() and the time of the oldest (NULL when none). For administrators: not executable by PUBLIC';

-- VOLATILE: creates or changes a pg_cron job.  Runs as the caller, who
-- becomes the job's user and needs EXECUTE on refresh_statistics().
CREATE FUNCTION journaling.schedule_refresh(schedule pg_catalog.text DEFAULT '*/5 * * * *')
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    job_id pg_catalog.int8;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension x
                    WHERE x.extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'journaling.schedule_refresh() creates a pg_cron job, and pg_cron lives in the database named by cron.database_name.',
                  HINT = 'Add pg_cron to shared_preload_libraries, run CREATE EXTENSION pg_cron in the database where journaling is installed (set cron.database_name to it), or call SELECT journaling.refresh_statistics() from another scheduler.';
    END IF;
    IF pg_catalog.to_regprocedure('cron.schedule_in_database(text,text,text,text,text,boolean)') IS NULL THEN
        RAISE EXCEPTION 'pg_cron is too old for journaling.schedule_refresh()'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Upgrade pg_cron to version 1.4 or later (ALTER EXTENSION pg_cron UPDATE).';
    END IF;
    EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
       INTO job_id
      USING 'journaling.refresh_statistics@' OPERATOR(pg_catalog.||) pg_catalog.current_database(),
            schedule,
            'SELECT mode, users, days, changes, duration FROM journaling.refresh_statistics()',
            pg_catalog.current_database()::pg_catalog.text;
    RETURN job_id;
END
$body$;

REVOKE ALL ON FUNCTION journaling.schedule_refresh(pg_catalog.text) FROM PUBLIC;

COMMENT ON FUNCTION journaling.schedule_refresh(pg_catalog.text) IS
'Create (or reschedule) the pg_cron job "journaling.refresh_statistics@<database>" that runs refresh_statistics() in this database as the caller; returns the job id. Needs pg_cron 1.4+ installed in this database; raises feature_not_supported otherwise';

-- VOLATILE: removes a pg_cron job.
CREATE FUNCTION journaling.unschedule_refresh()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    job_id pg_catalog.int8;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension x
                    WHERE x.extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Nothing can be scheduled without pg_cron; see journaling.schedule_refresh().';
    END IF;
    EXECUTE 'SELECT j.jobid FROM cron.job j WHERE j.jobname OPERATOR(pg_catalog.=) $1 AND j.username OPERATOR(pg_catalog.=) CURRENT_USER'
       INTO job_id
      USING 'journaling.refresh_statistics@' OPERATOR(pg_catalog.||) pg_catalog.current_database();
    IF job_id IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT cron.unschedule($1)' USING job_id;
    RETURN true;
END
$body$;

REVOKE ALL ON FUNCTION journaling.unschedule_refresh() FROM PUBLIC;

COMMENT ON FUNCTION journaling.unschedule_refresh() IS
'Remove the pg_cron job created by schedule_refresh() (of the calling role, in this database); false when there was none';

-- Row-level security of daily_stats, user_statistics and stats_changes (the
-- change log, keyed like the entries as defence in depth) is set up with every
-- other per-user table at the end of this script; refresh_log holds no
-- per-user data.

SELECT pg_catalog.pg_extension_config_dump('journaling.daily_stats', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.user_statistics', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.stats_changes', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.refresh_log', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.refresh_log_id_seq', '');

--------------------------------------------------------------------------------
-- Legacy JSON import (src/import_*.c, src/json_reader.c)
--------------------------------------------------------------------------------

-- VOLATILE: its records carry ids derived per call (the owner comes from the
-- session identity or options); writes nothing.  STRICT: NULL in, no rows out.
CREATE FUNCTION journaling.read_records(document pg_catalog.text,
                                        format pg_catalog.text DEFAULT 'auto',
                                        options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(ordinal pg_catalog.int8, byte_offset pg_catalog.int8, kind pg_catalog.text,
              source_id pg_catalog.text, record pg_catalog.jsonb, error pg_catalog.text)
AS 'MODULE_PATHNAME', 'journaling_read_records'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.read_records(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
'Read a legacy JSON document and return one normalized record (target column names as keys) or error per source record; writes nothing';

-- VOLATILE: writes rows.
CREATE FUNCTION journaling.import_json(document pg_catalog.text,
                                       format pg_catalog.text DEFAULT 'auto',
                                       options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(kind pg_catalog.text, processed pg_catalog.int8, imported pg_catalog.int8,
              skipped pg_catalog.int8, failed pg_catalog.int8)
AS 'MODULE_PATHNAME', 'journaling_import_json'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.import_json(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
'Import a client-supplied legacy JSON document as the calling user (row-level security applies); one row per target table plus total';

-- VOLATILE: writes rows.  Requires pg_read_server_files (checked in C).
CREATE FUNCTION journaling.import_file(path pg_catalog.text,
                                       format pg_catalog.text DEFAULT 'auto',
                                       options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(kind pg_catalog.text, processed pg_catalog.int8, imported pg_catalog.int8,
              skipped pg_catalog.int8, failed pg_catalog.int8)
AS 'MODULE_PATHNAME', 'journaling_import_file'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.import_file(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
'Import a legacy JSON file from the server, streamed in chunks with bounded memory; requires pg_read_server_files';

-- VOLATILE: writes rows.  Requires pg_read_server_files (checked in C).
CREATE FUNCTION journaling.import_directory(path pg_catalog.text,
                                            options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(kind pg_catalog.text, processed pg_catalog.int8, imported pg_catalog.int8,
              skipped pg_catalog.int8, failed pg_catalog.int8)
AS 'MODULE_PATHNAME', 'journaling_import_directory'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.import_directory(pg_catalog.text, pg_catalog.jsonb) IS
'Import every *.json file under a legacy data folder (recursively, referenced tables first, formats detected); requires pg_read_server_files';

-- STABLE: reads tables only.  Not STRICT: a NULL run_id means the caller's last run.
CREATE FUNCTION journaling.import_report(run_id pg_catalog.int8 DEFAULT NULL)
RETURNS TABLE(item pg_catalog.text, value pg_catalog.text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $body$
WITH run AS (
    SELECT r.*
      FROM journaling.import_runs r
     WHERE r.id OPERATOR(pg_catalog.=) COALESCE($1,
               (SELECT pg_catalog.max(r2.id) FROM journaling.import_runs r2))
), errs AS (
    SELECT e.*
      FROM journaling.import_errors e, run
     WHERE e.run_id OPERATOR(pg_catalog.=) run.id
), lines AS (
    SELECT 1 AS o1, 0::pg_catalog.int8 AS o2, 'format'::pg_catalog.text AS item, run.format AS value FROM run
    UNION ALL
    SELECT 2, 0, 'mode', COALESCE(run.options OPERATOR(pg_catalog.->>) 'mode', 'best_effort')
           OPERATOR(pg_catalog.||) ', on_conflict '
           OPERATOR(pg_catalog.||) COALESCE(run.options OPERATOR(pg_catalog.->>) 'on_conflict', 'skip')
      FROM run
    UNION ALL
    SELECT 3, 0, 'status', CASE WHEN run.finished_at IS NULL THEN 'unfinished' ELSE 'finished' END FROM run
    UNION ALL
    SELECT 4, pg_catalog.row_number() OVER (ORDER BY c.key), c.key,
           pg_catalog.format('processed %s, imported %s, skipped %s, failed %s',
                             c.value OPERATOR(pg_catalog.->>) 'processed', c.value OPERATOR(pg_catalog.->>) 'imported',
                             c.value OPERATOR(pg_catalog.->>) 'skipped', c.value OPERATOR(pg_catalog.->>) 'failed')
      FROM run, pg_catalog.jsonb_each(run.counts) c
    UNION ALL
    SELECT 5, 0, 'total', pg_catalog.format('processed %s, imported %s, skipped %s, failed %s',
                                            run.processed, run.imported, run.skipped, run.failed)
      FROM run
    UNION ALL
    SELECT 6, 0, 'consistent',
           CASE WHEN (run.processed OPERATOR(pg_catalog.=)
                      ((run.imported OPERATOR(pg_catalog.+) run.skipped) OPERATOR(pg_catalog.+) run.failed))
                 AND (run.failed OPERATOR(pg_catalog.=)
                      (SELECT pg_catalog.count(*) FROM errs WHERE errs.kind OPERATOR(pg_catalog.<>) 'note'))
                THEN 'yes: processed = imported + skipped + failed, one import_errors row per failure'
                ELSE 'no' END
      FROM run
    UNION ALL
    SELECT 7, 0, 'notes', run.notes::pg_catalog.text FROM run
    UNION ALL
    SELECT 8, pg_catalog.row_number() OVER (ORDER BY errs.file, errs.ordinal, errs.kind),
           CASE WHEN errs.kind OPERATOR(pg_catalog.=) 'note' THEN 'note' ELSE 'error' END,
           pg_catalog.format('%s record %s at byte %s (%s%s): %s %s',
                             pg_catalog.regexp_replace(errs.file, '^.*/', ''), errs.ordinal, errs.byte_offset,
                             errs.kind, COALESCE(', ' OPERATOR(pg_catalog.||) errs.source_id, ''),
                             errs.sqlstate, errs.message)
      FROM errs
)
SELECT lines.item, lines.value FROM lines ORDER BY lines.o1, lines.o2;
$body$;

COMMENT ON FUNCTION journaling.import_report(pg_catalog.int8) IS
'Verification summary of an import run (default: the caller''s last): counts per target table and in total, whether they add up, and every rejected record';

--------------------------------------------------------------------------------
-- Full-text search (src/snippet.c, src/snippet_select.c)
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

--------------------------------------------------------------------------------
-- Row-level security: enabled and forced on every per-user table, one policy
-- per command, all keyed on journaling.current_user_id(), WITH CHECK on writes
-- so a row can neither be written for nor handed to another user.
--------------------------------------------------------------------------------
DO $rls$
DECLARE
    tbl pg_catalog.text;
    key pg_catalog.text;
    owner_is pg_catalog.text;
BEGIN
    FOR tbl, key IN
        SELECT t.tbl, t.key FROM (VALUES
            ('users', 'id'), ('topics', 'user_id'), ('journal_entries', 'user_id'),
            ('entry_topics', 'user_id'), ('sentiment_analysis', 'user_id'),
            ('psychology_insights', 'user_id'), ('chat_sessions', 'user_id'),
            ('messages', 'user_id'), ('user_memory', 'user_id'), ('usage', 'user_id'),
            ('daily_stats', 'user_id'), ('user_statistics', 'user_id'), ('stats_changes', 'user_id')
        ) AS t(tbl, key)
    LOOP
        owner_is := pg_catalog.format('%I OPERATOR(pg_catalog.=) journaling.current_user_id()', key);
        EXECUTE pg_catalog.format('ALTER TABLE journaling.%I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE pg_catalog.format('ALTER TABLE journaling.%I FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON journaling.%I FOR SELECT USING (%s)',
                                  tbl || '_select', tbl, owner_is);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON journaling.%I FOR INSERT WITH CHECK (%s)',
                                  tbl || '_insert', tbl, owner_is);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON journaling.%I FOR UPDATE USING (%s) WITH CHECK (%s)',
                                  tbl || '_update', tbl, owner_is, owner_is);
        EXECUTE pg_catalog.format('CREATE POLICY %I ON journaling.%I FOR DELETE USING (%s)',
                                  tbl || '_delete', tbl, owner_is);
    END LOOP;
END
$rls$;

/* journaling--0.1--0.2.sql: upgrade from 0.1 (the first release) to 0.2 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION journaling UPDATE TO '0.2'" to load this file. \quit

-- journaling--0.1.sql is released and frozen: every change since then is made
-- here, and a fresh CREATE EXTENSION runs 0.1 followed by this script.
-- Like the base script, every name is schema-qualified and every operator is
-- written OPERATOR(pg_catalog.x).

-- ==== hardening: catalog lint ====
-- Every object of the extension is commented (test/catalog_lint.sql); the
-- sequences were not.
COMMENT ON SEQUENCE journaling.import_runs_id_seq IS
'Ids of journaling.import_runs (owned by its id column; registered for pg_dump)';
COMMENT ON SEQUENCE journaling.refresh_log_id_seq IS
'Ids of journaling.refresh_log (owned by its id column; registered for pg_dump)';

-- ==== hardening: import bookkeeping per identity ====
-- One application role serves every user, so keying import_runs on the
-- database role alone let user A read user B's import reports (file names,
-- source ids, rejected records) through import_report() or a plain SELECT
-- (test/function_isolation.sql).  A run now belongs to the role that ran it
-- under the identity it ran with (identity is NULL when none was set);
-- import_errors follows through its policies' subquery on import_runs.
-- Written without IS [NOT] DISTINCT FROM, whose = would be looked up on the
-- search path.
DO $import_runs$
DECLARE
    own pg_catalog.text := 'run_by OPERATOR(pg_catalog.=) CURRENT_USER
        AND (identity OPERATOR(pg_catalog.=) journaling.current_user_id()
             OR (identity IS NULL AND journaling.current_user_id() IS NULL))';
BEGIN
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_select ON journaling.import_runs USING (%s)', own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_insert ON journaling.import_runs WITH CHECK (%s)', own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_update ON journaling.import_runs USING (%s) WITH CHECK (%s)', own, own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_delete ON journaling.import_runs USING (%s)', own);
END
$import_runs$;
COMMENT ON TABLE journaling.import_runs IS
'One row per import call: what was read, by whom (database role and application identity), and the record counts (in total and per target table in counts); visible to the role that ran it under the same identity';

-- ==== change capture ====
-- INSERT and UPDATE capture without transition tables (src/stats_capture.c).
-- The 0.1 statement triggers over transition tables made PostgreSQL copy
-- every written row into a tuplestore (even while disabled) for the sake of
-- two columns.  Now the WHEN conditions of two row triggers note the
-- (user_id, entry_date) pairs of each stored row (old and new on UPDATE, after
-- every BEFORE trigger) in backend memory and are always false, so no trigger
-- event is queued; a statement trigger writes the distinct pairs to
-- journaling.stats_changes at the end of each statement, in the
-- subtransaction that wrote the rows.  DELETE and TRUNCATE keep their 0.1
-- triggers over journaling.stats_capture_trigger().
DROP TRIGGER journal_entries_stats_insert ON journaling.journal_entries;
DROP TRIGGER journal_entries_stats_update ON journaling.journal_entries;

-- VOLATILE: notes state in backend memory.  STRICT: both columns are NOT
-- NULL.  Executable by PUBLIC (the default): a trigger's WHEN condition runs
-- with the writer's privileges.  Called directly it only adds a pair to the
-- next flush of the calling transaction, which makes a refresh recompute that
-- pair from the entries: more work, never a wrong or visible result.
CREATE FUNCTION journaling.stats_capture_note(user_id pg_catalog.uuid, day pg_catalog.date)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'journaling_stats_capture_note'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.stats_capture_note(pg_catalog.uuid, pg_catalog.date) IS
'WHEN condition of the journal_entries_stats_note_insert trigger: notes the (user_id, entry_date) pair of an inserted entry for the statement''s flush to journaling.stats_changes; always false (no trigger event is queued)';

CREATE FUNCTION journaling.stats_capture_note(old_user_id pg_catalog.uuid, old_day pg_catalog.date,
                                              new_user_id pg_catalog.uuid, new_day pg_catalog.date)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'journaling_stats_capture_note_update'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION journaling.stats_capture_note(pg_catalog.uuid, pg_catalog.date, pg_catalog.uuid, pg_catalog.date) IS
'WHEN condition of the journal_entries_stats_note_update trigger: notes the old and the new (user_id, entry_date) pair of an updated entry for the statement''s flush to journaling.stats_changes; always false (no trigger event is queued)';

-- Not SECURITY DEFINER: the direct heap append needs no privilege, and the
-- SPI fallback runs as the change log's owner.
CREATE FUNCTION journaling.stats_flush_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'journaling_stats_flush_trigger'
LANGUAGE C;

REVOKE ALL ON FUNCTION journaling.stats_flush_trigger() FROM PUBLIC;

COMMENT ON FUNCTION journaling.stats_flush_trigger() IS
'Statement trigger that appends the distinct (user_id, entry_date) pairs noted by journaling.stats_capture_note() in the current subtransaction to journaling.stats_changes';

-- The row triggers never fire their function (their WHEN is always false);
-- stats_flush_trigger() refuses to run as a row trigger.
CREATE TRIGGER journal_entries_stats_note_insert
    AFTER INSERT ON journaling.journal_entries
    FOR EACH ROW WHEN (journaling.stats_capture_note(NEW.user_id, NEW.entry_date))
    EXECUTE FUNCTION journaling.stats_flush_trigger();
CREATE TRIGGER journal_entries_stats_note_update
    AFTER UPDATE ON journaling.journal_entries
    FOR EACH ROW WHEN (journaling.stats_capture_note(OLD.user_id, OLD.entry_date, NEW.user_id, NEW.entry_date))
    EXECUTE FUNCTION journaling.stats_flush_trigger();
CREATE TRIGGER journal_entries_stats_flush
    AFTER INSERT OR UPDATE ON journaling.journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journaling.stats_flush_trigger();

COMMENT ON FUNCTION journaling.stats_capture_trigger() IS
'Statement trigger over transition tables that appends the (user_id, entry_date) pairs of the rows a DELETE on journal_entries removed (and, under the 0.1 install script, of the rows an INSERT or UPDATE wrote) to journaling.stats_changes, or every materialized pair after TRUNCATE';

-- ==== mood trend in C ====
-- mood_trend() was a PL/pgSQL function whose one query joined the pending
-- change log, the stored daily states and the entries, grouped, and ran a
-- rollup window: about 0.2 ms for a year of weeks, mostly planning and
-- executor overhead.  It is now C (src/mood_trend.c) over three saved generic
-- plans (pending days, stored daily states, entries of the pending days only
-- when there are any), run as the caller under row-level security, with the
-- buckets and the moving average formed in C.  Same signature, defaults and
-- answers (combined in day order).  A C function needs no search_path: every
-- name in its queries is schema-qualified.
CREATE OR REPLACE FUNCTION journaling.mood_trend(user_id pg_catalog.uuid,
                                                 bucket pg_catalog.text DEFAULT 'week',
                                                 since pg_catalog.date DEFAULT NULL,
                                                 until pg_catalog.date DEFAULT NULL)
RETURNS TABLE(bucket_start pg_catalog.date, entries pg_catalog.int8, avg_mood pg_catalog.float8,
              stddev_mood pg_catalog.float8, min_mood pg_catalog.float8, max_mood pg_catalog.float8,
              slope pg_catalog.float8, moving_avg pg_catalog.float8)
AS 'MODULE_PATHNAME', 'journaling_mood_trend'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION journaling.mood_trend(pg_catalog.uuid, pg_catalog.text, pg_catalog.date, pg_catalog.date) IS
'Mood per day, ISO week or month bucket of one user''s entries (only buckets with entries); moving_avg is the mean mood of the current and three preceding calendar buckets, weighted by mood count. Reads the per-day states of journaling.daily_stats and aggregates only the days written since the last refresh from the entries, so the answer is always current. Row-level security applies';

-- ==== search: ranking in C ====
-- journaling.search() for one user ranks in C (src/search.c): one scan of the
-- user's rows through the (user_id, ...) btree, run as the caller so
-- row-level security applies, each search_vector detoasted once for the
-- built-in @@ and ts_rank_cd, a bounded heap of the best rows, title and
-- content read for the kept rows only (or the search index, see "search:
-- per-user index" below).  The all-users query is unchanged.

-- The search vector is kept in the row (STORAGE MAIN: compressed, moved out
-- of line only as a last resort) and the content goes to the TOAST table
-- instead.  A vector is about as long as its entry and tsvectors barely
-- compress, so under the default EXTENDED storage nearly every vector was
-- stored out of line: ranking one user's entries then cost a TOAST index
-- lookup per row, over half of the time.  At 1 M entries over 1 000 users,
-- reading each vector of a user once took p50 2.5 / p95 16.0 ms out of line
-- and 0.9 / 6.4 ms in the row (same rows, alternating, 200 sampled users);
-- the heap grows by about 60 %, the whole table not at all.  The content is
-- read for the rows returned only.
-- Rows written before this update keep their layout until rewritten (UPDATE,
-- VACUUM FULL, pg_repack).
ALTER TABLE journaling.journal_entries ALTER COLUMN search_vector SET STORAGE MAIN;

-- STABLE: reads tables only.  Not STRICT: max_results NULL means every match.
CREATE FUNCTION journaling.search_top(tsq pg_catalog.tsquery, owner pg_catalog.uuid,
                                      max_results pg_catalog.int4)
RETURNS TABLE(id pg_catalog.uuid, user_id pg_catalog.uuid, entry_date pg_catalog.date,
              title pg_catalog.text, content pg_catalog.text, rank pg_catalog.float4)
AS 'MODULE_PATHNAME', 'journaling_search_top'
LANGUAGE C STABLE;

COMMENT ON FUNCTION journaling.search_top(pg_catalog.tsquery, pg_catalog.uuid, pg_catalog.int4) IS
'Ranking for search(): the owner''s entries the caller may see that match tsq, ordered by ts_rank_cd(search_vector, tsq) DESC, entry_date DESC, id, at most max_results (NULL: all); nothing for a NULL query or owner';

-- search() itself is C too (journaling_search in src/search.c): as a SQL
-- function it was planned again on every call (a SQL function's plan lives
-- as long as the calling query), about 0.3 ms of a 2 ms search.  Same
-- arguments, result, errors and order.  A C function needs no search_path:
-- every name in its queries is schema-qualified.
CREATE OR REPLACE FUNCTION journaling.search(query pg_catalog.text, user_id pg_catalog.uuid DEFAULT NULL,
                                             max_results pg_catalog.int4 DEFAULT 20,
                                             options pg_catalog.jsonb DEFAULT '{}')
RETURNS TABLE(entry_id pg_catalog.uuid, user_id pg_catalog.uuid, entry_date pg_catalog.date,
              title pg_catalog.text, rank pg_catalog.float4, snippet pg_catalog.text,
              matched_query pg_catalog.text)
AS 'MODULE_PATHNAME', 'journaling_search'
LANGUAGE C STABLE;

-- search_prepare() is C as well (src/search_prepare.c), the code search()
-- reads its options and makes its query with: the PL/pgSQL function with its
-- fixed search_path cost about 0.07 ms of every search.  Same arguments,
-- result and errors; typo correction stays search_correct_query().
CREATE OR REPLACE FUNCTION journaling.search_prepare(query pg_catalog.text, owner pg_catalog.uuid,
                                                     options pg_catalog.jsonb,
                                                     OUT tsq pg_catalog.tsquery,
                                                     OUT snippet_options pg_catalog.text)
AS 'MODULE_PATHNAME', 'journaling_search_prepare'
LANGUAGE C STABLE;

-- ==== storage: lz4 for long text ====
-- Entry and message texts are compressed with lz4 instead of pglz where the
-- server supports it.  Every snippet, headline or search over a stored text
-- first decompresses it: for a 200 kB journal text lz4 takes 0.06 ms where
-- pglz takes 0.31 ms (the text is ~10 % larger on disk), which is most of
-- what snippet() costs on long texts.  Writing is cheaper too.  Texts stored
-- before this update keep their compression until rewritten.  A server
-- built without lz4 keeps pglz.
DO $lz4$
BEGIN
    ALTER TABLE journaling.journal_entries ALTER COLUMN content SET COMPRESSION lz4;
    ALTER TABLE journaling.messages ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this server; journal texts stay pglz-compressed';
END
$lz4$;

-- ==== statistics: per-user aggregates in C ====
-- refresh_statistics() computes each touched user's five most frequent tags
-- and runs of days with these (src/user_aggregates.c) instead of unnesting
-- every tags array into rows and numbering every day with a window function;
-- the results are the same (journaling.user_statistics_live, the oracle of
-- the tests, keeps the SQL).
CREATE FUNCTION journaling.top_tags_trans(internal, pg_catalog.text[], pg_catalog.int4)
RETURNS internal
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'journaling_top_tags_trans';

CREATE FUNCTION journaling.top_tags_final(internal)
RETURNS pg_catalog.text[]
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'journaling_top_tags_final';

CREATE AGGREGATE journaling.top_tags(pg_catalog.text[], pg_catalog.int4) (
    SFUNC = journaling.top_tags_trans,
    STYPE = internal,
    FINALFUNC = journaling.top_tags_final,
    PARALLEL = SAFE
);

COMMENT ON FUNCTION journaling.top_tags_trans(internal, pg_catalog.text[], pg_catalog.int4) IS
'Transition function of journaling.top_tags';
COMMENT ON FUNCTION journaling.top_tags_final(internal) IS
'Final function of journaling.top_tags';
COMMENT ON AGGREGATE journaling.top_tags(pg_catalog.text[], pg_catalog.int4) IS
'The k most frequent non-NULL elements over the tag arrays of a group, most frequent first, equal counts in byte ("C") order; NULL without any tag. k is read from the first row';

CREATE FUNCTION journaling.streak_lengths_trans(internal, pg_catalog.date, pg_catalog.date)
RETURNS internal
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'journaling_streak_lengths_trans';

CREATE FUNCTION journaling.streak_lengths_final(internal)
RETURNS pg_catalog.int4[]
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'journaling_streak_lengths_final';

CREATE AGGREGATE journaling.streak_lengths(pg_catalog.date, pg_catalog.date) (
    SFUNC = journaling.streak_lengths_trans,
    STYPE = internal,
    FINALFUNC = journaling.streak_lengths_final,
    PARALLEL = SAFE
);

COMMENT ON FUNCTION journaling.streak_lengths_trans(internal, pg_catalog.date, pg_catalog.date) IS
'Transition function of journaling.streak_lengths';
COMMENT ON FUNCTION journaling.streak_lengths_final(internal) IS
'Final function of journaling.streak_lengths';
COMMENT ON AGGREGATE journaling.streak_lengths(pg_catalog.date, pg_catalog.date) IS
'{current, longest} runs of consecutive distinct days of a group (days in any order, NULL days skipped): current is the longest run starting no later than the second argument (read from the first row) and ending no earlier than the day before it, else 0; NULL without any day';

-- ==== mood trend: stored weekly states ====
-- mood_trend(..., 'week') read 364 daily states for a year and folded them in
-- C; most of its time was the per-row index scan and the fold.  Now
-- refresh_statistics() also keeps one state per user and ISO week
-- (journaling.weekly_stats: rollup of the week's daily states in day order,
-- maintained from the same change log in the same transaction), and
-- mood_trend reads 52 of them.  A week is read from its stored state only
-- when the range covers all of it and none of its days is pending; the days
-- of the partial weeks at the ends of the range and of the weeks with pending
-- days are read from daily_stats and the pending days recomputed from the
-- entries, as before.  The stored week state is the fold mood_trend made
-- itself (ms_combine from the empty state in day order), so the answers are
-- the same bit for bit.
--
-- The ISO week of a day (the Monday on or before it) is written as date
-- arithmetic, not date_trunc over a timestamp, so that every finite date
-- works (timestamps end in 294276 AD).  Day 0 of PostgreSQL's date range
-- (4714-11-24 BC) is a Monday, so no week starts before the range.

CREATE TABLE journaling.weekly_stats (
    user_id pg_catalog.uuid NOT NULL,
    week    pg_catalog.date NOT NULL,
    entries pg_catalog.int8 NOT NULL,
    mood    journaling.moodstats NOT NULL,
    CONSTRAINT weekly_stats_pkey PRIMARY KEY (user_id, week)
);
COMMENT ON TABLE journaling.weekly_stats IS
'Per user and ISO week (Monday) with entries: journaling.daily_stats of the week rolled up, materialized by journaling.refresh_statistics() for mood_trend(); a row is visible only to its user';
COMMENT ON COLUMN journaling.weekly_stats.week IS
'The Monday of the ISO week';
COMMENT ON COLUMN journaling.weekly_stats.entries IS
'Number of entries of the user in the week';
COMMENT ON COLUMN journaling.weekly_stats.mood IS
'journaling.rollup(mood ORDER BY day) over the week''s rows of journaling.daily_stats';

-- Filled from the daily states as they are (their pending days stay pending
-- for both); the update runs as a superuser, so row-level security does not
-- hide any user's rows here.
INSERT INTO journaling.weekly_stats (user_id, week, entries, mood)
SELECT w.user_id, w.week, pg_catalog.sum(w.entries)::pg_catalog.int8,
       journaling.rollup(w.mood ORDER BY w.day)
  FROM (SELECT d.user_id, d.day, d.entries, d.mood,
               d.day OPERATOR(pg_catalog.-)
                   ((((d.day OPERATOR(pg_catalog.-) DATE '2000-01-03') OPERATOR(pg_catalog.%) 7)
                     OPERATOR(pg_catalog.+) 7) OPERATOR(pg_catalog.%) 7) AS week
          FROM journaling.daily_stats d) w
 GROUP BY w.user_id, w.week;

ALTER TABLE journaling.weekly_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE journaling.weekly_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY weekly_stats_select ON journaling.weekly_stats FOR SELECT
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY weekly_stats_insert ON journaling.weekly_stats FOR INSERT
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY weekly_stats_update ON journaling.weekly_stats FOR UPDATE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id())
    WITH CHECK (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());
CREATE POLICY weekly_stats_delete ON journaling.weekly_stats FOR DELETE
    USING (user_id OPERATOR(pg_catalog.=) journaling.current_user_id());

SELECT pg_catalog.pg_extension_config_dump('journaling.weekly_stats', '');

-- The weekly states computed from scratch: the oracle of weekly_stats.
CREATE VIEW journaling.weekly_stats_live WITH (security_invoker = true) AS
SELECT w.user_id, w.week, pg_catalog.sum(w.entries)::pg_catalog.int8 AS entries,
       journaling.rollup(w.mood ORDER BY w.day) AS mood
  FROM (SELECT d.user_id, d.day, d.entries, d.mood,
               d.day OPERATOR(pg_catalog.-)
                   ((((d.day OPERATOR(pg_catalog.-) DATE '2000-01-03') OPERATOR(pg_catalog.%) 7)
                     OPERATOR(pg_catalog.+) 7) OPERATOR(pg_catalog.%) 7) AS week
          FROM journaling.daily_stats_live d) w
 GROUP BY w.user_id, w.week;

COMMENT ON VIEW journaling.weekly_stats_live IS
'journaling.weekly_stats computed from scratch from journal_entries (security_invoker: the caller sees only their own rows)';

-- mood_trend() runs as the caller and reads weekly_stats only when the caller
-- may (else the daily states, as before); search_top() likewise reads the
-- search index (created below).  grant_app_role() grants both; roles
-- set up before this update get it by calling grant_app_role() again.  (Not
-- granted here: privileges granted by an extension script become its initial
-- privileges, which pg_dump leaves out, so a restore would lose them.)

CREATE OR REPLACE FUNCTION journaling.grant_app_role(app_role pg_catalog.regrole)
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
        'journaling.daily_stats_live, journaling.user_statistics_live, '
        'journaling.weekly_stats, journaling.weekly_stats_live TO %s', role_name);
    -- mood_trend() reads the caller's own pending days (row-level security).
    EXECUTE pg_catalog.format('GRANT SELECT ON journaling.stats_changes TO %s', role_name);
    -- search() reads the caller's own search index and its log (row-level security).
    EXECUTE pg_catalog.format(
        'GRANT SELECT ON journaling.search_index, journaling.search_postings, '
        'journaling.search_changes TO %s', role_name);
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
COMMENT ON FUNCTION journaling.grant_app_role(pg_catalog.regrole) IS
'Grant an application role what it needs and no more: the per-user tables (under row-level security), the shared knowledge base and the materialized statistics (daily, weekly, per user) and the search index read-only, set_user(), and import_json/read_records/import_report with its own import bookkeeping';

COMMENT ON FUNCTION journaling.mood_trend(pg_catalog.uuid, pg_catalog.text, pg_catalog.date, pg_catalog.date) IS
'Mood per day, ISO week or month bucket of one user''s entries (only buckets with entries); moving_avg is the mean mood of the current and three preceding calendar buckets, weighted by mood count. Reads the stored weekly states of journaling.weekly_stats (weeks wholly in the range, when the caller may read that table) and per-day states of journaling.daily_stats, and aggregates only the days written since the last refresh from the entries, so the answer is always current. Row-level security applies';

-- ==== search: per-user index ====
-- journaling.search() for one user used to read every entry of the user
-- (about 2 µs each: the heap tuple and its vector), so a user with 4 000
-- entries could not be searched in 2 ms.  Now journaling.refresh_search_index()
-- keeps, per user, the positions of every lexeme of every entry
-- (src/search_index.c): search_index holds the user's entries in search order
-- (entry_date DESC, id), search_postings the lexemes' posting lists, spread
-- over buckets by a hash of the lexeme.  search_top() reads only the buckets
-- of the query's lexemes, rebuilds for each candidate entry a tsvector of just
-- those lexemes, on which the built-in @@ and ts_rank_cd give the same
-- answers as on the whole vector (both look only at the query's lexemes), and
-- computes exact ranks only for entries whose upper bound could still enter
-- the top (src/search.c).
--
-- The index is always exact, never stale: every write to journal_entries
-- logs its (user_id, day) pairs in stats_changes (the change capture of the
-- statistics), refresh_statistics() hands the pairs it consumes on to
-- search_changes once some user has an index, and search_top() ranks the
-- entries of the days in either log from the table instead of the index.
-- (Writing a second log on every INSERT cost up to 14 % of a single-row
-- insert; handing pairs on costs a set-based INSERT per refresh.)
-- A user without an index row (never refreshed, or after TRUNCATE), a caller
-- who may not read the index, or a query with prefix operands is served by
-- the scan of the user's rows as before.
CREATE TABLE journaling.search_index (
    user_id  pg_catalog.uuid PRIMARY KEY REFERENCES journaling.users (id) ON DELETE CASCADE,
    nbuckets pg_catalog.int4 NOT NULL CHECK (nbuckets OPERATOR(pg_catalog.>) 0),
    entries  pg_catalog.bytea NOT NULL,
    built_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER TABLE journaling.search_index ALTER COLUMN entries SET STORAGE EXTERNAL;

COMMENT ON TABLE journaling.search_index IS
'Per-user full-text index of journal_entries for journaling.search(), built by journaling.refresh_search_index(): one row per indexed user; a row is visible only to its user';
COMMENT ON COLUMN journaling.search_index.nbuckets IS
'Number of rows of journaling.search_postings the user''s lexemes are spread over';
COMMENT ON COLUMN journaling.search_index.entries IS
'The user''s entries in search order (entry_date DESC, id), 20 bytes each: id, then entry_date as a 4-byte day number; postings refer to them by position';
COMMENT ON COLUMN journaling.search_index.built_at IS
'Start of the transaction that built the row (now())';

CREATE TABLE journaling.search_postings (
    user_id  pg_catalog.uuid NOT NULL REFERENCES journaling.search_index (user_id) ON DELETE CASCADE,
    bucket   pg_catalog.int4 NOT NULL,
    postings pg_catalog.bytea NOT NULL,
    PRIMARY KEY (user_id, bucket)
);
ALTER TABLE journaling.search_postings ALTER COLUMN postings SET STORAGE EXTERNAL;

COMMENT ON TABLE journaling.search_postings IS
'Posting lists of journaling.search_index: per user and bucket, every lexeme whose hash falls in the bucket with the entries that contain it and its positions there (weights included), as in their search_vector; a row is visible only to its user';

CREATE TABLE journaling.search_changes (
    user_id    pg_catalog.uuid NOT NULL,
    day        pg_catalog.date NOT NULL,
    changed_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE journaling.search_changes IS
'Change log of journaling.search_index: (user_id, day) pairs of writes to journal_entries that journaling.refresh_statistics() consumed from journaling.stats_changes and journaling.refresh_search_index() has not consumed yet (search() ranks the days of both logs from the table). Written by refresh_statistics() only; deliberately without index, like journaling.stats_changes';

DO $rls$
DECLARE
    tbl pg_catalog.text;
    owner_is pg_catalog.text := 'user_id OPERATOR(pg_catalog.=) journaling.current_user_id()';
BEGIN
    FOREACH tbl IN ARRAY ARRAY['search_index', 'search_postings', 'search_changes'] LOOP
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

SELECT pg_catalog.pg_extension_config_dump('journaling.search_index', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.search_postings', '');
SELECT pg_catalog.pg_extension_config_dump('journaling.search_changes', '');

-- SECURITY DEFINER with row_security off, like refresh_statistics(): the
-- index of every user is built from all of the user's entries.
CREATE FUNCTION journaling.refresh_search_index(full pg_catalog.bool DEFAULT false)
RETURNS TABLE(mode pg_catalog.text, users pg_catalog.int8, entries pg_catalog.int8,
              changes pg_catalog.int8, duration pg_catalog.interval)
AS 'MODULE_PATHNAME', 'journaling_refresh_search_index'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET jit = off;

REVOKE ALL ON FUNCTION journaling.refresh_search_index(pg_catalog.bool) FROM PUBLIC;

COMMENT ON FUNCTION journaling.refresh_search_index(pg_catalog.bool) IS
'Rebuild the search index of the users whose entries changed before the last refresh_statistics() (every user with entries on the first build and with full), consuming journaling.search_changes, in one transaction; users and entries count what was rebuilt, changes the log rows consumed; returns mode skipped when another call or refresh_statistics() runs (transaction-level advisory locks 7670314527420216169 and 7670314527420216168). For administrators: not executable by PUBLIC';

-- Change capture of INSERT and UPDATE (row triggers whose WHEN notes each
-- stored row's (user_id, entry_date), a statement trigger that writes the
-- distinct pairs): exactly the pairs of the rows a committed statement wrote
-- are logged, once per statement, whatever the path (transactions,
-- savepoints, failing statements, ON CONFLICT, COPY, user triggers, nested
-- writes, row-level security, the importer), and after every refresh the
-- statistics equal the live views.
SET extra_float_digits = 0;
\set VERBOSITY terse

-- Start from empty tables, whatever earlier tests left behind.
DELETE FROM journaling.users;
SELECT mode <> 'skipped' AS refreshed FROM journaling.refresh_statistics();

INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'capture_a'),
    ('00000000-0000-0000-0000-0000000008b1', 'capture_b');

-- The logged pairs (a or b, day, times logged); the refresh consumes them.
CREATE FUNCTION pg_temp.logged() RETURNS TABLE(who text, day date, times bigint) LANGUAGE sql AS $$
  SELECT CASE c.user_id WHEN '00000000-0000-0000-0000-0000000008a1' THEN 'a'
                        WHEN '00000000-0000-0000-0000-0000000008b1' THEN 'b' ELSE c.user_id::text END,
         c.day, count(*)
    FROM journaling.stats_changes c GROUP BY 1, 2 ORDER BY 1, 2
$$;
-- Refresh, then count the rows where the tables differ from the live views.
CREATE FUNCTION pg_temp.refresh_mismatches() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM journaling.refresh_statistics();
  RETURN (WITH t AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                            first_entry_date, last_entry_date, active_months, current_streak,
                            longest_streak, top_tags FROM journaling.user_statistics),
               l AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                            first_entry_date, last_entry_date, active_months, current_streak,
                            longest_streak, top_tags FROM journaling.user_statistics_live),
               td AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats),
               ld AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats_live)
          SELECT (SELECT count(*) FROM (TABLE t EXCEPT TABLE l) a) + (SELECT count(*) FROM (TABLE l EXCEPT TABLE t) b)
               + (SELECT count(*) FROM (TABLE td EXCEPT TABLE ld) c) + (SELECT count(*) FROM (TABLE ld EXCEPT TABLE td) d));
END
$$;

-- The installed triggers: no transition table on INSERT or UPDATE.
SELECT tgname, pg_get_triggerdef(oid) ~ 'REFERENCING' AS transition_tables,
       pg_get_triggerdef(oid) ~ 'FOR EACH ROW' AS row_level, tgqual IS NOT NULL AS has_when
  FROM pg_trigger WHERE tgrelid = 'journaling.journal_entries'::regclass AND tgname LIKE 'journal_entries_stats%'
 ORDER BY tgname;

-- Several statements in one transaction: each logs its pairs once.
BEGIN;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'one', DATE '2021-01-01', 0.5),
    ('00000000-0000-0000-0000-0000000008a1', 'two', DATE '2021-01-01', -0.5);
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008b1', 'three', DATE '2021-01-02');
UPDATE journaling.journal_entries SET mood_score = 0.25
 WHERE user_id = '00000000-0000-0000-0000-0000000008a1' AND entry_date = DATE '2021-01-01';
SELECT * FROM pg_temp.logged();
COMMIT;
SELECT pg_temp.refresh_mismatches();

-- Savepoints: what a rolled-back savepoint wrote is not logged, what a
-- released one wrote is.
BEGIN;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'kept', DATE '2021-02-01');
SAVEPOINT s1;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'rolled back', DATE '2021-02-02');
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'released', DATE '2021-02-03');
RELEASE SAVEPOINT s2;
SAVEPOINT s3;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008b1', 'moved back', DATE '2021-02-04');
SAVEPOINT s4;
UPDATE journaling.journal_entries SET entry_date = DATE '2021-02-05' WHERE content = 'moved back';
ROLLBACK TO SAVEPOINT s4;
RELEASE SAVEPOINT s3;
COMMIT;
SELECT * FROM pg_temp.logged();
SELECT content, entry_date FROM journaling.journal_entries WHERE entry_date >= DATE '2021-02-01' ORDER BY 2;
SELECT pg_temp.refresh_mismatches();

-- A failing statement logs nothing: a CHECK violation on the last row, a
-- foreign-key violation found after every row was noted, and one inside a
-- transaction that goes on after ROLLBACK TO SAVEPOINT.
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'fine', DATE '2021-03-01'),
    ('00000000-0000-0000-0000-0000000008a1', ' ', DATE '2021-03-02');
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-0000000008ff', entry_date = DATE '2021-03-03'
 WHERE user_id = '00000000-0000-0000-0000-0000000008a1';
BEGIN;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'before', DATE '2021-03-04');
SAVEPOINT s;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'doomed', DATE '2021-03-05'),
    ('00000000-0000-0000-0000-0000000008a1', '', DATE '2021-03-05');
ROLLBACK TO SAVEPOINT s;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'after', DATE '2021-03-06');
COMMIT;
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();

-- More distinct pairs than fit in work_mem (64 kB: 3276 pairs) are written
-- in several batches while the statement runs, each pair once; if the
-- statement then fails, the batches written go with it.  Repeated pairs are
-- logged once.  DELETE (transition tables) batches the same way (a pair
-- may then be logged once per batch).
SET work_mem = '64kB';
INSERT INTO journaling.journal_entries (user_id, content, entry_date)
SELECT '00000000-0000-0000-0000-0000000008a1', 'day ' || g, DATE '2000-01-01' + g
  FROM generate_series(1, 5000) g;
SELECT count(*) AS logged, count(DISTINCT (user_id, day)) AS distinct_pairs FROM journaling.stats_changes;
INSERT INTO journaling.journal_entries (user_id, content, entry_date)
SELECT '00000000-0000-0000-0000-0000000008b1', CASE WHEN g < 5000 THEN 'day ' || g ELSE '' END, DATE '2000-01-01' + g
  FROM generate_series(1, 5000) g;
SELECT count(*) AS logged_after_failure FROM journaling.stats_changes;
INSERT INTO journaling.journal_entries (user_id, content, entry_date)
SELECT '00000000-0000-0000-0000-0000000008b1', 'week ' || g, DATE '2000-01-01' + g % 7
  FROM generate_series(1, 5000) g;
SELECT count(*) AS logged, count(*) FILTER (WHERE user_id = '00000000-0000-0000-0000-0000000008b1') AS of_b
  FROM journaling.stats_changes;
SELECT pg_temp.refresh_mismatches();
DELETE FROM journaling.journal_entries WHERE entry_date < DATE '2020-01-01';
SELECT count(DISTINCT (user_id, day)) AS distinct_pairs_logged FROM journaling.stats_changes;
RESET work_mem;
SELECT pg_temp.refresh_mismatches();

-- INSERT ... ON CONFLICT DO UPDATE that moves an entry logs its old and new
-- day; DO NOTHING on a conflict logs nothing.
INSERT INTO journaling.journal_entries (user_id, id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', '00000000-0000-0000-0000-00000000c0f1', 'upsert', DATE '2021-04-01');
SELECT pg_temp.refresh_mismatches();
INSERT INTO journaling.journal_entries (user_id, id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', '00000000-0000-0000-0000-00000000c0f1', 'upserted', DATE '2021-04-02'),
    ('00000000-0000-0000-0000-0000000008b1', '00000000-0000-0000-0000-00000000c0f2', 'new', DATE '2021-04-03')
ON CONFLICT (user_id, id) DO UPDATE SET content = EXCLUDED.content, entry_date = EXCLUDED.entry_date;
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
INSERT INTO journaling.journal_entries (user_id, id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', '00000000-0000-0000-0000-00000000c0f1', 'ignored', DATE '2021-04-04')
ON CONFLICT DO NOTHING;
SELECT count(*) AS logged_by_do_nothing FROM journaling.stats_changes;

-- COPY.
COPY journaling.journal_entries (user_id, content, entry_date, mood_score) FROM stdin;
00000000-0000-0000-0000-0000000008a1	copied one	2021-05-01	0.5
00000000-0000-0000-0000-0000000008b1	copied two	2021-05-02	-0.5
00000000-0000-0000-0000-0000000008a1	copied three	2021-05-01	\N
\.
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();

-- An UPDATE that moves entries to another user and day logs both pairs.
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-0000000008b1', entry_date = DATE '2021-05-03'
 WHERE content IN ('copied one', 'copied three');
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();

-- A BEFORE trigger of the user's that fires after the extension's own
-- (names sort later) and changes entry_date, skips a row or fails: the pairs
-- logged are those of the rows as stored.
CREATE FUNCTION pg_temp.capture_test_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.content = 'shift' THEN
    NEW.entry_date := NEW.entry_date + 1;
  ELSIF NEW.content = 'skip' THEN
    RETURN NULL;
  ELSIF NEW.content = 'boom' THEN
    RAISE EXCEPTION 'boom';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER zz_capture_test_before BEFORE INSERT OR UPDATE ON journaling.journal_entries
    FOR EACH ROW EXECUTE FUNCTION pg_temp.capture_test_before();
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'shift', DATE '2021-06-01'),
    ('00000000-0000-0000-0000-0000000008a1', 'skip', DATE '2021-06-05'),
    ('00000000-0000-0000-0000-0000000008a1', 'plain', DATE '2021-06-10');
UPDATE journaling.journal_entries SET content = 'shift' WHERE content = 'plain';
SELECT * FROM pg_temp.logged();
SELECT content, entry_date FROM journaling.journal_entries WHERE entry_date >= DATE '2021-06-01' ORDER BY 2;
SELECT pg_temp.refresh_mismatches();

-- The importer (a subtransaction per batch, then per record after a
-- failure): the pairs of the records that landed, none of the one that
-- failed; a re-import that skips everything logs nothing; one that updates
-- logs the old and new days.
SELECT * FROM journaling.import_json(
  '[{"id": "00000000-0000-0000-0000-00000000e001", "content": "imported", "entry_date": "2021-07-01"},
    {"id": "00000000-0000-0000-0000-00000000e002", "content": "boom", "entry_date": "2021-07-02"},
    {"id": "00000000-0000-0000-0000-00000000e003", "content": "imported", "entry_date": "2021-07-03"}]',
  'entries', '{"user_id": "00000000-0000-0000-0000-0000000008a1"}');
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
SELECT * FROM journaling.import_json(
  '[{"id": "00000000-0000-0000-0000-00000000e001", "content": "imported", "entry_date": "2021-07-01"}]',
  'entries', '{"user_id": "00000000-0000-0000-0000-0000000008a1"}');
SELECT count(*) AS logged_by_skipping_import FROM journaling.stats_changes;
SELECT * FROM journaling.import_json(
  '[{"id": "00000000-0000-0000-0000-00000000e001", "content": "re-imported", "entry_date": "2021-07-04"}]',
  'entries', '{"user_id": "00000000-0000-0000-0000-0000000008a1", "on_conflict": "update"}');
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
DROP TRIGGER zz_capture_test_before ON journaling.journal_entries;

-- Writes nested in a statement (a user's AFTER ROW trigger inserting
-- entries): every pair is logged, and a nested write rolled back in an
-- exception block takes only its own pairs along, not the outer statement's.
CREATE FUNCTION pg_temp.capture_test_spawn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.content = 'spawn' THEN
    INSERT INTO journaling.journal_entries (user_id, content, entry_date)
    VALUES ('00000000-0000-0000-0000-0000000008b1', 'child', NEW.entry_date + 100);
  ELSIF NEW.content = 'spawn and undo' THEN
    BEGIN
      INSERT INTO journaling.journal_entries (user_id, content, entry_date)
      VALUES ('00000000-0000-0000-0000-0000000008b1', 'undone child', NEW.entry_date + 100);
      RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
      NULL;
    END;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER zz_capture_test_spawn AFTER INSERT ON journaling.journal_entries
    FOR EACH ROW EXECUTE FUNCTION pg_temp.capture_test_spawn();
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'spawn and undo', DATE '2021-08-01'),
    ('00000000-0000-0000-0000-0000000008a1', 'plain', DATE '2021-08-02');
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'spawn', DATE '2021-08-03'),
    ('00000000-0000-0000-0000-0000000008a1', 'plain', DATE '2021-08-04');
SELECT * FROM pg_temp.logged();
SELECT content, entry_date FROM journaling.journal_entries WHERE content LIKE '%child' ORDER BY 2;
SELECT pg_temp.refresh_mismatches();
DROP TRIGGER zz_capture_test_spawn ON journaling.journal_entries;

-- The stack of noted pairs, driven through the WHEN function itself: pairs
-- noted in a committed subtransaction go to its parent (into its pairs, or
-- as its own when it had none), those of an aborted one are dropped (with
-- those of its committed children), and the next statement's flush writes
-- what is left.  Pairs noted without a flush are forgotten at transaction
-- end.
DO $$
BEGIN
  PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008a1', DATE '2021-09-01');
  BEGIN
    PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008a1', DATE '2021-09-02');
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  BEGIN
    PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008a1', DATE '2021-09-03');
    RAISE EXCEPTION 'undo';
  EXCEPTION WHEN raise_exception THEN NULL;
  END;
  BEGIN
    BEGIN
      PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008a1', DATE '2021-09-04');
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    RAISE EXCEPTION 'undo';
  EXCEPTION WHEN raise_exception THEN NULL;
  END;
  UPDATE journaling.journal_entries SET content = content WHERE false;
END
$$;
DO $$
BEGIN
  BEGIN
    PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008b1', DATE '2021-09-05');
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  UPDATE journaling.journal_entries SET content = content WHERE false;
  -- more pairs than the parent's level has room for: kept as levels of
  -- their own, which the flush writes too
  PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008b1', DATE '2021-09-07');
  BEGIN
    PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008b1', DATE '2021-09-08');
    BEGIN
      PERFORM journaling.stats_capture_note('00000000-0000-0000-0000-0000000008b1', DATE '2021-09-10' + g)
         FROM generate_series(0, 19) g;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  UPDATE journaling.journal_entries SET content = content WHERE false;
END
$$;
SELECT journaling.stats_capture_note('00000000-0000-0000-0000-0000000008b1', DATE '2021-09-06') AS noted;
UPDATE journaling.journal_entries SET content = content WHERE false;
SELECT * FROM pg_temp.logged() WHERE day < DATE '2021-09-10';
SELECT count(*) AS logged_from_deep_levels, min(day), max(day), max(times) FROM pg_temp.logged() WHERE day >= DATE '2021-09-10';
SELECT pg_temp.refresh_mismatches();

-- An application role under row-level security writes without any
-- privilege on the change log, also when the log has an index (the pairs are
-- then inserted through SPI as the log's owner, also in the batches written
-- while the statement runs).
CREATE ROLE regress_capture_app;
SELECT journaling.grant_app_role('regress_capture_app');
SELECT has_table_privilege('regress_capture_app', 'journaling.stats_changes', 'INSERT') AS app_may_insert_log;
SET ROLE regress_capture_app;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000008a1') IS NOT NULL AS identity_set;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'by the app', DATE '2021-10-01');
UPDATE journaling.journal_entries SET entry_date = DATE '2021-10-02' WHERE content = 'by the app';
RESET ROLE;
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
BEGIN;
CREATE INDEX stats_changes_capture_test_idx ON journaling.stats_changes (user_id, day);
SET LOCAL work_mem = '64kB';
SET LOCAL ROLE regress_capture_app;
INSERT INTO journaling.journal_entries (user_id, content, entry_date)
SELECT '00000000-0000-0000-0000-0000000008a1', 'app day ' || g, DATE '2010-01-01' + g
  FROM generate_series(1, 4000) g;
UPDATE journaling.journal_entries SET entry_date = DATE '2021-10-03' WHERE content = 'by the app';
RESET ROLE;
SELECT count(*) AS logged, count(DISTINCT (user_id, day)) AS distinct_pairs,
       count(*) FILTER (WHERE day >= DATE '2021-01-01') AS moved FROM journaling.stats_changes;
SELECT pg_temp.refresh_mismatches();
ROLLBACK;
SELECT pg_temp.refresh_mismatches();
DROP OWNED BY regress_capture_app;
DROP ROLE regress_capture_app;

-- A trigger an administrator puts on the change log (the pairs then go
-- through SPI) may itself write entries while the pairs are written: their
-- pairs are logged too, each once.
CREATE FUNCTION pg_temp.capture_test_log_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.day = DATE '2021-11-01' THEN
    INSERT INTO journaling.journal_entries (user_id, content, entry_date)
    VALUES (NEW.user_id, 'written by a trigger on the log', DATE '2021-11-02');
  END IF;
  RETURN NULL;
END
$$;
BEGIN;
CREATE TRIGGER capture_test_log AFTER INSERT ON journaling.stats_changes
    FOR EACH ROW EXECUTE FUNCTION pg_temp.capture_test_log_trigger();
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000008a1', 'logged through SPI', DATE '2021-11-01'),
    ('00000000-0000-0000-0000-0000000008a1', 'also logged through SPI', DATE '2021-11-03');
SELECT * FROM pg_temp.logged();
SELECT pg_temp.refresh_mismatches();
ROLLBACK;

-- Clean up.
DELETE FROM journaling.users WHERE username LIKE 'capture\_%';
SELECT pg_temp.refresh_mismatches();
SELECT count(*) AS statistics_left FROM journaling.user_statistics;

-- Materialized statistics: change capture, refresh modes, exact agreement
-- with the live views, row-level security and privileges.
SET extra_float_digits = 0;

-- Start from empty tables, whatever earlier tests left behind.
DELETE FROM journaling.users;

-- Twenty users with a few entries each, then a clean slate: everything
-- written so far is materialized.
INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-0000-0000-0000000006' || lpad(i::text, 2, '0'))::uuid, 'stats_filler_' || i
  FROM generate_series(1, 20) i;
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT ('00000000-0000-0000-0000-0000000006' || lpad(i::text, 2, '0'))::uuid, 'filler entry ' || j,
       DATE '2025-01-01' + i * j, (i - j) / 25.0, ARRAY['f' || j]
  FROM generate_series(1, 20) i, generate_series(1, 3) j;
SELECT mode FROM journaling.refresh_statistics(true);

-- The invariant, checked after every refresh below: the tables equal the
-- live views, both ways (moodstats compared through its exact text form).
CREATE FUNCTION pg_temp.stats_mismatches() RETURNS bigint LANGUAGE sql AS $$
  WITH t AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                    first_entry_date, last_entry_date, active_months, current_streak,
                    longest_streak, top_tags FROM journaling.user_statistics),
       l AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                    first_entry_date, last_entry_date, active_months, current_streak,
                    longest_streak, top_tags FROM journaling.user_statistics_live),
       td AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats),
       ld AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats_live),
       tw AS (SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats),
       lw AS (SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats_live)
  SELECT (SELECT count(*) FROM (TABLE t EXCEPT TABLE l) a) + (SELECT count(*) FROM (TABLE l EXCEPT TABLE t) b)
       + (SELECT count(*) FROM (TABLE td EXCEPT TABLE ld) c) + (SELECT count(*) FROM (TABLE ld EXCEPT TABLE td) d)
       + (SELECT count(*) FROM (TABLE tw EXCEPT TABLE lw) e) + (SELECT count(*) FROM (TABLE lw EXCEPT TABLE tw) f)
$$;
SELECT pg_temp.stats_mismatches();

INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-0000000005a1', 'stats_ann'),
    ('00000000-0000-0000-0000-0000000005b1', 'stats_bob'),
    ('00000000-0000-0000-0000-0000000005c1', 'stats_cyd');

-- Writes only log (user, day) pairs, once per statement and pair.
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags) VALUES
    ('00000000-0000-0000-0000-0000000005a1', 'one two three', CURRENT_DATE, 0.5, '{work,sleep}'),
    ('00000000-0000-0000-0000-0000000005a1', 'four five', CURRENT_DATE, -0.25, '{work}'),
    ('00000000-0000-0000-0000-0000000005a1', 'six', CURRENT_DATE - 1, NULL, '{family,work,NULL}'),
    ('00000000-0000-0000-0000-0000000005a1', 'seven eight', CURRENT_DATE - 3, 1, '{}'),
    ('00000000-0000-0000-0000-0000000005b1', 'nine', DATE '2024-01-31', -1, '{b,a,c,d,e,f}');
SELECT user_id, CASE WHEN day > CURRENT_DATE - 30 THEN (day - CURRENT_DATE)::text ELSE day::text END AS day, count(*)
  FROM journaling.stats_changes GROUP BY user_id, stats_changes.day ORDER BY user_id, stats_changes.day DESC;
SELECT pending_changes, oldest_change <= now() AS oldest_ok FROM journaling.statistics_lag();
SELECT count(*) AS stats_rows_before_refresh FROM journaling.user_statistics
 WHERE user_id::text LIKE '%5_1';

-- Few users touched among many: incremental.
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT pending_changes FROM journaling.statistics_lag();
SELECT pg_temp.stats_mismatches();
SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope, first_entry_date = CURRENT_DATE - 3 AS first_ok,
       last_entry_date = CURRENT_DATE AS last_ok, active_months >= 1 AS months_ok, current_streak, longest_streak, top_tags
  FROM journaling.user_statistics WHERE user_id::text LIKE '%5_1' ORDER BY 1;
SELECT user_id, day = CURRENT_DATE AS today, entries, words, journaling.n(mood), journaling.mean(mood)
  FROM journaling.daily_stats WHERE user_id = '00000000-0000-0000-0000-0000000005a1' ORDER BY day;

-- The columns agree with the built-in aggregates and with journaling.streaks().
SELECT s.user_id,
       abs(s.avg_mood - b.avg) <= 1e-12 AS avg_ok,
       s.mood_stddev IS NOT DISTINCT FROM b.sd OR abs(s.mood_stddev - b.sd) <= 1e-12 AS stddev_ok,
       s.mood_slope IS NOT DISTINCT FROM b.slope OR abs(s.mood_slope - b.slope) <= 1e-12 AS slope_ok,
       (s.current_streak, s.longest_streak) = (k.current_streak, k.longest_streak) AS streaks_ok
  FROM journaling.user_statistics s
  JOIN (SELECT user_id, avg(mood_score::float8) AS avg, stddev_samp(mood_score::float8) AS sd,
               regr_slope(mood_score::float8, entry_date - DATE '2000-01-01') AS slope
          FROM journaling.journal_entries GROUP BY user_id) b USING (user_id)
  CROSS JOIN LATERAL journaling.streaks(s.user_id) k
 WHERE s.user_id::text LIKE '%5_1' ORDER BY 1;

-- An update that moves entries between days and users logs old and new pairs.
UPDATE journaling.journal_entries SET entry_date = DATE '2023-06-01'
 WHERE user_id = '00000000-0000-0000-0000-0000000005a1' AND content = 'seven eight';
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-0000000005c1'
 WHERE user_id = '00000000-0000-0000-0000-0000000005b1';
SELECT user_id, day = DATE '2023-06-01' AS moved_to, day = CURRENT_DATE - 3 AS moved_from, day = DATE '2024-01-31' AS bob_day
  FROM journaling.stats_changes ORDER BY 1, 2;
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();
SELECT user_id, total_entries, first_entry_date, active_months >= 2 AS months, top_tags
  FROM journaling.user_statistics WHERE user_id::text LIKE '%5_1' ORDER BY 1;

-- Deleting a user cascades to the entries; the statistics follow.
DELETE FROM journaling.users WHERE id = '00000000-0000-0000-0000-0000000005c1';
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();
SELECT count(*) FROM journaling.user_statistics WHERE user_id = '00000000-0000-0000-0000-0000000005c1';

-- A statement touching no rows logs nothing; a no-op refresh is cheap.
UPDATE journaling.journal_entries SET content = 'x' WHERE false;
SELECT mode, users, days, changes FROM journaling.refresh_statistics();

-- full recomputes everything but writes only the rows that differ (none
-- here); when most users changed, the automatic bulk path recomputes the
-- touched days and every user (again writing only what differs).
SELECT mode, users > 0 AS users, days > 0 AS days, changes FROM journaling.refresh_statistics(full => true);
SELECT pg_temp.stats_mismatches();
UPDATE journaling.journal_entries SET word_count = word_count;
SELECT mode, users > 0 AS users, days > 0 AS days, changes > 0 AS changes FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();

-- Two refreshes in one transaction: the second finds nothing to do.
BEGIN;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000005a1', 'again', CURRENT_DATE - 10);
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
COMMIT;
SELECT pg_temp.stats_mismatches();

-- The streaks of users untouched since an earlier day are brought up to
-- date: pretend the last run was a week ago.
UPDATE journaling.user_statistics SET current_streak = 42 WHERE user_id = '00000000-0000-0000-0000-0000000005a1';
UPDATE journaling.refresh_log SET as_of = as_of - 7;
SELECT mode, users >= 1 AS users, days, changes FROM journaling.refresh_statistics();
SELECT current_streak FROM journaling.user_statistics WHERE user_id = '00000000-0000-0000-0000-0000000005a1';
SELECT pg_temp.stats_mismatches();

-- TRUNCATE logs every materialized pair (in a transaction rolled back here).
BEGIN;
TRUNCATE journaling.journal_entries CASCADE;
SELECT pending_changes = (SELECT count(*) FROM journaling.daily_stats) AS all_days_logged FROM journaling.statistics_lag();
SELECT mode, users, days FROM journaling.refresh_statistics();
SELECT count(*) FROM journaling.user_statistics;
SELECT pg_temp.stats_mismatches();
ROLLBACK;

-- With an index on the change log the capture falls back to SPI; same result.
BEGIN;
CREATE INDEX stats_changes_test_idx ON journaling.stats_changes (user_id, day);
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
    ('00000000-0000-0000-0000-0000000005a1', 'indexed one', CURRENT_DATE - 20),
    ('00000000-0000-0000-0000-0000000005a1', 'indexed two', CURRENT_DATE - 20);
UPDATE journaling.journal_entries SET entry_date = CURRENT_DATE - 21 WHERE content = 'indexed two';
SELECT user_id, day - CURRENT_DATE AS day FROM journaling.stats_changes ORDER BY 1, 2;
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();
ROLLBACK;

-- Every run is logged.
SELECT mode, count(*) > 0 AS logged, bool_and(finished_at >= started_at AND duration >= '0') AS timing_ok
  FROM journaling.refresh_log GROUP BY mode ORDER BY mode;

-- Privileges: application roles read their own statistics only, cannot
-- refresh, read the change log or the refresh log.
CREATE ROLE regress_stats_app;
SELECT journaling.grant_app_role('regress_stats_app');
INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000005b1', 'bob again');
SELECT mode FROM journaling.refresh_statistics();
SET ROLE regress_stats_app;
SELECT count(*) FROM journaling.user_statistics;
SELECT count(*) FROM journaling.daily_stats;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000005a1');
SELECT user_id, total_entries FROM journaling.user_statistics;
SELECT DISTINCT user_id FROM journaling.daily_stats;
SELECT user_id, total_entries FROM journaling.user_statistics_live;
-- Writing still works (capturing the change needs no privilege on the log) ...
INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000005a1', 'app writes');
-- ... and the app role sees only its own pending changes (for mood_trend), nothing else.
SELECT count(*) AS own_pending, count(*) FILTER (WHERE user_id <> '00000000-0000-0000-0000-0000000005a1') AS others FROM journaling.stats_changes;
SELECT count(*) FROM journaling.refresh_log;
SELECT * FROM journaling.refresh_statistics();
SELECT * FROM journaling.statistics_lag();
SELECT journaling.schedule_refresh();
INSERT INTO journaling.user_statistics (user_id, total_entries, total_words, first_entry_date, last_entry_date,
                                        active_months, current_streak, longest_streak, top_tags, refreshed_at)
VALUES ('00000000-0000-0000-0000-0000000005a1', 1, 1, CURRENT_DATE, CURRENT_DATE, 1, 1, 1, '{}', now());
RESET ROLE;
SELECT pending_changes FROM journaling.statistics_lag();
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();

-- A DBA role gets the refresh by grant.
CREATE ROLE regress_stats_dba;
GRANT USAGE ON SCHEMA journaling TO regress_stats_dba;
GRANT EXECUTE ON FUNCTION journaling.refresh_statistics(boolean), journaling.statistics_lag() TO regress_stats_dba;
SET ROLE regress_stats_dba;
SELECT mode, users, days, changes FROM journaling.refresh_statistics();
SELECT * FROM journaling.statistics_lag();
-- Temporary tables planted under the refresh's work-table names are refused
-- (they could run code as the extension owner).
CREATE TEMP TABLE journaling_refresh_days (user_id uuid, day date);
SELECT mode FROM journaling.refresh_statistics();
DROP TABLE journaling_refresh_days;
RESET ROLE;

-- Without pg_cron in this database scheduling fails clearly.
\set VERBOSITY default
SELECT journaling.schedule_refresh('*/5 * * * *');
SELECT journaling.unschedule_refresh();
\set VERBOSITY terse

-- Clean up.
DELETE FROM journaling.users WHERE id::text LIKE '%5_1' OR username LIKE 'stats_filler_%';
SELECT mode FROM journaling.refresh_statistics();
SELECT pg_temp.stats_mismatches();
REVOKE ALL ON FUNCTION journaling.refresh_statistics(boolean), journaling.statistics_lag() FROM regress_stats_dba;
REVOKE ALL ON SCHEMA journaling FROM regress_stats_dba;
DROP ROLE regress_stats_dba;
DROP OWNED BY regress_stats_app;
DROP ROLE regress_stats_app;

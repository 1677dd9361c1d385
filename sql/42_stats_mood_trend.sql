-- mood_trend() reads the materialized per-day states and aggregates only the
-- days written since the last refresh from the entries: before a refresh,
-- after it, and after further writes its answer equals the built-in
-- reference over the raw rows.
SET extra_float_digits = 0;

INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-0000000007a1', 'trend_a'),
    ('00000000-0000-0000-0000-0000000007b1', 'trend_b');
INSERT INTO journaling.journal_entries (user_id, id, content, entry_date, mood_score)
SELECT u, md5(u::text || g)::uuid, 'entry ' || g, date '2024-01-01' + (g * 7919) % 400,
       CASE WHEN g % 11 = 0 THEN NULL ELSE round(((abs(hashint4(g)) % 201) / 100.0)::numeric - 1, 2) END
  FROM unnest('{00000000-0000-0000-0000-0000000007a1,00000000-0000-0000-0000-0000000007b1}'::uuid[]) u,
       generate_series(1, 900) g;

-- Reference: the same buckets computed with the built-ins over the raw rows.
CREATE FUNCTION pg_temp.reference_trend(u uuid, bucket text, since date, until date)
RETURNS TABLE(bucket_start date, entries bigint, avg_mood float8, stddev_mood float8, min_mood float8,
              max_mood float8, slope float8, moving_avg float8)
LANGUAGE sql AS $$
  SELECT b, n, a, sd, mi, ma, sl,
         sum(sy) OVER w / nullif(sum(ny) OVER w, 0)
    FROM (SELECT date_trunc(bucket, entry_date::timestamp)::date AS b, count(*) AS n,
                 avg(mood_score::float8) AS a, stddev_samp(mood_score::float8) AS sd,
                 min(mood_score::float8) AS mi, max(mood_score::float8) AS ma,
                 regr_slope(mood_score::float8, entry_date - date '2000-01-01') AS sl,
                 sum(mood_score::float8) AS sy, count(mood_score) AS ny
            FROM journaling.journal_entries
           WHERE user_id = u AND (since IS NULL OR entry_date >= since) AND (until IS NULL OR entry_date <= until)
           GROUP BY 1) k
  WINDOW w AS (ORDER BY b RANGE BETWEEN CASE bucket WHEN 'day' THEN interval '3 days'
                                                    WHEN 'week' THEN interval '3 weeks'
                                                    ELSE interval '3 months' END PRECEDING AND CURRENT ROW)
$$;

-- Buckets that differ from the reference (floats to 1e-12 relative, or 1e-15 absolute near zero).
CREATE FUNCTION pg_temp.trend_mismatches(u uuid, bucket text, since date DEFAULT NULL, until date DEFAULT NULL)
RETURNS bigint LANGUAGE sql AS $$
  WITH t AS (SELECT * FROM journaling.mood_trend(u, bucket, since, until)),
       r AS (SELECT * FROM pg_temp.reference_trend(u, bucket, since, until))
  SELECT count(*) FROM t FULL JOIN r USING (bucket_start)
   WHERE t.entries IS DISTINCT FROM r.entries
      OR NOT coalesce(abs(t.avg_mood - r.avg_mood) <= greatest(1e-12 * abs(r.avg_mood), 1e-15), t.avg_mood IS NULL AND r.avg_mood IS NULL)
      OR NOT coalesce(abs(t.stddev_mood - r.stddev_mood) <= greatest(1e-12 * abs(r.stddev_mood), 1e-15), t.stddev_mood IS NULL AND r.stddev_mood IS NULL)
      OR t.min_mood IS DISTINCT FROM r.min_mood OR t.max_mood IS DISTINCT FROM r.max_mood
      OR NOT coalesce(abs(t.slope - r.slope) <= greatest(1e-12 * abs(r.slope), 1e-15), t.slope IS NULL AND r.slope IS NULL)
      OR NOT coalesce(abs(t.moving_avg - r.moving_avg) <= greatest(1e-12 * abs(r.moving_avg), 1e-15), t.moving_avg IS NULL AND r.moving_avg IS NULL)
$$;

CREATE FUNCTION pg_temp.check_all(label text) RETURNS TABLE(label text, buckets bigint, mismatches bigint, pending_days bigint)
LANGUAGE sql AS $$
  SELECT label,
         (SELECT count(*) FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007a1', 'week')),
         pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007a1', 'day')
       + pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007a1', 'week')
       + pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007a1', 'month')
       + pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007a1', 'week', date '2024-03-01', date '2024-09-30')
       + pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007b1', 'month'),
         (SELECT count(DISTINCT day) FROM journaling.stats_changes WHERE user_id = '00000000-0000-0000-0000-0000000007a1')
$$;

-- 1. Nothing materialized yet: every day is pending.
SELECT * FROM pg_temp.check_all('before any refresh');
-- 2. Everything materialized: no day is pending.
SELECT mode FROM journaling.refresh_statistics(true);
SELECT * FROM pg_temp.check_all('after a refresh');
-- 3. Writes since: moods changed, entries moved to other days and users,
--    deleted, inserted on new days; only those days are pending.
UPDATE journaling.journal_entries SET mood_score = -mood_score
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND entry_date < date '2024-02-01';
UPDATE journaling.journal_entries SET entry_date = entry_date + 3
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND entry_date BETWEEN date '2024-05-01' AND date '2024-05-10';
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-0000000007b1'
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND entry_date BETWEEN date '2024-07-01' AND date '2024-07-05';
DELETE FROM journaling.journal_entries
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND entry_date BETWEEN date '2024-08-01' AND date '2024-08-20';
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-0000000007a1', 'new day', date '2025-06-01', 0.25),
  ('00000000-0000-0000-0000-0000000007a1', 'new day', date '2025-06-01', NULL);
SELECT * FROM pg_temp.check_all('after writes since the refresh');
-- 4. And once those are materialized too.
SELECT mode FROM journaling.refresh_statistics();
SELECT * FROM pg_temp.check_all('after the next refresh');

-- Week buckets read the stored weekly states (journaling.weekly_stats) for
-- the weeks wholly in the range without pending days, and days for the rest:
-- the answer is bit for bit the fold of the week's daily states in day order
-- with the moving average over the buckets' rollup, as the daily path gives.
-- Ranges: unbounded, Monday to Sunday, mid-week to mid-week, one partial
-- week, no whole week, one day.
CREATE FUNCTION pg_temp.week_inexact(u uuid, since date, until date) RETURNS bigint LANGUAGE sql AS $$
  WITH k AS (SELECT d.day - ((((d.day - date '2000-01-03') % 7) + 7) % 7) AS b, sum(d.entries)::int8 AS n,
                    journaling.rollup(d.mood ORDER BY d.day) AS st
               FROM journaling.daily_stats_live d
              WHERE d.user_id = u AND (since IS NULL OR d.day >= since) AND (until IS NULL OR d.day <= until)
              GROUP BY 1),
       r AS (SELECT b, n, journaling.mean(st) AS a, journaling.stddev(st) AS sd, journaling.min_mood(st) AS mi,
                    journaling.max_mood(st) AS ma, journaling.slope(st) AS sl,
                    journaling.mean(journaling.rollup(st) OVER (ORDER BY b RANGE BETWEEN interval '3 weeks' PRECEDING
                                                                                  AND CURRENT ROW)) AS mv
               FROM k),
       t AS (SELECT * FROM journaling.mood_trend(u, 'week', since, until))
  SELECT count(*) FROM t FULL JOIN r ON r.b = t.bucket_start
   WHERE (t.entries, t.avg_mood, t.stddev_mood, t.min_mood, t.max_mood, t.slope, t.moving_avg)
         IS DISTINCT FROM (r.n, r.a, r.sd, r.mi, r.ma, r.sl, r.mv)
$$;
CREATE FUNCTION pg_temp.week_check(label text) RETURNS TABLE(label text, weeks_stored bigint, pending_days bigint,
                                                              inexact_buckets bigint)
LANGUAGE sql AS $$
  SELECT label,
         (SELECT count(*) FROM journaling.weekly_stats WHERE user_id = '00000000-0000-0000-0000-0000000007a1'),
         (SELECT count(DISTINCT day) FROM journaling.stats_changes WHERE user_id = '00000000-0000-0000-0000-0000000007a1'),
         sum(pg_temp.week_inexact('00000000-0000-0000-0000-0000000007a1', r.since, r.until))::bigint
    FROM (VALUES (NULL::date, NULL::date), (date '2024-01-01', date '2024-12-29'),
                 (date '2024-02-07', date '2024-11-19'), (NULL, date '2024-06-12'), (date '2024-06-12', NULL),
                 (date '2024-04-03', date '2024-04-06'), (date '2024-04-05', date '2024-04-16'),
                 (date '2024-04-08', date '2024-04-08')) r(since, until)
$$;
SELECT * FROM pg_temp.week_check('stored weeks, nothing pending');
-- Pending days in whole weeks (their stored weeks are stale), in the partial
-- weeks at the ends, a week emptied, a new week; then refreshed.
UPDATE journaling.journal_entries SET mood_score = 0.75
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1'
   AND entry_date IN (date '2024-03-13', date '2024-03-14', date '2024-06-11', date '2024-11-19', date '2024-02-08');
DELETE FROM journaling.journal_entries
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND entry_date BETWEEN date '2024-09-09' AND date '2024-09-15';
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-0000000007a1', 'new week', date '2026-03-04', -0.5);
SELECT * FROM pg_temp.week_check('with pending days');
SELECT * FROM pg_temp.check_all('with pending days');
SELECT mode FROM journaling.refresh_statistics();
SELECT * FROM pg_temp.week_check('after the refresh');
SELECT week, entries FROM journaling.weekly_stats
 WHERE user_id = '00000000-0000-0000-0000-0000000007a1' AND week IN (date '2024-09-09', date '2026-03-02') ORDER BY week;

-- Days before 2000 (negative day numbers) and far ahead: ISO weeks, months
-- and their moving windows across year ends, stored and pending, equal the
-- reference; a NULL user has no buckets, as before.
INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-0000-0000-0000000007c1', 'trend_c');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score)
SELECT '00000000-0000-0000-0000-0000000007c1', 'old ' || g, d + (g % 40), ((g % 7) - 3) / 4.0
  FROM generate_series(1, 120) g,
       unnest('{1899-12-25,1999-12-20,2000-02-20,2999-12-22}'::date[]) d;
SELECT mode FROM journaling.refresh_statistics();
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-0000000007c1', 'pending old', date '1999-12-31', 1),
  ('00000000-0000-0000-0000-0000000007c1', 'pending new', date '2000-01-01', -1);
SELECT b AS bucket,
       pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007c1', b) AS mismatches,
       (SELECT count(*) FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007c1', b)) AS buckets
  FROM unnest('{day,week,month}'::text[]) b ORDER BY b;
SELECT pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007c1', 'week', date '1999-12-29', date '2000-01-12')
       AS mismatches_in_range;
SELECT count(*) AS null_user_buckets FROM journaling.mood_trend(NULL, 'week');
SELECT mode FROM journaling.refresh_statistics();

-- Row-level security: an application role sees its own trend only (with
-- pending changes of both users in the log).
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-0000000007a1', 'pending a', date '2025-07-01', 0.5),
  ('00000000-0000-0000-0000-0000000007b1', 'pending b', date '2025-07-02', -0.5);
SELECT count(DISTINCT user_id) AS users_with_pending_changes FROM journaling.stats_changes;
CREATE ROLE regress_trend_app;
SELECT journaling.grant_app_role('regress_trend_app');
SET ROLE regress_trend_app;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000007b1') IS NOT NULL AS identity_set;
SELECT count(*) AS other_users_buckets FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007a1', 'week');
SELECT count(*) > 0 AS own_buckets FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007b1', 'week');
SELECT count(*) > 0 AS own_weeks_stored,
       count(*) FILTER (WHERE user_id <> '00000000-0000-0000-0000-0000000007b1') AS visible_weeks_of_others
  FROM journaling.weekly_stats;
SELECT count(*) FILTER (WHERE user_id = '00000000-0000-0000-0000-0000000007b1') AS own_changes,
       count(*) FILTER (WHERE user_id <> '00000000-0000-0000-0000-0000000007b1') AS visible_changes_of_others
  FROM journaling.stats_changes;
-- A role that may not read weekly_stats (set up by grant_app_role() before
-- version 0.2) gets the same answer from the daily states.
CREATE TEMP TABLE trend_with_weeks AS SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007b1', 'week');
RESET ROLE;
REVOKE SELECT ON journaling.weekly_stats FROM regress_trend_app;
SET ROLE regress_trend_app;
SELECT has_table_privilege('journaling.weekly_stats', 'SELECT') AS may_read_weeks,
       (SELECT count(*) FROM trend_with_weeks) AS buckets,
       (SELECT count(*) FROM ((TABLE trend_with_weeks
                               EXCEPT ALL SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007b1', 'week'))
                              UNION ALL
                              (SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000007b1', 'week')
                               EXCEPT ALL TABLE trend_with_weeks)) x) AS differing_rows_from_days;
RESET ROLE;
SELECT pg_temp.trend_mismatches('00000000-0000-0000-0000-0000000007b1', 'week') AS own_trend_mismatches_as_superuser;

DELETE FROM journaling.users WHERE username LIKE 'trend\_%';
DROP OWNED BY regress_trend_app;
DROP ROLE regress_trend_app;

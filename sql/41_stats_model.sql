-- Model-based test of the materialized statistics: seeded random sequences
-- of inserts, updates (including moves between days and users), upserts,
-- deletes, rolled-back writes (also nested under kept ones) and refreshes
-- (incremental, automatic bulk and full).
-- After every refresh user_statistics must equal user_statistics_live,
-- daily_stats daily_stats_live and weekly_stats weekly_stats_live exactly
-- (EXCEPT both ways).
SET extra_float_digits = 0;

CREATE TEMP TABLE model_runs (step int, mode text, mismatches bigint);

CREATE FUNCTION pg_temp.model_user(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT ('00000000-0000-0000-0000-0000000007' || lpad(i::text, 2, '0'))::uuid
$$;

INSERT INTO journaling.users (id, username)
SELECT pg_temp.model_user(i), 'model_' || i FROM generate_series(1, 24) i;

DO $model$
DECLARE
    vocab text[] := '{calm,work,family,run,sleep,tired,joy,rain}';
    step int;
    op float8;
    u uuid;
    u2 uuid;
    n int;
    r record;
    bad bigint;
    refreshes int := 0;
BEGIN
    PERFORM setseed(0.4242);
    FOR step IN 1 .. 400 LOOP
        op := random();
        u := pg_temp.model_user(1 + floor(random() * 24)::int);
        u2 := pg_temp.model_user(1 + floor(random() * 24)::int);
        IF op < 0.30 THEN
            -- insert 1..4 entries of one user (one statement)
            INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
            SELECT u, repeat('word ', 1 + floor(random() * 9)::int) || 'end',
                   CURRENT_DATE - floor(random() * 45)::int + 1,
                   CASE WHEN random() < 0.2 THEN NULL ELSE round((random() * 2 - 1)::numeric, 2) END,
                   ARRAY(SELECT vocab[1 + floor(random() * 8)::int] FROM generate_series(1, floor(random() * 4)::int))
              FROM generate_series(1, 1 + floor(random() * 4)::int);
        ELSIF op < 0.40 THEN
            -- entries of several users in one statement
            INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score)
            SELECT pg_temp.model_user(1 + floor(random() * 24)::int), 'batch ' || g,
                   CURRENT_DATE - floor(random() * 45)::int, round((random() * 2 - 1)::numeric, 2)
              FROM generate_series(1, 6) g;
        ELSIF op < 0.50 THEN
            -- change mood, words and tags
            UPDATE journaling.journal_entries
               SET mood_score = CASE WHEN random() < 0.3 THEN NULL ELSE round((random() * 2 - 1)::numeric, 2) END,
                   content = content || ' more words',
                   tags = tags || vocab[1 + floor(random() * 8)::int]
             WHERE user_id = u AND random() < 0.5;
        ELSIF op < 0.60 THEN
            -- move entries to other days
            UPDATE journaling.journal_entries
               SET entry_date = entry_date + (floor(random() * 7)::int - 3)
             WHERE user_id = u AND random() < 0.5;
        ELSIF op < 0.67 THEN
            -- move entries to another user
            UPDATE journaling.journal_entries SET user_id = u2
             WHERE user_id = u AND random() < 0.6;
        ELSIF op < 0.77 THEN
            DELETE FROM journaling.journal_entries WHERE user_id = u AND random() < 0.4;
        ELSIF op < 0.78 THEN
            -- a write that is rolled back leaves no trace in the change log
            BEGIN
                INSERT INTO journaling.journal_entries (user_id, content, entry_date)
                VALUES (u, 'rolled back', CURRENT_DATE - 100);
                RAISE EXCEPTION 'roll back';
            EXCEPTION WHEN raise_exception THEN
                NULL;
            END;
        ELSIF op < 0.79 THEN
            -- upsert: existing entries move to other days (the UPDATE path
            -- of ON CONFLICT), one new entry is inserted
            INSERT INTO journaling.journal_entries (user_id, id, content, entry_date, mood_score)
            SELECT e.user_id, e.id, e.content || ' upserted', e.entry_date + (floor(random() * 5)::int - 2),
                   round((random() * 2 - 1)::numeric, 2)
              FROM journaling.journal_entries e WHERE e.user_id = u AND random() < 0.5
            UNION ALL
            SELECT u, gen_random_uuid(), 'upsert new', CURRENT_DATE - floor(random() * 45)::int, NULL
            ON CONFLICT (user_id, id) DO UPDATE
               SET content = EXCLUDED.content, entry_date = EXCLUDED.entry_date, mood_score = EXCLUDED.mood_score;
        ELSIF op < 0.80 THEN
            -- a write that stays, then a nested block whose writes (a move
            -- to another user, an insert) are rolled back
            INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score)
            VALUES (u, 'kept', CURRENT_DATE - floor(random() * 45)::int, 0.5);
            BEGIN
                UPDATE journaling.journal_entries SET user_id = u2, entry_date = entry_date + 1
                 WHERE user_id = u AND random() < 0.5;
                INSERT INTO journaling.journal_entries (user_id, content, entry_date)
                VALUES (u2, 'rolled back', CURRENT_DATE - 101);
                RAISE EXCEPTION 'roll back';
            EXCEPTION WHEN raise_exception THEN
                NULL;
            END;
        ELSIF op < 0.82 THEN
            -- touch almost everyone: the refresh should choose the bulk path
            UPDATE journaling.journal_entries SET is_favorite = NOT is_favorite
             WHERE user_id::text LIKE '00000000-0000-0000-0000-0000000007%';
        ELSE
            refreshes := refreshes + 1;
            SELECT * INTO r FROM journaling.refresh_statistics(full => refreshes % 6 = 0);
            SELECT count(*) INTO bad FROM (
                (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                        first_entry_date, last_entry_date, active_months, current_streak,
                        longest_streak, top_tags FROM journaling.user_statistics
                 EXCEPT
                 SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                        first_entry_date, last_entry_date, active_months, current_streak,
                        longest_streak, top_tags FROM journaling.user_statistics_live)
                UNION ALL
                (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                        first_entry_date, last_entry_date, active_months, current_streak,
                        longest_streak, top_tags FROM journaling.user_statistics_live
                 EXCEPT
                 SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope,
                        first_entry_date, last_entry_date, active_months, current_streak,
                        longest_streak, top_tags FROM journaling.user_statistics)) x;
            SELECT bad + count(*) INTO bad FROM (
                (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats
                 EXCEPT
                 SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats_live)
                UNION ALL
                (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats_live
                 EXCEPT
                 SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats)) y;
            SELECT bad + count(*) INTO bad FROM (
                (SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats
                 EXCEPT
                 SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats_live)
                UNION ALL
                (SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats_live
                 EXCEPT
                 SELECT user_id, week, entries, mood::text FROM journaling.weekly_stats)) z;
            INSERT INTO model_runs VALUES (step, r.mode, bad);
            IF bad > 0 THEN
                RAISE WARNING 'step %: % mismatching rows after a % refresh', step, bad, r.mode;
            END IF;
        END IF;
    END LOOP;
END
$model$;

-- Every refresh mode was exercised, and no refresh left a mismatch.
SELECT mode, count(*) > 0 AS exercised, sum(mismatches) AS mismatches
  FROM model_runs GROUP BY mode ORDER BY mode;
SELECT count(*) >= 50 AS enough_refreshes FROM model_runs;

-- A final refresh; the model users' statistics agree with the built-ins.
SELECT mode <> 'skipped' AS refreshed FROM journaling.refresh_statistics();
SELECT count(*) AS users_checked,
       bool_and(s.total_entries = b.n AND s.total_words = b.w) AS totals_ok,
       bool_and(s.avg_mood IS NOT DISTINCT FROM b.avg OR abs(s.avg_mood - b.avg) <= 1e-12) AS avg_ok,
       bool_and(s.mood_stddev IS NOT DISTINCT FROM b.sd OR abs(s.mood_stddev - b.sd) <= 1e-12) AS stddev_ok,
       bool_and(s.mood_slope IS NOT DISTINCT FROM b.slope
                OR abs(s.mood_slope - b.slope) <= 1e-9 * greatest(1, abs(b.slope))) AS slope_ok,
       bool_and((s.current_streak, s.longest_streak) = (k.current_streak, k.longest_streak)) AS streaks_ok
  FROM journaling.user_statistics s
  JOIN (SELECT user_id, count(*) AS n, sum(word_count) AS w, avg(mood_score::float8) AS avg,
               stddev_samp(mood_score::float8) AS sd,
               regr_slope(mood_score::float8, entry_date - DATE '2000-01-01') AS slope
          FROM journaling.journal_entries GROUP BY user_id) b USING (user_id)
  CROSS JOIN LATERAL journaling.streaks(s.user_id) k
 WHERE s.user_id::text LIKE '00000000-0000-0000-0000-0000000007%'
HAVING count(*) > 10;

DELETE FROM journaling.users WHERE username LIKE 'model_%';
SELECT mode <> 'skipped' AS refreshed FROM journaling.refresh_statistics();
SELECT count(*) AS model_rows_left FROM journaling.user_statistics
 WHERE user_id::text LIKE '00000000-0000-0000-0000-0000000007%';

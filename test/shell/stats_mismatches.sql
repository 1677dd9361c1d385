-- Rows by which the materialized statistics differ from the live views (0 = equal);
-- shared by test/shell/faults.sh and test/shell/stats_capture_upgrade.sh.
WITH t AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope, first_entry_date,
                  last_entry_date, active_months, current_streak, longest_streak, top_tags
             FROM journaling.user_statistics),
     l AS (SELECT user_id, total_entries, total_words, avg_mood, mood_stddev, mood_slope, first_entry_date,
                  last_entry_date, active_months, current_streak, longest_streak, top_tags
             FROM journaling.user_statistics_live),
     td AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats),
     ld AS (SELECT user_id, day, entries, words, mood::text FROM journaling.daily_stats_live)
SELECT (SELECT count(*) FROM (TABLE t EXCEPT TABLE l) a) + (SELECT count(*) FROM (TABLE l EXCEPT TABLE t) b)
     + (SELECT count(*) FROM (TABLE td EXCEPT TABLE ld) c) + (SELECT count(*) FROM (TABLE ld EXCEPT TABLE td) d)

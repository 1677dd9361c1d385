-- test/bench/load/trend.sql — an app request for the user's weekly mood trend
-- over all their entries.
\set n random(1, :users)
BEGIN;
SELECT journaling.set_user(id, true) AS identity, id AS uid FROM loadbench.user_ids WHERE n = :n \gset
SELECT * FROM journaling.mood_trend(:uid::uuid, 'week');
COMMIT;

-- test/bench/load/list.sql — an app request that lists the user's latest 100
-- entries, whole (content included).
\set n random(1, :users)
BEGIN;
SELECT journaling.set_user(id, true) AS identity, id AS uid FROM loadbench.user_ids WHERE n = :n \gset
SELECT id, title, content, entry_date, mood_score, mood_label, tags, is_favorite, created_at
  FROM journaling.journal_entries
 WHERE user_id = :uid::uuid
 ORDER BY entry_date DESC, created_at DESC
 LIMIT 100;
COMMIT;

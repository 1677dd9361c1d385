-- test/bench/load/create.sql — an app request that writes one journal entry.
-- Identity for this transaction only (pooler-safe), then a realistic text (one
-- of loadbench.texts, from gen.py) as today's entry with a random mood.
\set n random(1, :users)
\set k random(1, :texts)
\set mood random(-100, 100)
BEGIN;
SELECT journaling.set_user(id, true) AS identity, id AS uid FROM loadbench.user_ids WHERE n = :n \gset
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date, mood_score, tags)
SELECT :uid::uuid, t.title, t.content, CURRENT_DATE, :mood::int / 100.0, t.tags
  FROM loadbench.texts t WHERE t.n = :k;
COMMIT;

-- test/bench/load/search.sql — an app request that searches the user's
-- entries: top 20 with snippets, for one of loadbench.queries (some misspelt,
-- so typo correction runs).
\set n random(1, :users)
\set k random(1, :queries)
BEGIN;
SELECT journaling.set_user(id, true) AS identity, id AS uid FROM loadbench.user_ids WHERE n = :n \gset
SELECT s.* FROM loadbench.queries q, journaling.search(q.q, :uid::uuid, 20) s WHERE q.n = :k;
COMMIT;

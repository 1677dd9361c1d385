-- journaling.refresh_search_index() and the index path of search_top():
-- the same rows and ranks as the SQL reference before any build, with a
-- fresh index, with writes logged since the build (inserted, rewritten,
-- re-dated, moved to another user, deleted entries), after a rebuild and
-- after TRUNCATE; proof that the index is what is read; a hidden row;
-- row-level security; bad input.
SET extra_float_digits = 0;
SELECT setseed(0.34);
-- Start from empty tables, whatever earlier tests left behind.
SET client_min_messages = warning;
DELETE FROM journaling.users;
DELETE FROM journaling.search_changes;
RESET client_min_messages;

INSERT INTO journaling.users (id, username)
SELECT ('00000000-0000-4000-8000-00000000003' || u)::uuid, 'indexed' || u FROM generate_series(1, 5) u;

CREATE TEMP TABLE words AS
SELECT row_number() OVER () AS i, w FROM unnest(ARRAY[
  'walk','walked','rain','lisbon','coffee','friend','friends','dream','quiet','calm','anxious',
  'happy','work','sleep','morning','night','journal','music','sea','river','the','and','a',
  'long','run','running','café','mañana','self-care','tired','grateful','family']) w;

-- Users 1-4 write; user 5 has no entries.  Titles (weight A) and tags (C)
-- add weights; some texts are long, so positions run past 300.
CREATE FUNCTION pg_temp.text_of(n int) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(w, ' ') FROM (SELECT w FROM words, generate_series(1, 1 + n % 3) r
                                   ORDER BY random() LIMIT 2 + (n * 13) % 40) s
$$;
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, tags)
SELECT ('00000000-0000-4000-8000-00000000003' || u)::uuid,
       md5('indexed' || u || '-' || n)::uuid,
       CASE WHEN n % 4 = 0 THEN NULL ELSE (SELECT string_agg(w, ' ') FROM words WHERE i = 1 + (n * 7 + u) % 32) END,
       pg_temp.text_of(n) || CASE WHEN n % 50 = 0 THEN ' ' || repeat('calm sea ', 200) ELSE '' END,
       DATE '2025-01-01' + (n % 40),
       CASE WHEN n % 5 = 0 THEN ARRAY['music'] ELSE '{}' END
  FROM generate_series(1, 4) u, generate_series(1, 250) n;

CREATE TEMP TABLE queries (q tsquery);
INSERT INTO queries
SELECT websearch_to_tsquery('english', w) FROM unnest(ARRAY[
  'rain', 'walk', 'walking lisbon', 'coffee OR sea', '"long run"', 'music -rain', '-rain', 'friend',
  'happy family', 'dream OR night OR river', 'café', 'mañana', 'self-care', 'zanzibar',
  'calm quiet', '"quiet calm"', '"calm sea"', 'tired -grateful', 'morning or evening']) w
UNION ALL
SELECT to_tsquery('english', w) FROM unnest(ARRAY[
  'rain:A', 'rain:BC & !coffee', 'calm <2> sea', 'sea <-> calm', '!rain & !coffee', 'walk:*',
  '(dream | night) <-> (river | sea)', 'rain & rain']) w;

-- The reference: the SQL the contract states.
CREATE FUNCTION pg_temp.reference(q tsquery, uid uuid, n int) RETURNS TABLE(id uuid, rank real)
LANGUAGE sql AS $$
  SELECT e.id, ts_rank_cd(e.search_vector, q) AS rank
    FROM journaling.journal_entries e
   WHERE e.user_id = uid AND e.search_vector @@ q
   ORDER BY rank DESC, e.entry_date DESC, e.id
   LIMIT n
$$;
-- Cases where search_top() differs from it: every query (of the table, or
-- those given), user and limit.
CREATE FUNCTION pg_temp.mismatches(users int[] DEFAULT '{1,2,3,4,5}', qs tsquery[] DEFAULT NULL)
RETURNS TABLE(cases bigint, mismatches bigint, with_rows bigint) LANGUAGE sql AS $$
  SELECT count(*), count(*) FILTER (WHERE got IS DISTINCT FROM want),
         count(*) FILTER (WHERE cardinality(want) > 0)
    FROM (SELECT (SELECT array_agg(ROW(t.id, t.rank) ORDER BY o) FROM journaling.search_top(q.q, u.uid, n.n) WITH ORDINALITY t(id, a, b, c, d, rank, o)) AS got,
                 (SELECT array_agg(ROW(r.id, r.rank) ORDER BY o) FROM pg_temp.reference(q.q, u.uid, n.n) WITH ORDINALITY r(id, rank, o)) AS want
            FROM (SELECT queries.q FROM queries WHERE qs IS NULL UNION ALL SELECT unnest(qs)) q,
                 (SELECT ('00000000-0000-4000-8000-00000000003' || u)::uuid AS uid FROM unnest(users) u) u,
                 (VALUES (1), (5), (20), (10000)) n(n)) t
$$;

-- No index yet: the rows are scanned.
SELECT * FROM pg_temp.mismatches();
SELECT count(*) AS index_rows FROM journaling.search_index;

-- Writes are logged in stats_changes; a search ranks the logged days from
-- the table, so the statistics are refreshed first (their log consumed:
-- nothing to hand on while no user has an index).
SELECT mode FROM journaling.refresh_statistics();
SELECT count(*) AS handed_on FROM journaling.search_changes;
-- First build: every user with entries (not user 5).
SELECT mode, users, entries, changes FROM journaling.refresh_search_index();
SELECT count(*) AS index_rows, sum(nbuckets) >= 4 AS some_buckets,
       (SELECT count(*) FROM journaling.search_postings) >= 4 AS some_postings,
       (SELECT count(*) FROM journaling.search_changes) AS log_rows
  FROM journaling.search_index;
SELECT * FROM pg_temp.mismatches();
-- Nothing changed: nothing to do.
SELECT mode, users, entries, changes FROM journaling.refresh_search_index();

-- The index is what is read: without user 1's postings, user 1's rows are
-- not found any more (for queries that need a lexeme), others' still are.
BEGIN;
DELETE FROM journaling.search_postings WHERE user_id = '00000000-0000-4000-8000-000000000031';
SELECT mismatches > 0 AS user1_differs FROM pg_temp.mismatches('{1}');
SELECT mismatches AS others_mismatches FROM pg_temp.mismatches('{2,3}');
ROLLBACK;
-- A damaged bucket is reported, not misread.
BEGIN;
UPDATE journaling.search_postings SET postings = '\x0500616263'::bytea
 WHERE user_id = '00000000-0000-4000-8000-000000000031';
SELECT count(*) FROM journaling.search_top(websearch_to_tsquery('english', 'rain'), '00000000-0000-4000-8000-000000000031', 5);
ROLLBACK;

-- Writes after the build: the logged days are ranked from the table.
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date)
VALUES ('00000000-0000-4000-8000-000000000031', md5('new-1')::uuid, 'rain rain', 'rain ' || repeat('rain coffee ', 30), '2025-03-01'),
       ('00000000-0000-4000-8000-000000000032', md5('new-2')::uuid, 'quiet', 'quiet calm sea', '2025-01-05'),
       ('00000000-0000-4000-8000-000000000035', md5('new-5')::uuid, 'walk', 'walk in the rain', '2025-01-07');
UPDATE journaling.journal_entries SET content = repeat('walk lisbon ', 40)
 WHERE id IN (SELECT id FROM journaling.journal_entries WHERE user_id = '00000000-0000-4000-8000-000000000031' ORDER BY id LIMIT 3);
UPDATE journaling.journal_entries SET entry_date = entry_date + 100
 WHERE id IN (SELECT id FROM journaling.journal_entries WHERE user_id = '00000000-0000-4000-8000-000000000032' ORDER BY id LIMIT 5);
UPDATE journaling.journal_entries SET user_id = '00000000-0000-4000-8000-000000000034'
 WHERE id IN (SELECT id FROM journaling.journal_entries WHERE user_id = '00000000-0000-4000-8000-000000000033' ORDER BY id LIMIT 7);
DELETE FROM journaling.journal_entries
 WHERE id IN (SELECT id FROM journaling.journal_entries WHERE user_id = '00000000-0000-4000-8000-000000000034' ORDER BY id DESC LIMIT 9);
SELECT count(DISTINCT user_id) AS logged_users, count(*) > 0 AS logged_days FROM journaling.stats_changes
 WHERE user_id::text LIKE '00000000-0000-4000-8000-00000000003_';
SELECT * FROM pg_temp.mismatches();
-- ... also inside the writing transaction, before and after a savepoint rollback.
BEGIN;
DELETE FROM journaling.journal_entries WHERE content LIKE '%walk lisbon walk%';
SAVEPOINT s;
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date)
VALUES ('00000000-0000-4000-8000-000000000033', 'lisbon', repeat('happy family ', 50), '2025-01-02');
SELECT * FROM pg_temp.mismatches('{1,3}');
ROLLBACK TO SAVEPOINT s;
SELECT * FROM pg_temp.mismatches('{1,3}');
ROLLBACK;

-- The statistics refresh hands the pairs on to the search index's log:
-- still exact, then the rebuild of the touched users consumes them.
SELECT mode FROM journaling.refresh_statistics();
SELECT count(DISTINCT user_id) AS handed_on_users, count(*) > 0 AS handed_on_days,
       (SELECT count(*) FROM journaling.stats_changes) AS stats_log_rows
  FROM journaling.search_changes;
SELECT * FROM pg_temp.mismatches();
-- Rebuild: the touched users only, the log consumed.
SELECT mode, users, entries, changes > 0 AS consumed FROM journaling.refresh_search_index();
SELECT count(*) AS index_rows, (SELECT count(*) FROM journaling.search_changes) AS log_rows
  FROM journaling.search_index;
SELECT * FROM pg_temp.mismatches();
-- A user left without entries loses the index row.
DELETE FROM journaling.journal_entries WHERE user_id = '00000000-0000-4000-8000-000000000035';
SELECT mode FROM journaling.refresh_statistics();
SELECT mode, users, entries FROM journaling.refresh_search_index();
SELECT count(*) AS index_rows FROM journaling.search_index;
SELECT mode, users, entries, changes FROM journaling.refresh_search_index(true);
SELECT * FROM pg_temp.mismatches();

-- An indexed row the caller cannot see (a policy of the administrator's) is
-- left out and the next one taken, as the reference (run as the same role) does.
CREATE ROLE regress_index_app;
SELECT journaling.grant_app_role('regress_index_app');
GRANT SELECT ON queries TO regress_index_app;
CREATE POLICY regress_hide_coffee ON journaling.journal_entries AS RESTRICTIVE FOR SELECT
    USING (title IS NULL OR title <> 'coffee');
-- The application role reads its index too: without the postings, it differs.
BEGIN;
DELETE FROM journaling.search_postings WHERE user_id = '00000000-0000-4000-8000-000000000031';
SET ROLE regress_index_app;
SELECT journaling.set_user('00000000-0000-4000-8000-000000000031') IS NOT NULL AS identity_set;
SELECT mismatches > 0 AS user1_differs FROM pg_temp.mismatches('{1}');
ROLLBACK;
SET ROLE regress_index_app;
SELECT journaling.set_user('00000000-0000-4000-8000-000000000031') IS NOT NULL AS identity_set;
SELECT * FROM pg_temp.mismatches('{1}');
SELECT count(*) AS hidden_rows_returned
  FROM journaling.search_top(websearch_to_tsquery('english', 'coffee'), '00000000-0000-4000-8000-000000000031', 10000) t
 WHERE t.title = 'coffee';
-- Only the caller's own index is readable; for another user the rows are
-- scanned, and none is visible.
SELECT user_id FROM journaling.search_index;
SELECT count(*) AS other_user_rows
  FROM journaling.search_top(websearch_to_tsquery('english', 'rain'), '00000000-0000-4000-8000-000000000032', 10);
-- Not for application roles.
SELECT * FROM journaling.refresh_search_index();
RESET ROLE;
DROP POLICY regress_hide_coffee ON journaling.journal_entries;

-- Phrases of distinct words are bounded by their matches (search.c,
-- "Phrases"): user 6 repeats phrases a varying number of times, in titles
-- (weight A) and text, among other words, so that many entries match and
-- the bound decides which ones are ranked.
INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-4000-8000-000000000036', 'indexed6');
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date)
SELECT '00000000-0000-4000-8000-000000000036',
       (ARRAY['walk lisbon', 'quiet calm sea', NULL, 'coffee walk'])[1 + n % 4],
       pg_temp.text_of(n) || ' ' || repeat('walk lisbon coffee ', n % 5) || pg_temp.text_of(n + 1) || ' '
         || repeat('calm sea quiet ', n % 4) || repeat('walk coffee lisbon ', n % 3) || pg_temp.text_of(n + 2),
       DATE '2025-01-01' + n % 30
  FROM generate_series(1, 200) n;
SELECT mode FROM journaling.refresh_statistics();
SELECT mode, users, entries FROM journaling.refresh_search_index();
SELECT * FROM pg_temp.mismatches('{6}', ARRAY(
  SELECT websearch_to_tsquery('english', w) FROM unnest(ARRAY['"walk lisbon"', '"walk lisbon coffee"', '"calm sea"',
                                                              '"lisbon walk"', '"sea quiet"']) w
  UNION ALL
  SELECT to_tsquery('english', w) FROM unnest(ARRAY['walk <-> (lisbon <-> coffee)', '(walk <2> coffee) <-> lisbon',
                                                    'walk <2> coffee', 'calm <0> sea', 'sea <3> calm <-> quiet',
                                                    'calm:A <-> sea', 'lisbon <-> lisbon', 'quiet <-> calm <-> sea']) w));

-- TRUNCATE drops every index row; the rows are scanned until the next build.
BEGIN;
TRUNCATE journaling.journal_entries CASCADE;
SELECT count(*) AS index_rows, (SELECT count(*) FROM journaling.search_postings) AS posting_rows
  FROM journaling.search_index;
INSERT INTO journaling.journal_entries (user_id, title, content, entry_date)
VALUES ('00000000-0000-4000-8000-000000000031', 'rain', 'rain again', '2025-01-01');
SELECT count(*) AS found FROM journaling.search_top(websearch_to_tsquery('english', 'rain'), '00000000-0000-4000-8000-000000000031', 10);
SELECT mode, users, entries FROM journaling.refresh_search_index(NULL);
SELECT count(*) AS found FROM journaling.search_top(websearch_to_tsquery('english', 'rain'), '00000000-0000-4000-8000-000000000031', 10);
ROLLBACK;

DROP OWNED BY regress_index_app;
DROP ROLE regress_index_app;

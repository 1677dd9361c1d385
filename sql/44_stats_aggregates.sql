-- journaling.top_tags and journaling.streak_lengths (src/user_aggregates.c),
-- the per-user aggregates of refresh_statistics(), against the SQL they
-- replace (the SQL of journaling.user_statistics_live and streaks()) on
-- generated groups; then their edge cases and errors.

SELECT setseed(0.17);

-- Groups of tag arrays: NULL arrays, empty arrays, NULL elements, repeats
-- within an array, ties, prefixes, case, non-ASCII and long tags.
CREATE TEMP TABLE tag_rows AS
SELECT g, CASE WHEN r < 0.05 THEN NULL
               WHEN r < 0.10 THEN '{}'::text[]
               ELSE ARRAY(SELECT CASE WHEN random() < 0.05 THEN NULL
                                      ELSE (ARRAY['a', 'ab', 'A', 'b', 'é', 'e', 'ß', 'ss', '日記', '😀', 'calm',
                                                  'work', 'Work', 'a b', '', repeat('x', 300)])[1 + floor(random() * 16)::int]
                                 END
                            FROM generate_series(1, 1 + floor(random() * 4)::int) x WHERE x > 0 * g)
          END AS tags
  FROM (SELECT g, random() AS r FROM generate_series(1, 400) g0, LATERAL (SELECT g0 % 60 AS g) q) s;

-- The oracle: unnest, count, order by count then "C", keep k.
CREATE FUNCTION pg_temp.sql_top_tags(grp int, k int) RETURNS text[] LANGUAGE sql AS $$
  SELECT array_agg(c.tag ORDER BY c.n DESC, c.tag COLLATE "C")
    FROM (SELECT t.tag, count(*) AS n
            FROM tag_rows r CROSS JOIN LATERAL unnest(r.tags) AS t(tag)
           WHERE r.g = grp AND t.tag IS NOT NULL
           GROUP BY t.tag
           ORDER BY count(*) DESC, t.tag COLLATE "C"
           LIMIT k) c
$$;

SELECT k, count(*) AS groups,
       count(*) FILTER (WHERE ours IS DISTINCT FROM oracle) AS mismatches,
       count(*) FILTER (WHERE ours IS NULL) AS null_groups
  FROM (SELECT r.g, k.k, journaling.top_tags(r.tags, k.k) AS ours, pg_temp.sql_top_tags(r.g, k.k) AS oracle
          FROM tag_rows r CROSS JOIN (VALUES (0), (1), (3), (5), (100)) AS k(k)
         GROUP BY r.g, k.k) c
 GROUP BY k ORDER BY k;

-- In any input order (the aggregate must not depend on it).
SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b) AS order_mismatches
  FROM (SELECT g, journaling.top_tags(tags, 5 ORDER BY random()) AS a,
                  journaling.top_tags(tags, 5 ORDER BY tags DESC) AS b
          FROM tag_rows GROUP BY g) s;

-- Edge cases.
SELECT journaling.top_tags(t, 5) FROM (VALUES (NULL::text[])) v(t);
SELECT journaling.top_tags(t, 5) FROM (VALUES ('{}'::text[]), ('{NULL}')) v(t);
SELECT journaling.top_tags(t, 5) FROM (VALUES ('{b,a,B,a}'::text[]), ('{b}')) v(t);
SELECT journaling.top_tags(t, 2) FROM (VALUES ('{ab,a,b,"a "}'::text[])) v(t);
SELECT journaling.top_tags(t, 5) FROM (SELECT '{x}'::text[] WHERE false) v(t);
-- k is read from the first row.
SELECT journaling.top_tags(t, k ORDER BY k) FROM (VALUES ('{a,b,c}'::text[], 1), ('{c}', 3)) v(t, k);
-- Errors.
\set VERBOSITY sqlstate
SELECT journaling.top_tags(t, -1) FROM (VALUES ('{a}'::text[])) v(t);
SELECT journaling.top_tags(t, NULL) FROM (VALUES ('{a}'::text[])) v(t);
SELECT journaling.top_tags_trans(NULL, '{a}', 1);
SELECT journaling.top_tags_final(NULL);
\set VERBOSITY default

-- Runs of days: groups of days around a reference day, with repeats, gaps,
-- runs ending the day before, runs starting after it, far dates and the
-- infinities; each compared for several reference days with the SQL of
-- journaling.streaks().
CREATE TEMP TABLE day_rows AS
SELECT g, CASE WHEN random() < 0.02 THEN NULL
               WHEN random() < 0.01 THEN 'infinity'::date
               WHEN random() < 0.01 THEN '-infinity'::date
               WHEN g % 7 = 0 THEN date '0100-01-01' + floor(random() * 20)::int
               WHEN g % 7 = 1 THEN date '9000-01-01' + floor(random() * 20)::int
               ELSE date '2026-01-10' + floor(random() * (5 + g % 30))::int
          END AS day
  FROM generate_series(1, 80) g, generate_series(1, 25) i
 WHERE random() < 0.7;
INSERT INTO day_rows VALUES (1000, '2026-01-09'), (1000, '2026-01-10'), (1001, '2026-01-11'),
    (1002, '2026-01-12'), (1002, '2026-01-13'), (1003, NULL), (1004, 'infinity'), (1004, '-infinity');

CREATE FUNCTION pg_temp.sql_streaks(grp int, today date) RETURNS int[] LANGUAGE sql AS $$
  WITH days AS (SELECT DISTINCT r.day AS d FROM day_rows r WHERE r.g = grp AND r.day IS NOT NULL),
       runs AS (SELECT min(x.d) AS first_d, max(x.d) AS last_d, count(*)::int AS len
                  FROM (SELECT d, d - (row_number() OVER (ORDER BY d))::int AS grp FROM days) x
                 GROUP BY x.grp)
  SELECT CASE WHEN count(*) = 0 THEN NULL
              ELSE ARRAY[COALESCE(max(len) FILTER (WHERE first_d <= today AND last_d >= today - 1), 0),
                         max(len)] END
    FROM runs
$$;

SELECT count(*) AS comparisons,
       count(*) FILTER (WHERE ours IS DISTINCT FROM oracle) AS mismatches,
       count(*) FILTER (WHERE ours[1] > 0) AS with_current,
       count(*) FILTER (WHERE ours IS NULL) AS null_groups
  FROM (SELECT r.g, t.today, journaling.streak_lengths(r.day, t.today ORDER BY random()) AS ours,
               pg_temp.sql_streaks(r.g, t.today) AS oracle
          FROM day_rows r
         CROSS JOIN (VALUES (date '2026-01-09'), ('2026-01-10'), ('2026-01-11'), ('2026-01-14'),
                            ('2026-01-20'), ('2026-02-15'), ('0100-01-05'), ('9000-01-21')) AS t(today)
         GROUP BY r.g, t.today) c;

-- Edge cases, reference day 2026-01-11.
SELECT journaling.streak_lengths(d, date '2026-01-11')
  FROM (VALUES (date '2026-01-10'), ('2026-01-09'), ('2026-01-09')) v(d);      -- ends yesterday
SELECT journaling.streak_lengths(d, date '2026-01-11')
  FROM (VALUES (date '2026-01-12'), ('2026-01-13')) v(d);                      -- starts tomorrow
SELECT journaling.streak_lengths(d, date '2026-01-11')
  FROM (VALUES (date '2026-01-11'), ('2026-01-12'), ('2026-01-05')) v(d);      -- through today
SELECT journaling.streak_lengths(d, date '2026-01-11')
  FROM (VALUES (date 'infinity'), ('-infinity'), (NULL)) v(d);
SELECT journaling.streak_lengths(d, date '2026-01-11') FROM (VALUES (NULL::date)) v(d);
\set VERBOSITY sqlstate
SELECT journaling.streak_lengths(d, NULL) FROM (VALUES (date '2026-01-11')) v(d);
SELECT journaling.streak_lengths_trans(NULL, date '2026-01-11', date '2026-01-11');
\set VERBOSITY default

-- Mood statistics: journaling.moodstats, mood_agg, rollup, accessors,
-- mood_ewma, mood_trend, streaks.  Oracles are the built-in aggregates and
-- exact numeric arithmetic; only booleans and counts are printed.

-- Run a statement; report its SQLSTATE and message instead of failing.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- a equals the exact value b to 1e-12 relative (both NULL counts as equal).
CREATE FUNCTION pg_temp.close(a float8, b numeric) RETURNS bool
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
                ELSE abs(a::numeric - b) <= 1e-12 * abs(b) END
$$;

-- a agrees with the built-in result c to 1e-12 relative, or (where c itself
-- is less accurate) is at least as close to the exact value b.
CREATE FUNCTION pg_temp.agrees(a float8, c float8, b numeric) RETURNS bool
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL OR c IS NULL THEN a IS NULL AND c IS NULL
                ELSE abs(a - c) <= 1e-12 * abs(c)
                     OR abs(a::numeric - b) <= abs(c::numeric - b) END
$$;

-- The exact value of a float8 as numeric (from its bits: mantissa * 2^k).
CREATE FUNCTION pg_temp.exact(f float8) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN f = 0 THEN 0::numeric
                ELSE sign(f)::numeric * m::numeric *
                     CASE WHEN k >= 0 THEN power(2::numeric, k)
                          ELSE power(5::numeric, -k) * ('1e' || k)::numeric END
           END
      FROM (SELECT (bits & 4503599627370495)
                   + CASE WHEN (bits >> 52) & 2047 = 0 THEN 0 ELSE 4503599627370496 END AS m,
                   greatest(((bits >> 52) & 2047)::int, 1) - 1075 AS k
              FROM (SELECT ('x' || encode(float8send(f), 'hex'))::bit(64)::bigint AS bits) b) d
$$;

-- Generated rows: 37 groups of different shape (1-row groups, constant moods,
-- NULL moods, NULL days, far-future and BC days, moods outside [-1, 1]).
-- A regular table, so parallel plans can scan it.
CREATE TABLE public.moodstats_rows (g int, grp int, day date, mood float8);
INSERT INTO public.moodstats_rows
SELECT g, g % 37,
       CASE WHEN g % 53 = 0 THEN NULL
            WHEN g % 37 = 5 THEN date '5874000-01-01' + (g / 37) % 300
            WHEN g % 37 = 6 THEN date '4000-01-01 BC' + (g / 37) % 300
            WHEN g % 37 = 9 THEN date '2024-03-01'
            ELSE date '2024-01-01' + (g / 37) % 365 END,
       CASE WHEN g % 41 = 0 THEN NULL
            WHEN g % 37 = 7 THEN 0.1
            WHEN g % 37 = 8 THEN (hashint4(g) % 100003) / 7.0 + 1e4
            ELSE (hashint4(g) % 2001) / 1000.0 - 0.3 END
  FROM generate_series(1, 20000) g;
INSERT INTO public.moodstats_rows VALUES
    (40001, 100, date '2024-02-02', 0.5),          -- one row
    (40002, 101, date '2024-02-02', NULL),         -- only a NULL mood
    (40003, 102, NULL, 0.25),                      -- moods without days
    (40004, 102, NULL, 0.75),
    (40005, 103, date '2024-02-02', 0.5),          -- one day, two moods
    (40006, 103, date '2024-02-02', -0.5);
ANALYZE public.moodstats_rows;

CREATE TEMP TABLE ref AS
SELECT grp,
       journaling.mood_agg(mood, day) AS st,
       count(mood) AS b_n, avg(mood) AS b_avg, stddev_samp(mood) AS b_sd,
       var_samp(mood) AS b_var, min(mood) AS b_min, max(mood) AS b_max,
       regr_slope(mood, day - date '2000-01-01') AS b_slope,
       min(day) FILTER (WHERE mood IS NOT NULL) AS b_first,
       max(day) FILTER (WHERE mood IS NOT NULL) AS b_last,
       avg(pg_temp.exact(mood)) AS x_avg,
       var_samp(pg_temp.exact(mood)) AS x_var,
       sqrt(var_samp(pg_temp.exact(mood))) AS x_sd,
       (count(*) FILTER (WHERE day IS NOT NULL AND mood IS NOT NULL)
            * sum((day - date '2000-01-01')::numeric * pg_temp.exact(mood))
        - sum((day - date '2000-01-01')::numeric) FILTER (WHERE mood IS NOT NULL)
            * sum(pg_temp.exact(mood)) FILTER (WHERE day IS NOT NULL))
       / nullif(count(*) FILTER (WHERE day IS NOT NULL AND mood IS NOT NULL)
                    * sum(((day - date '2000-01-01')::numeric) ^ 2) FILTER (WHERE mood IS NOT NULL)
                - sum((day - date '2000-01-01')::numeric) FILTER (WHERE mood IS NOT NULL) ^ 2, 0) AS x_slope
  FROM public.moodstats_rows
 GROUP BY grp;

SELECT count(*) AS groups FROM ref;

-- Every accessor against the exact value (1e-12 relative) and the built-ins.
SELECT count(*) FILTER (WHERE journaling.n(st) = b_n) AS n_ok,
       count(*) FILTER (WHERE pg_temp.close(journaling.mean(st), x_avg)) AS mean_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.variance(st), x_var)) AS variance_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.stddev(st), x_sd)) AS stddev_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.slope(st), x_slope)) AS slope_exact,
       count(*) FILTER (WHERE journaling.min_mood(st) IS NOT DISTINCT FROM b_min
                          AND journaling.max_mood(st) IS NOT DISTINCT FROM b_max) AS min_max_ok,
       count(*) FILTER (WHERE journaling.first_day(st) IS NOT DISTINCT FROM b_first
                          AND journaling.last_day(st) IS NOT DISTINCT FROM b_last) AS first_last_ok
  FROM ref;
SELECT count(*) FILTER (WHERE pg_temp.agrees(journaling.mean(st), b_avg, x_avg)) AS mean_vs_avg,
       count(*) FILTER (WHERE pg_temp.agrees(journaling.variance(st), b_var, x_var)) AS variance_vs_var_samp,
       count(*) FILTER (WHERE pg_temp.agrees(journaling.stddev(st), b_sd, x_sd)) AS stddev_vs_stddev_samp,
       count(*) FILTER (WHERE pg_temp.agrees(journaling.slope(st), b_slope, x_slope)) AS slope_vs_regr_slope
  FROM ref;

-- The special groups, spelled out.
SET extra_float_digits = 0;
SELECT grp, journaling.n(st), journaling.mean(st), journaling.stddev(st), journaling.variance(st),
       journaling.min_mood(st), journaling.max_mood(st), journaling.first_day(st),
       journaling.last_day(st), journaling.slope(st)
  FROM ref WHERE grp IN (7, 9, 100, 101, 102, 103) ORDER BY grp;
SELECT journaling.n(s), journaling.mean(s), journaling.stddev(s), journaling.slope(s), s::text
  FROM (SELECT journaling.mood_agg(mood, day) AS s FROM public.moodstats_rows WHERE false) q;
SELECT journaling.slope(journaling.mood_agg(m, d)) AS slope, regr_slope(m, d - date '2000-01-01') AS regr_slope
  FROM (VALUES (1.0::float8, date '2024-01-01'), (2.0, '2024-01-02'), (4.0, '2024-01-03')) v(m, d);

-- Text I/O reads back exactly (same binary value); binary send/receive too.
SELECT count(*) FILTER (WHERE journaling.moodstats_send(st::text::journaling.moodstats)
                              = journaling.moodstats_send(st)) AS text_round_trips
  FROM ref;
SELECT '(v=1,n=2,np=1,sy=0.30000000000000004/-2.7755575615628914e-17,syy=0.05/0,min=0.1,max=0.2,first=8766,last=8766,sx=8766,sxx=76842756,syp=0.1/0,sxy=876.6/0)'::journaling.moodstats;
CREATE TEMP TABLE bin_copy (st journaling.moodstats);
DO $$
DECLARE
    f text := current_setting('data_directory') || '/moodstats_10.bin';
BEGIN
    EXECUTE format('COPY (SELECT st FROM ref WHERE grp = 1) TO %L WITH (FORMAT binary)', f);
    EXECUTE format('COPY bin_copy FROM %L WITH (FORMAT binary)', f);
END
$$;
SELECT b.st::text = r.st::text AS binary_round_trips FROM bin_copy b, ref r WHERE r.grp = 1;

-- rollup of per-day states equals mood_agg over the rows.
CREATE TABLE public.moodstats_daily AS
SELECT grp, day, journaling.mood_agg(mood, day) AS st
  FROM public.moodstats_rows GROUP BY grp, day;
ANALYZE public.moodstats_daily;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE journaling.n(u.st) = journaling.n(r.st)
                          AND pg_temp.close(journaling.mean(u.st), journaling.mean(r.st)::numeric)
                          AND pg_temp.close(journaling.variance(u.st), journaling.variance(r.st)::numeric)
                          AND pg_temp.close(journaling.slope(u.st), journaling.slope(r.st)::numeric)
                          AND journaling.min_mood(u.st) IS NOT DISTINCT FROM journaling.min_mood(r.st)
                          AND journaling.max_mood(u.st) IS NOT DISTINCT FROM journaling.max_mood(r.st)
                          AND journaling.first_day(u.st) IS NOT DISTINCT FROM journaling.first_day(r.st)
                          AND journaling.last_day(u.st) IS NOT DISTINCT FROM journaling.last_day(r.st))
           AS rollup_equals_mood_agg
  FROM (SELECT grp, journaling.rollup(st) AS st FROM public.moodstats_daily GROUP BY grp) u
  JOIN ref r USING (grp);

-- Moving windows (inverse transitions) against exact window sums.
CREATE TEMP TABLE win AS
SELECT g,
       journaling.mood_agg(mood, day) OVER w AS st,
       count(mood) OVER w AS n,
       avg(pg_temp.exact(mood)) OVER w AS x_avg,
       var_samp(pg_temp.exact(mood)) OVER w AS x_var,
       min(mood) OVER w AS b_min, max(mood) OVER w AS b_max,
       min(day) FILTER (WHERE mood IS NOT NULL) OVER w AS b_first,
       max(day) FILTER (WHERE mood IS NOT NULL) OVER w AS b_last,
       count(*) FILTER (WHERE day IS NOT NULL AND mood IS NOT NULL) OVER w AS np,
       sum((day - date '2000-01-01')::numeric) FILTER (WHERE mood IS NOT NULL) OVER w AS sx,
       sum(((day - date '2000-01-01')::numeric) ^ 2) FILTER (WHERE mood IS NOT NULL) OVER w AS sxx,
       sum(pg_temp.exact(mood)) FILTER (WHERE day IS NOT NULL) OVER w AS sy,
       sum((day - date '2000-01-01')::numeric * pg_temp.exact(mood)) OVER w AS sxy
  FROM public.moodstats_rows
WINDOW w AS (ORDER BY day, g ROWS 29 PRECEDING);
SELECT count(*) AS frames,
       count(*) FILTER (WHERE journaling.n(st) = n) AS n_ok,
       count(*) FILTER (WHERE pg_temp.close(journaling.mean(st), x_avg)) AS mean_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.variance(st), x_var)) AS variance_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.stddev(st), sqrt(x_var))) AS stddev_exact,
       count(*) FILTER (WHERE pg_temp.close(journaling.slope(st),
                                            (np * sxy - sx * sy) / nullif(np * sxx - sx ^ 2, 0))) AS slope_exact,
       count(*) FILTER (WHERE journaling.min_mood(st) IS NOT DISTINCT FROM b_min
                          AND journaling.max_mood(st) IS NOT DISTINCT FROM b_max
                          AND journaling.first_day(st) IS NOT DISTINCT FROM b_first
                          AND journaling.last_day(st) IS NOT DISTINCT FROM b_last) AS extremes_ok
  FROM win;
-- A frame that moves on both ends, per group, in arrival order.
SELECT count(*) AS frames,
       count(*) FILTER (WHERE journaling.n(st) = n
                          AND pg_temp.close(journaling.mean(st), x_avg)
                          AND pg_temp.close(journaling.stddev(st), x_sd)
                          AND journaling.min_mood(st) IS NOT DISTINCT FROM b_min
                          AND journaling.max_mood(st) IS NOT DISTINCT FROM b_max
                          AND journaling.first_day(st) IS NOT DISTINCT FROM b_first
                          AND journaling.last_day(st) IS NOT DISTINCT FROM b_last) AS frames_ok
  FROM (SELECT journaling.mood_agg(mood, day) OVER w AS st, count(mood) OVER w AS n,
               avg(pg_temp.exact(mood)) OVER w AS x_avg,
               sqrt(var_samp(pg_temp.exact(mood)) OVER w) AS x_sd,
               min(mood) OVER w AS b_min, max(mood) OVER w AS b_max,
               min(day) FILTER (WHERE mood IS NOT NULL) OVER w AS b_first,
               max(day) FILTER (WHERE mood IS NOT NULL) OVER w AS b_last
          FROM public.moodstats_rows
        WINDOW w AS (PARTITION BY grp ORDER BY g ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING)) q;
-- Frames that are empty at the start give the empty state.
SELECT g, journaling.n(s), journaling.mean(s)
  FROM (SELECT g, journaling.mood_agg(mood, day) OVER (ORDER BY g ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING) AS s
          FROM public.moodstats_rows WHERE grp = 100 OR grp = 102 OR grp = 103) q
 ORDER BY g;

-- Parallel aggregation gives the same answers.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT journaling.mood_agg(mood, day) FROM public.moodstats_rows;
EXPLAIN (COSTS OFF) SELECT journaling.rollup(st) FROM public.moodstats_daily;
CREATE TEMP TABLE par AS
SELECT (SELECT journaling.mood_agg(mood, day) FROM public.moodstats_rows) AS st,
       (SELECT journaling.rollup(st) FROM public.moodstats_daily) AS rolled;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT journaling.n(p.st) = journaling.n(s.st) AND journaling.n(p.rolled) = journaling.n(s.st) AS n_same,
       pg_temp.close(journaling.mean(p.st), journaling.mean(s.st)::numeric)
           AND pg_temp.close(journaling.mean(p.rolled), journaling.mean(s.st)::numeric) AS mean_same,
       pg_temp.close(journaling.stddev(p.st), journaling.stddev(s.st)::numeric)
           AND pg_temp.close(journaling.stddev(p.rolled), journaling.stddev(s.st)::numeric) AS stddev_same,
       pg_temp.close(journaling.slope(p.st), journaling.slope(s.st)::numeric)
           AND pg_temp.close(journaling.slope(p.rolled), journaling.slope(s.st)::numeric) AS slope_same,
       journaling.min_mood(p.st) = journaling.min_mood(s.st)
           AND journaling.max_mood(p.rolled) = journaling.max_mood(s.st)
           AND journaling.first_day(p.st) = journaling.first_day(s.st)
           AND journaling.last_day(p.rolled) = journaling.last_day(s.st) AS extremes_same
  FROM par p,
       (SELECT journaling.mood_agg(mood, day) AS st FROM public.moodstats_rows) s;

-- mood_ewma: a hand-checked case, then a recursive reference.
SELECT journaling.mood_ewma(m, 0.5 ORDER BY d) AS ewma
  FROM (VALUES (1.0::float8, 1), (0.5, 2), (NULL, 3), (0.0, 4), (1.0, 5)) v(m, d);
SELECT journaling.mood_ewma(m, 0.5 ORDER BY d) AS ewma_of_nulls
  FROM (VALUES (NULL::float8, 1)) v(m, d);
SELECT journaling.mood_ewma(m, 1 ORDER BY d) AS alpha_one_is_last
  FROM (VALUES (0.2::float8, 1), (0.7, 2)) v(m, d);
WITH RECURSIVE src AS (
    SELECT row_number() OVER (ORDER BY g) AS k, mood FROM public.moodstats_rows
     WHERE grp = 1 AND mood IS NOT NULL
), rec AS (
    SELECT k, mood::numeric AS s FROM src WHERE k = 1
    UNION ALL
    SELECT src.k, 0.3 * src.mood::numeric + 0.7 * rec.s FROM rec JOIN src ON src.k = rec.k + 1
)
SELECT pg_temp.close((SELECT journaling.mood_ewma(mood, 0.3 ORDER BY g) FROM public.moodstats_rows WHERE grp = 1),
                     (SELECT s FROM rec ORDER BY k DESC LIMIT 1)) AS ewma_matches_reference;

-- Bad input, each with its SQLSTATE.
SELECT pg_temp.try($$SELECT journaling.mood_agg('NaN', date '2024-01-01')$$);
SELECT pg_temp.try($$SELECT journaling.mood_agg('-Infinity', date '2024-01-01')$$);
SELECT pg_temp.try($$SELECT journaling.mood_agg(0.5, 'infinity'::date)$$);
SELECT pg_temp.try($$SELECT journaling.mood_agg(0.5, '-infinity'::date)$$);
SELECT pg_temp.try($$SELECT journaling.mood_agg(m, d) OVER (ORDER BY d ROWS 1 PRECEDING)
                       FROM (VALUES (0.5::float8, date '2024-01-01'), ('NaN', '2024-01-02')) v(m, d)$$);
SELECT pg_temp.try($$SELECT journaling.mood_agg(m, date '2024-01-01') FROM (VALUES (1e200::float8), (1e200)) v(m)$$);
SELECT pg_temp.try($$SELECT 'garbage'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=1,n=1)'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=1,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0) x'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=1,n=1,np=0,sy=NaN/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=1,n=-1,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=1,n=1,np=0,sy=1/0,syy=1/0,min=2,max=1,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT '(v=2,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats$$);
SELECT pg_temp.try($$SELECT journaling.mood_ewma(m, 0 ORDER BY d) FROM (VALUES (0.5::float8, 1)) v(m, d)$$);
SELECT pg_temp.try($$SELECT journaling.mood_ewma(m, 1.5 ORDER BY d) FROM (VALUES (0.5::float8, 1)) v(m, d)$$);
SELECT pg_temp.try($$SELECT journaling.mood_ewma(m, 'NaN' ORDER BY d) FROM (VALUES (0.5::float8, 1)) v(m, d)$$);
SELECT pg_temp.try($$SELECT journaling.mood_ewma(m, NULL ORDER BY d) FROM (VALUES (0.5::float8, 1)) v(m, d)$$);
SELECT pg_temp.try($$SELECT journaling.mood_ewma(m, 0.5 ORDER BY d) FROM (VALUES ('Infinity'::float8, 1)) v(m, d)$$);
SELECT pg_temp.try($$SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1', 'year')$$);
SELECT pg_temp.try($$SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1', NULL)$$);

DROP TABLE public.moodstats_rows;
DROP TABLE public.moodstats_daily;

-- mood_trend and streaks on a small hand-checked dataset.
INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-0000000000e1', 'erin'),
    ('00000000-0000-0000-0000-0000000000e2', 'frank'),
    ('00000000-0000-0000-0000-0000000000e3', 'gina'),
    ('00000000-0000-0000-0000-0000000000e4', 'hal'),
    ('00000000-0000-0000-0000-0000000000e5', 'ivy');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
    ('00000000-0000-0000-0000-0000000000e1', 'monday',          '2024-01-01', 0.5),
    ('00000000-0000-0000-0000-0000000000e1', 'wednesday',       '2024-01-03', -0.5),
    ('00000000-0000-0000-0000-0000000000e1', 'sunday, no mood', '2024-01-07', NULL),
    ('00000000-0000-0000-0000-0000000000e1', 'next monday',     '2024-01-08', 1.0),
    ('00000000-0000-0000-0000-0000000000e1', 'next tuesday',    '2024-01-09', 0.5),
    ('00000000-0000-0000-0000-0000000000e1', 'february',        '2024-02-05', 0.0),
    ('00000000-0000-0000-0000-0000000000e1', 'february too',    '2024-02-06', -1.0),
    ('00000000-0000-0000-0000-0000000000e2', 'someone else',    '2024-01-02', 1.0),
    -- gina: today, yesterday, the day before; a 5-day run earlier; one lone day
    ('00000000-0000-0000-0000-0000000000e3', 'today',           CURRENT_DATE, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'today again',     CURRENT_DATE, 0.2),
    ('00000000-0000-0000-0000-0000000000e3', 'yesterday',       CURRENT_DATE - 1, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'two days ago',    CURRENT_DATE - 2, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'run',             CURRENT_DATE - 5, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'run',             CURRENT_DATE - 6, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'run',             CURRENT_DATE - 7, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'run',             CURRENT_DATE - 8, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'run',             CURRENT_DATE - 9, 0.1),
    ('00000000-0000-0000-0000-0000000000e3', 'lone',            CURRENT_DATE - 20, 0.1),
    -- hal: a run that ended yesterday; ivy: a run that ended three days ago
    ('00000000-0000-0000-0000-0000000000e4', 'yesterday',       CURRENT_DATE - 1, NULL),
    ('00000000-0000-0000-0000-0000000000e4', 'two days ago',    CURRENT_DATE - 2, NULL),
    ('00000000-0000-0000-0000-0000000000e5', 'three days ago',  CURRENT_DATE - 3, NULL);

SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1');
SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1', 'month');
SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1', 'day', until => '2024-01-08');
SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1', 'week', since => '2024-01-08');
SELECT * FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e9');
SELECT u.username, s.*
  FROM journaling.users u, journaling.streaks(u.id) s
 WHERE u.username LIKE ANY (ARRAY['erin', 'frank', 'gina', 'hal', 'ivy'])
 ORDER BY u.username;
SELECT * FROM journaling.streaks('00000000-0000-0000-0000-0000000000e9');

-- Row-level security applies: an application role sees nothing without an
-- identity, and only its own rows with one.
CREATE ROLE regress_mood_app;
SELECT journaling.grant_app_role('regress_mood_app');
SET ROLE regress_mood_app;
SELECT count(*) AS rows_without_identity FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1');
SELECT * FROM journaling.streaks('00000000-0000-0000-0000-0000000000e3');
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000e2');
SELECT count(*) AS rows_of_another_user FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e1');
SELECT bucket_start, entries, avg_mood FROM journaling.mood_trend('00000000-0000-0000-0000-0000000000e2');
SELECT journaling.set_user(NULL);
RESET ROLE;

DELETE FROM journaling.users;
DROP OWNED BY regress_mood_app;
DROP ROLE regress_mood_app;

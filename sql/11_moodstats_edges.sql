-- moodstats at the edges, found by hostile-input testing (test/shell/sqlsmith.sh,
-- test/fuzz/fuzz_moodstats_math.c): input of values its own output writes,
-- input it must refuse without looking like data corruption, and accessors
-- over extreme sums.
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE q INTO r;
  RETURN r;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Subnormal moods and low parts are written exactly and read back.
SELECT s::text, s::text::journaling.moodstats::text = s::text AS round_trip
  FROM (SELECT journaling.mood_agg(5e-324::float8, NULL)) v(s);
SELECT s::text::journaling.moodstats::text = s::text AS round_trip
  FROM (SELECT journaling.mood_agg(m, DATE '2024-01-01') FROM (VALUES (1e-160::float8), (3e-170)) v(m)) w(s);
-- A decimal that underflows to zero or overflows is still refused.
SELECT pg_temp.try($$SELECT '(v=1,n=1,np=0,sy=1e-400/0,syy=0/0,min=1e-400,max=1e-400,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats::text$$);
SELECT pg_temp.try($$SELECT '(v=1,n=1,np=0,sy=1e400/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats::text$$);
-- An unknown layout version in text input is invalid input (22P02), not XX001.
SELECT pg_temp.try($$SELECT '(v=7,n=0,np=0,sy=0/0,syy=0/0,min=0,max=0,first=0,last=0,sx=0,sxx=0,syp=0/0,sxy=0/0)'::journaling.moodstats::text$$);

-- Moods whose sum squared overflows a double, though their variance does not:
-- the same as var_samp (once NaN).
SELECT abs(journaling.variance(s) / (SELECT var_samp(m) FROM (VALUES (7e153::float8), (6e153)) v(m)) - 1) < 1e-12 AS same_variance,
       journaling.stddev(s) > 0 AS stddev_positive
  FROM (SELECT journaling.mood_agg(m, NULL) FROM (VALUES (7e153::float8), (6e153)) v(m)) w(s);
-- The largest sum of squared days a state can hold (input accepts it): the
-- slope is computed without converting 2^127 back to a 128-bit integer.
SELECT journaling.slope('(v=1,n=2,np=2,sy=0/0,syy=2/0,min=-1,max=1,first=0,last=1,sx=1,sxx=170141183460469231731687303715884105727,syp=0/0,sxy=1/0)'::journaling.moodstats);

-- moodstats input of values its own output writes, and of values it must
-- refuse without looking like data corruption (found by test/shell/sqlsmith.sh).
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

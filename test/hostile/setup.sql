-- test/hostile/setup.sql — what the hostile-input tests add to a database
-- filled by test/shell/fill_every_table.sql (run as superuser with psql -v
-- app=<its application role>):
-- text search configurations that send snippet() to ts_headline (a synonym
-- dictionary) or index nothing at all, and an identity for the sessions of
-- the application role and of the superuser (user aa of fill_every_table),
-- so that row-level security shows them rows.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TEXT SEARCH DICTIONARY public.hostile_syn (TEMPLATE = synonym, SYNONYMS = synonym_sample);
CREATE TEXT SEARCH CONFIGURATION public.hostile_syn (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION public.hostile_syn ALTER MAPPING FOR asciiword WITH public.hostile_syn, english_stem;
CREATE TEXT SEARCH CONFIGURATION public.hostile_empty (PARSER = pg_catalog.default);
ALTER ROLE :"app" IN DATABASE :"DBNAME" SET journaling.user_id = '00000000-0000-0000-0000-0000000000aa';
ALTER ROLE CURRENT_USER IN DATABASE :"DBNAME" SET journaling.user_id = '00000000-0000-0000-0000-0000000000aa';

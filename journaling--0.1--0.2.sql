/* journaling--0.1--0.2.sql: upgrade from 0.1 (the first release) to 0.2 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION journaling UPDATE TO '0.2'" to load this file. \quit

-- journaling--0.1.sql is released and frozen: every change since then is made
-- here, and a fresh CREATE EXTENSION runs 0.1 followed by this script.
-- Like the base script, every name is schema-qualified and every operator is
-- written OPERATOR(pg_catalog.x).

-- ==== hardening: catalog lint ====
-- Every object of the extension is commented (test/catalog_lint.sql); the
-- sequences were not.
COMMENT ON SEQUENCE journaling.import_runs_id_seq IS
'Ids of journaling.import_runs (owned by its id column; registered for pg_dump)';
COMMENT ON SEQUENCE journaling.refresh_log_id_seq IS
'Ids of journaling.refresh_log (owned by its id column; registered for pg_dump)';

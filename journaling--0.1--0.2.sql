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

-- ==== hardening: import bookkeeping per identity ====
-- One application role serves every user, so keying import_runs on the
-- database role alone let user A read user B's import reports (file names,
-- source ids, rejected records) through import_report() or a plain SELECT
-- (test/function_isolation.sql).  A run now belongs to the role that ran it
-- under the identity it ran with (identity is NULL when none was set);
-- import_errors follows through its policies' subquery on import_runs.
-- Written without IS [NOT] DISTINCT FROM, whose = would be looked up on the
-- search path.
DO $import_runs$
DECLARE
    own pg_catalog.text := 'run_by OPERATOR(pg_catalog.=) CURRENT_USER
        AND (identity OPERATOR(pg_catalog.=) journaling.current_user_id()
             OR (identity IS NULL AND journaling.current_user_id() IS NULL))';
BEGIN
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_select ON journaling.import_runs USING (%s)', own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_insert ON journaling.import_runs WITH CHECK (%s)', own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_update ON journaling.import_runs USING (%s) WITH CHECK (%s)', own, own);
    EXECUTE pg_catalog.format('ALTER POLICY import_runs_delete ON journaling.import_runs USING (%s)', own);
END
$import_runs$;
COMMENT ON TABLE journaling.import_runs IS
'One row per import call: what was read, by whom (database role and application identity), and the record counts (in total and per target table in counts); visible to the role that ran it under the same identity';

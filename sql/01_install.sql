-- Install the extension and check how it is wired into the catalogs.
CREATE EXTENSION journaling CASCADE;

SELECT extname, extversion, extrelocatable, n.nspname AS nominal_schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'journaling';

-- The schema belongs to the extension, and PUBLIC cannot use it.
SELECT n.nspname, d.deptype, has_schema_privilege('public', n.oid, 'USAGE') AS public_usage
  FROM pg_namespace n
  JOIN pg_depend d ON d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                  AND d.refclassid = 'pg_extension'::regclass
 WHERE n.nspname = 'journaling';

-- Every table: row-level security enabled and forced, registered for pg_dump, commented.
SELECT c.relname,
       c.relrowsecurity AS rls,
       c.relforcerowsecurity AS forced,
       c.oid = ANY (e.extconfig) AS dumped,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
       (SELECT string_agg(p.cmd, ',' ORDER BY p.cmd) FROM pg_policies p
         WHERE p.schemaname = 'journaling' AND p.tablename = c.relname) AS policy_commands
  FROM pg_class c, pg_extension e
 WHERE c.relnamespace = 'journaling'::regnamespace AND c.relkind = 'r'
   AND e.extname = 'journaling'
 ORDER BY c.relname;

-- Every sequence is registered for pg_dump.
SELECT c.relname, c.oid = ANY (e.extconfig) AS dumped
  FROM pg_class c, pg_extension e
 WHERE c.relnamespace = 'journaling'::regnamespace AND c.relkind = 'S' AND e.extname = 'journaling'
 ORDER BY 1;

-- Per-user tables: user_id leads the primary key, every unique constraint and
-- every foreign key (users is keyed by the user id itself).
SELECT conrelid::regclass AS table_name, conname, contype,
       (SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1]) AS first_column
  FROM pg_constraint
 WHERE connamespace = 'journaling'::regnamespace AND contype IN ('p', 'u', 'f')
 ORDER BY conrelid::regclass::text, conname;

-- Every per-user table has a btree index leading with user_id.
SELECT t.relname,
       bool_or(am.amname = 'btree' AND a.attname IN ('user_id', 'id')) AS btree_on_user
  FROM pg_class t
  JOIN pg_index i ON i.indrelid = t.oid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
 WHERE t.relnamespace = 'journaling'::regnamespace AND t.relkind = 'r'
   AND EXISTS (SELECT 1 FROM pg_attribute ua WHERE ua.attrelid = t.oid AND ua.attname = 'user_id')
 GROUP BY t.relname
 ORDER BY 1;

-- The full-text and trigram indexes.
SELECT indexrelid::regclass AS index_name, pg_get_indexdef(indexrelid) ~ 'gin' AS is_gin,
       pg_get_indexdef(indexrelid) ~ 'gin_trgm_ops' AS trigram
  FROM pg_index
 WHERE indexrelid::regclass::text IN ('journaling.journal_entries_search_idx', 'journaling.topics_name_trgm_idx')
 ORDER BY indexrelid::regclass::text;

-- Functions: each C function has its own symbol; SQL/plpgsql functions fix
-- search_path; SECURITY DEFINER functions are not executable by PUBLIC;
-- every function is commented.
SELECT p.oid::regprocedure AS function,
       l.lanname,
       CASE WHEN l.lanname = 'c' THEN p.prosrc END AS symbol,
       p.provolatile, p.prosecdef,
       p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'journaling'::regnamespace
 ORDER BY p.oid::regprocedure::text;

-- Lint: no SQL/plpgsql function without a fixed search_path; no SECURITY
-- DEFINER function executable by PUBLIC; C symbols unique.
SELECT count(*) AS unfixed_search_path
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'journaling'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);
SELECT count(*) AS public_security_definer
  FROM pg_proc p
 WHERE p.pronamespace = 'journaling'::regnamespace AND p.prosecdef
   AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT p.prosrc, count(*)
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'journaling'::regnamespace AND l.lanname = 'c'
 GROUP BY 1 HAVING count(*) > 1;

-- The trigger that maintains search_vector and word_count.
SELECT tgname, tgrelid::regclass, pg_get_triggerdef(oid) ~ 'BEFORE INSERT OR UPDATE' AS before_insert_update
  FROM pg_trigger WHERE tgrelid = 'journaling.journal_entries'::regclass AND NOT tgisinternal
 ORDER BY tgname;

-- The identity setting is defined in C and reserved for superusers.
SELECT name, context, vartype, setting = '' AS unset FROM pg_settings WHERE name LIKE 'journaling.%';

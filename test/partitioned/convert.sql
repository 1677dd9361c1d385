-- test/partitioned/convert.sql — recreate every per-user table of the
-- journaling extension hash-partitioned by its user column (4 partitions),
-- the way a DBA scaling out with plain PostgreSQL would.  Test-only: run by
-- test/shell/partitioned.sh as a superuser in a database where the extension
-- was just installed.  The conversion is driven by the catalogs, so it follows
-- the schema as it evolves:
--
--  * per-user tables: members of the extension with a user_id column, plus
--    the tables such a column references (journaling.users, keyed by id);
--  * each is moved aside, recreated under its own name as
--    PARTITION BY HASH (user column) with the same columns, defaults, NOT NULL
--    and CHECK constraints, keys, indexes, triggers, row-level security and
--    policies, grants, comments, extension membership and pg_dump
--    registration (its entry in pg_extension.extconfig), and its rows moved;
--  * partition k of journaling.T is journaling_p<k>.T: the same relation name
--    in its own schema, so that the partition indexes get the same names as
--    the parent's keys and every error message (which names the partition
--    and its index) reads exactly as without partitioning;
--  * foreign keys and views over the tables are dropped first and recreated
--    last, unchanged.
--
-- Partitions are storage, not extension objects: they are not members of the
-- extension (DROP EXTENSION still removes them with their parents).
\set ON_ERROR_STOP on

DO $convert$
DECLARE
    ext pg_catalog.oid := (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'journaling');
    t record;
    r record;
    stmt pg_catalog.text;
    fks pg_catalog.text[] := '{}';        -- foreign keys, in creation order (their triggers fire in that order)
    views pg_catalog.text[] := '{}';      -- views, in creation order, then their comments, grants, membership
    k pg_catalog.int4;
BEGIN
    SET LOCAL search_path = pg_catalog, pg_temp;   -- every name the pg_get_* functions print is qualified

    CREATE TEMP TABLE per_user ON COMMIT DROP AS
    WITH members AS (
        SELECT c.oid, c.relname
          FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
           AND d.refobjid = ext AND d.deptype = 'e' AND c.relkind = 'r'
    )
    SELECT m.oid, m.relname, 'user_id'::text AS key
      FROM members m
     WHERE EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = m.oid AND a.attname = 'user_id' AND NOT a.attisdropped)
    UNION
    SELECT m.oid, m.relname, ra.attname::text
      FROM members m
      JOIN pg_constraint f ON f.confrelid = m.oid AND f.contype = 'f'
      JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = ANY (f.conkey) AND a.attname = 'user_id'
      JOIN pg_attribute ra ON ra.attrelid = m.oid
                          AND ra.attnum = f.confkey[array_position(f.conkey, a.attnum)]
     WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a2 WHERE a2.attrelid = m.oid AND a2.attname = 'user_id');

    IF (SELECT count(*) FROM per_user) < 10 THEN
        RAISE EXCEPTION 'expected at least 10 per-user tables, found %', (SELECT array_agg(relname) FROM per_user);
    END IF;
    IF EXISTS (SELECT 1 FROM per_user p JOIN pg_depend d ON d.refobjid = p.oid AND d.refclassid = 'pg_class'::regclass
                JOIN pg_class s ON s.oid = d.objid AND d.classid = 'pg_class'::regclass AND s.relkind = 'S') THEN
        RAISE EXCEPTION 'a per-user table owns a sequence: teach the conversion to move it';
    END IF;

    -- Views over the tables (directly or through other views): dropped now,
    -- recreated last with their options, comments, grants and membership.
    FOR r IN
        WITH RECURSIVE v(oid) AS (
            SELECT DISTINCT rw.ev_class
              FROM pg_depend d JOIN pg_rewrite rw ON rw.oid = d.objid
             WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid IN (SELECT oid FROM per_user)
            UNION
            SELECT rw.ev_class
              FROM v JOIN pg_depend d ON d.refobjid = v.oid AND d.classid = 'pg_rewrite'::regclass
              JOIN pg_rewrite rw ON rw.oid = d.objid AND rw.ev_class <> v.oid
        )
        SELECT c.oid, c.oid::regclass::text AS name, c.reloptions, c.relacl,
               pg_get_viewdef(c.oid) AS def, obj_description(c.oid, 'pg_class') AS comment,
               EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                          AND d.refobjid = ext AND d.deptype = 'e') AS member
          FROM v JOIN pg_class c ON c.oid = v.oid AND c.relkind = 'v'
         ORDER BY c.oid DESC                  -- dependents were created after what they read
    LOOP
        views := array_prepend(format('CREATE VIEW %s%s AS %s', r.name,
                                      CASE WHEN r.reloptions IS NOT NULL
                                           THEN format(' WITH (%s)', array_to_string(r.reloptions, ', ')) ELSE '' END,
                                      r.def), views);
        IF r.comment IS NOT NULL THEN
            views := views || format('COMMENT ON VIEW %s IS %L', r.name, r.comment);
        END IF;
        views := views || ARRAY(SELECT format('GRANT %s ON %s TO %s', a.privilege_type, r.name,
                                              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END)
                                  FROM aclexplode(r.relacl) a WHERE a.grantee <> a.grantor);
        IF r.member THEN
            views := views || format('ALTER EXTENSION journaling ADD VIEW %s', r.name);
            EXECUTE format('ALTER EXTENSION journaling DROP VIEW %s', r.name);
        END IF;
        EXECUTE format('DROP VIEW %s', r.name);
    END LOOP;

    -- Foreign keys from or to the tables: dropped now, recreated once every table is partitioned.
    FOR r IN
        SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def,
               obj_description(c.oid, 'pg_constraint') AS comment
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conparentid = 0
           AND (c.conrelid IN (SELECT oid FROM per_user) OR c.confrelid IN (SELECT oid FROM per_user))
         ORDER BY c.oid
    LOOP
        fks := fks || format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.conname, r.def);
        IF r.comment IS NOT NULL THEN
            fks := fks || format('COMMENT ON CONSTRAINT %I ON %s IS %L', r.conname, r.tbl, r.comment);
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;

    CREATE SCHEMA journaling_unpartitioned;
    FOR k IN 0..3 LOOP
        EXECUTE format('CREATE SCHEMA %I', 'journaling_p' || k);
    END LOOP;

    FOR t IN SELECT p.oid, p.relname, p.key, c.relacl, c.relrowsecurity, c.relforcerowsecurity,
                    obj_description(p.oid, 'pg_class') AS comment,
                    e.extcondition[array_position(e.extconfig, p.oid)] AS config_condition,
                    p.oid = ANY (e.extconfig) AS config
               FROM per_user p JOIN pg_class c ON c.oid = p.oid, pg_extension e
              WHERE e.oid = ext
              ORDER BY p.oid
    LOOP
        -- Everything the table carries besides columns, defaults, NOT NULL and
        -- CHECK constraints (which CREATE TABLE ... LIKE copies), as DDL.
        CREATE TEMP TABLE ddl ON COMMIT DROP AS
        SELECT 1 AS step, c.oid AS o, 1 AS sub, format('ALTER TABLE journaling.%I ADD CONSTRAINT %I %s', t.relname, c.conname,
                                             pg_get_constraintdef(c.oid)) AS sql
          FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x')
        UNION ALL
        SELECT 1, c.oid, 2, format('COMMENT ON CONSTRAINT %I ON journaling.%I IS %L', c.conname, t.relname,
                                obj_description(c.oid, 'pg_constraint'))
          FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x')
           AND obj_description(c.oid, 'pg_constraint') IS NOT NULL
        UNION ALL
        SELECT 2, i.indexrelid, 1, pg_get_indexdef(i.indexrelid)
          FROM pg_index i WHERE i.indrelid = t.oid
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = t.oid)
        UNION ALL
        SELECT 2, i.indexrelid, 2, format('COMMENT ON INDEX journaling.%I IS %L', ic.relname, obj_description(i.indexrelid, 'pg_class'))
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = t.oid AND obj_description(i.indexrelid, 'pg_class') IS NOT NULL
        UNION ALL
        SELECT 3, g.oid, 1, pg_get_triggerdef(g.oid) FROM pg_trigger g WHERE g.tgrelid = t.oid AND NOT g.tgisinternal
        UNION ALL
        SELECT 3, g.oid, 2, CASE g.tgenabled WHEN 'D' THEN format('ALTER TABLE journaling.%I DISABLE TRIGGER %I', t.relname, g.tgname)
                                          WHEN 'R' THEN format('ALTER TABLE journaling.%I ENABLE REPLICA TRIGGER %I', t.relname, g.tgname)
                                          WHEN 'A' THEN format('ALTER TABLE journaling.%I ENABLE ALWAYS TRIGGER %I', t.relname, g.tgname) END
          FROM pg_trigger g WHERE g.tgrelid = t.oid AND NOT g.tgisinternal AND g.tgenabled <> 'O'
        UNION ALL
        SELECT 4, p.oid, 1, format('CREATE POLICY %I ON journaling.%I AS %s FOR %s TO %s%s%s', p.polname, t.relname,
                                CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                                CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                              WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                                (SELECT string_agg(CASE WHEN rl = 0 THEN 'PUBLIC' ELSE rl::regrole::text END, ', ')
                                   FROM unnest(p.polroles) rl),
                                ' USING (' || pg_get_expr(p.polqual, t.oid) || ')',
                                ' WITH CHECK (' || pg_get_expr(p.polwithcheck, t.oid) || ')')
          FROM pg_policy p WHERE p.polrelid = t.oid
        UNION ALL
        SELECT 4, p.oid, 2, format('COMMENT ON POLICY %I ON journaling.%I IS %L', p.polname, t.relname,
                                obj_description(p.oid, 'pg_policy'))
          FROM pg_policy p WHERE p.polrelid = t.oid AND obj_description(p.oid, 'pg_policy') IS NOT NULL
        UNION ALL
        SELECT 5, 0, 1, format('GRANT %s ON journaling.%I TO %s', a.privilege_type, t.relname,
                            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END)
          FROM aclexplode(t.relacl) a WHERE a.grantee <> a.grantor;

        EXECUTE format('ALTER EXTENSION journaling DROP TABLE journaling.%I', t.relname);
        EXECUTE format('ALTER TABLE journaling.%I SET SCHEMA journaling_unpartitioned', t.relname);
        EXECUTE format('CREATE TABLE journaling.%1$I (LIKE journaling_unpartitioned.%1$I INCLUDING DEFAULTS '
                       'INCLUDING CONSTRAINTS INCLUDING COMMENTS INCLUDING STORAGE INCLUDING COMPRESSION '
                       'INCLUDING STATISTICS) PARTITION BY HASH (%2$I)', t.relname, t.key);
        FOR k IN 0..3 LOOP
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF journaling.%I FOR VALUES WITH (MODULUS 4, REMAINDER %s)',
                           'journaling_p' || k, t.relname, t.relname, k);
            -- Reached only through the parent; defence in depth all the same.
            EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY',
                           'journaling_p' || k, t.relname);
        END LOOP;
        -- Rows first (before the triggers, which would recompute or log them again).
        EXECUTE format('INSERT INTO journaling.%1$I SELECT * FROM journaling_unpartitioned.%1$I', t.relname);
        FOR stmt IN SELECT d.sql FROM ddl d ORDER BY d.step, d.o, d.sub LOOP
            EXECUTE stmt;
        END LOOP;
        DROP TABLE ddl;
        IF t.relrowsecurity THEN
            EXECUTE format('ALTER TABLE journaling.%I ENABLE ROW LEVEL SECURITY', t.relname);
        END IF;
        IF t.relforcerowsecurity THEN
            EXECUTE format('ALTER TABLE journaling.%I FORCE ROW LEVEL SECURITY', t.relname);
        END IF;
        IF t.comment IS NOT NULL THEN
            EXECUTE format('COMMENT ON TABLE journaling.%I IS %L', t.relname, t.comment);
        END IF;
        EXECUTE format('ALTER EXTENSION journaling ADD TABLE journaling.%I', t.relname);
        -- ALTER EXTENSION DROP took the old table out of extconfig; register
        -- the new one as pg_extension_config_dump() would (which can only be
        -- called from an extension script).
        IF t.config THEN
            UPDATE pg_extension e
               SET extconfig = e.extconfig || format('journaling.%I', t.relname)::regclass::oid,
                   extcondition = e.extcondition || t.config_condition
             WHERE e.oid = ext;
        END IF;
    END LOOP;

    FOREACH stmt IN ARRAY fks || views LOOP
        EXECUTE stmt;
    END LOOP;
    DROP SCHEMA journaling_unpartitioned CASCADE;
END
$convert$;

ANALYZE;

-- A hostile pre-created schema or function makes CREATE EXTENSION fail, and
-- hostile objects in public are never picked up by the install script.
BEGIN;
SELECT plan(12);

DROP EXTENSION journaling;
CREATE ROLE regress_tap_hostile;

-- 1. A journaling schema owned by another role.
CREATE SCHEMA journaling AUTHORIZATION regress_tap_hostile;
SELECT throws_ok('CREATE EXTENSION journaling', '42501', NULL, 'schema owned by another role: CREATE EXTENSION fails');
DROP SCHEMA journaling;

-- 2. A journaling schema of ours into which another role put a same-signature function.
CREATE SCHEMA journaling;
GRANT USAGE, CREATE ON SCHEMA journaling TO regress_tap_hostile;
SET ROLE regress_tap_hostile;
CREATE FUNCTION journaling.current_user_id() RETURNS uuid
    LANGUAGE sql AS $$ SELECT '00000000-0000-0000-0000-0000000000bb'::uuid $$;
RESET ROLE;
SELECT throws_ok('CREATE EXTENSION journaling', '42P06', NULL, 'pre-created schema with a hostile function: CREATE EXTENSION fails');
DROP SCHEMA journaling CASCADE;

-- 3. Trojans in public while a superuser installs with public first on the path.
CREATE FUNCTION public.always_equal(uuid, uuid) RETURNS bool LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = public.always_equal);
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE sql AS $$ SELECT '00000000-0000-0000-0000-000000000666'::uuid $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'object' $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'epoch'::timestamptz $$;
CREATE FUNCTION public.current_user_id() RETURNS uuid LANGUAGE sql AS $$ SELECT '00000000-0000-0000-0000-0000000000bb'::uuid $$;
SET search_path = public, pg_catalog;
SELECT lives_ok('CREATE EXTENSION journaling', 'CREATE EXTENSION succeeds beside hostile public objects');
-- (pgTAP itself compares with =, so assert with the ordinary path again)
RESET search_path;

SELECT is((SELECT count(*) FROM pg_depend d JOIN pg_proc p ON p.oid = d.refobjid
            WHERE d.classid = 'pg_policy'::regclass AND p.pronamespace = 'public'::regnamespace),
          0::bigint, 'no policy depends on a public function');
SELECT is((SELECT count(*) FROM pg_depend d JOIN pg_operator o ON o.oid = d.refobjid
            WHERE d.refclassid = 'pg_operator'::regclass AND o.oprnamespace = 'public'::regnamespace
              AND d.classid IN ('pg_policy'::regclass, 'pg_constraint'::regclass, 'pg_attrdef'::regclass)),
          0::bigint, 'no policy, constraint or default uses a public operator');
SELECT is((SELECT count(*) FROM pg_depend d JOIN pg_proc p ON p.oid = d.refobjid
            WHERE d.classid IN ('pg_constraint'::regclass, 'pg_attrdef'::regclass) AND p.pronamespace = 'public'::regnamespace),
          0::bigint, 'no constraint or default calls a public function');

INSERT INTO journaling.users (id) VALUES ('00000000-0000-0000-0000-0000000000aa'), ('00000000-0000-0000-0000-0000000000bb');
INSERT INTO journaling.journal_entries (user_id, content) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'mine'), ('00000000-0000-0000-0000-0000000000bb', 'theirs');
SELECT isnt((SELECT id FROM journaling.journal_entries WHERE content = 'mine'), '00000000-0000-0000-0000-000000000666'::uuid,
            'defaults use pg_catalog.gen_random_uuid()');
SELECT isnt((SELECT created_at FROM journaling.journal_entries WHERE content = 'mine'), 'epoch'::timestamptz,
            'defaults use pg_catalog.now()');
SELECT throws_ok($$INSERT INTO journaling.users (id, preferences) VALUES (pg_catalog.gen_random_uuid(), '[]')$$, '23514', NULL,
                 'CHECK uses pg_catalog.jsonb_typeof()');

CREATE ROLE regress_tap_trojan_app;
SELECT journaling.grant_app_role('regress_tap_trojan_app');
SET ROLE regress_tap_trojan_app;
SET search_path = public, pg_catalog;
SELECT is(journaling.set_user('00000000-0000-0000-0000-0000000000aa'), '00000000-0000-0000-0000-0000000000aa'::uuid, 'identity a');
SELECT is((SELECT array_agg(content) FROM journaling.journal_entries), '{mine}'::text[],
          'the always-true public = does not open other users'' rows');
RESET ROLE;
RESET search_path;

-- 4. DROP EXTENSION leaves nothing behind.
DROP EXTENSION journaling;
SELECT is((SELECT count(*) FROM pg_namespace WHERE nspname = 'journaling'), 0::bigint,
          'DROP EXTENSION removes the journaling schema and everything in it');

SELECT * FROM finish();
ROLLBACK;

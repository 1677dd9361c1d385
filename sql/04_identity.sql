-- Identity: journaling.user_id is defined in C, superuser-only, and changes
-- for ordinary roles only through journaling.set_user().

\set superuser :USER
CREATE ROLE regress_app LOGIN;
CREATE ROLE regress_other LOGIN;
SELECT journaling.grant_app_role('regress_app');
GRANT USAGE ON SCHEMA journaling TO regress_other;

INSERT INTO journaling.users (id, username) VALUES
    ('00000000-0000-0000-0000-0000000000c1', 'carol'),
    ('00000000-0000-0000-0000-0000000000d1', 'dave');
INSERT INTO journaling.journal_entries (user_id, content) VALUES
    ('00000000-0000-0000-0000-0000000000c1', 'carol writes'),
    ('00000000-0000-0000-0000-0000000000d1', 'dave writes');

-- Unset identity: NULL, and no rows are visible (fail closed).
SET ROLE regress_app;
SHOW journaling.user_id;
SELECT journaling.current_user_id();
SELECT count(*) FROM journaling.journal_entries;
SELECT count(*) FROM journaling.users;

-- Every direct way to set it is refused.
SET journaling.user_id = '00000000-0000-0000-0000-0000000000c1';
SET LOCAL journaling.user_id = '00000000-0000-0000-0000-0000000000c1';
SELECT set_config('journaling.user_id', '00000000-0000-0000-0000-0000000000c1', false);
RESET journaling.user_id;
ALTER ROLE regress_app SET journaling.user_id = '00000000-0000-0000-0000-0000000000c1';
SET journaling.anything_else = 'x';
SELECT journaling.current_user_id();

-- set_user() sets it for the session; the policies follow it.
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000c1');
SELECT journaling.current_user_id(), current_setting('journaling.user_id');
SELECT content FROM journaling.journal_entries ORDER BY content;
SELECT username FROM journaling.users ORDER BY username;

-- ... or for the transaction only.
BEGIN;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000d1', true);
SELECT content FROM journaling.journal_entries ORDER BY content;
COMMIT;
SELECT journaling.current_user_id();

-- A session-level change is undone by ROLLBACK, like SET.
BEGIN;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000d1');
ROLLBACK;
SELECT journaling.current_user_id();

-- NULL clears it; a NULL is_local is refused.
SELECT journaling.set_user(NULL);
SELECT journaling.current_user_id();
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000c1', NULL);
RESET ROLE;

-- A role that was not granted set_user() cannot call it.
SET ROLE regress_other;
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000c1');
RESET ROLE;

-- Superusers may set the value directly; it is validated and canonicalized.
SET journaling.user_id = 'not-a-uuid';
SET journaling.user_id = '{00000000000000000000000000000C1}';
SET journaling.user_id = '{00000000-0000-0000-0000-0000000000C1}';
SHOW journaling.user_id;
SET journaling.user_id = '';
SELECT journaling.current_user_id();

-- DISCARD ALL (a connection pool's reset) forgets the identity.
SELECT journaling.set_user('00000000-0000-0000-0000-0000000000c1');
DISCARD ALL;
SELECT journaling.current_user_id();

-- PGOPTIONS / startup options: the value is rejected when the library loads.
\c -reuse-previous=on "user=regress_app options='-c journaling.user_id=00000000-0000-0000-0000-0000000000d1'"
SELECT current_user, journaling.current_user_id();
SELECT count(*) FROM journaling.journal_entries;
\c - :superuser

DELETE FROM journaling.users;
REVOKE USAGE ON SCHEMA journaling FROM regress_other;
DROP OWNED BY regress_app;
DROP ROLE regress_app;
DROP ROLE regress_other;

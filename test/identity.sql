-- Identity spoofing: SET, set_config, RESET, ALTER ROLE and startup options
-- (PGOPTIONS) are all refused to ordinary roles.  The startup-option checks
-- open real new connections with dblink as the committed login role
-- journaling_tap_app that scripts/test creates.
BEGIN;
SELECT plan(20);

CREATE FUNCTION pg_temp.conninfo(role text, options text) RETURNS text
LANGUAGE sql AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s options=%L',
                  split_part(current_setting('unix_socket_directories'), ',', 1),
                  current_setting('port'), current_database(), role, options)
$$;

-- Before the library is loaded in a session, SET by an ordinary role only
-- makes an inert placeholder; loading the library discards it (WARNING) and
-- the identity is never taken from it.
SELECT is(dblink_connect('early', pg_temp.conninfo('journaling_tap_app', '')), 'OK', 'a fresh session of the app role');
SELECT is(dblink_exec('early', $q$SET journaling.user_id = '00000000-0000-0000-0000-0000000000bb'$q$),
          'SET', 'before the library loads, SET only makes a placeholder');
SELECT is((SELECT v FROM dblink('early', $q$SELECT journaling.current_user_id() IS NULL
                                             AND current_setting('journaling.user_id') = '' $q$) AS t(v bool)),
          true, 'the placeholder is discarded when the library loads: no identity');
SELECT is(dblink_disconnect('early'), 'OK', 'session closed');

-- Once loaded (here: by this call), every direct route raises.
SELECT is(journaling.current_user_id(), NULL, 'no identity at start');
SET ROLE journaling_tap_app;
SELECT throws_ok($$SET journaling.user_id = '00000000-0000-0000-0000-0000000000bb'$$, '42501', NULL, 'SET is refused');
SELECT throws_ok($$SELECT set_config('journaling.user_id', '00000000-0000-0000-0000-0000000000bb', false)$$, '42501', NULL, 'set_config() is refused');
SELECT throws_ok($$SELECT set_config('journaling.user_id', '00000000-0000-0000-0000-0000000000bb', true)$$, '42501', NULL, 'set_config(..., is_local) is refused');
SELECT throws_ok($$RESET journaling.user_id$$, '42501', NULL, 'RESET is refused');
SELECT throws_ok($$ALTER ROLE journaling_tap_app SET journaling.user_id = '00000000-0000-0000-0000-0000000000bb'$$, '42501', NULL, 'ALTER ROLE ... SET is refused');
SELECT throws_ok($$SET journaling.user_id_shadow = 'x'$$, '42602', NULL, 'new journaling.* placeholders are refused (reserved prefix)');
SELECT is(journaling.current_user_id(), NULL, 'identity still unset after every attempt');
SELECT is(current_setting('journaling.user_id'), '', 'the setting itself is still empty');
SELECT is(journaling.set_user('00000000-0000-0000-0000-0000000000aa'), '00000000-0000-0000-0000-0000000000aa'::uuid, 'set_user() is the way in');
SELECT is(journaling.set_user(NULL), NULL, 'set_user(NULL) clears it');
RESET ROLE;

-- Startup options: positive control first (a superuser may pass it), then the
-- ordinary role, whose value is discarded when the library loads.
SELECT is((SELECT id FROM dblink(pg_temp.conninfo(current_user, '-c journaling.user_id=00000000-0000-0000-0000-0000000000bb'),
                                 'SELECT journaling.current_user_id()') AS t(id uuid)),
          '00000000-0000-0000-0000-0000000000bb'::uuid, 'control: a superuser''s startup option is applied');
SELECT is((SELECT id FROM dblink(pg_temp.conninfo('journaling_tap_app', '-c journaling.user_id=00000000-0000-0000-0000-0000000000bb'),
                                 'SELECT journaling.current_user_id()') AS t(id uuid)),
          NULL, 'PGOPTIONS -c journaling.user_id is discarded for an ordinary role');
SELECT is((SELECT s FROM dblink(pg_temp.conninfo('journaling_tap_app', '-c journaling.user_id=00000000-0000-0000-0000-0000000000bb'),
                                 $q$SELECT journaling.current_user_id() IS NULL AND current_setting('journaling.user_id') = '' $q$) AS t(s bool)),
          true, 'the setting itself stays empty');
SELECT is((SELECT n FROM dblink(pg_temp.conninfo('journaling_tap_app', '-c journaling.user_id=not-a-uuid'),
                                 'SELECT count(*) FROM journaling.journal_entries') AS t(n bigint)),
          0::bigint, 'a malformed startup value yields no identity and no rows');
SELECT is((SELECT id FROM dblink(pg_temp.conninfo('journaling_tap_app', ''),
                                 $q$SELECT journaling.set_user('00000000-0000-0000-0000-0000000000aa') $q$) AS t(id uuid)),
          '00000000-0000-0000-0000-0000000000aa'::uuid, 'control: the same connection can use set_user()');

SELECT * FROM finish();
ROLLBACK;

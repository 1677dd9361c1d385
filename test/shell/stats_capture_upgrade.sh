#!/usr/bin/env bash
# test/shell/stats_capture_upgrade.sh — change capture under the released 0.1
# install script with the current library, then across ALTER EXTENSION
# UPDATE (TAP).
#
# Runs against the cluster scripts/test started (PGHOST etc. exported), in a
# database of its own that it drops at the end.  Under 0.1 the INSERT and
# UPDATE capture triggers use transition tables and the C function
# journaling_stats_capture_trigger, which must keep working with the new
# library until the update replaces them.
set -uo pipefail
db=journaling_capture_upgrade
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; }
trap cleanup EXIT
echo "1..9"

cleanup
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
q -c "CREATE EXTENSION journaling VERSION '0.1' CASCADE" 2>/dev/null
ok $? "journaling 0.1 installs with the current library ($(q -c "SELECT extversion FROM pg_extension WHERE extname = 'journaling'"))"

# Writes (a, b, day, times logged) and the mismatches after a refresh.
logged() { q -c "SELECT string_agg(right(user_id::text, 1) || ' ' || day || ' ' || n, ', ' ORDER BY user_id, day)
                   FROM (SELECT user_id, day, count(*) AS n FROM journaling.stats_changes GROUP BY 1, 2) c"; }
mismatches() {
  q -c "SELECT mode FROM journaling.refresh_statistics()" >/dev/null &&
  q -c "$(cat "$(dirname "$0")/stats_mismatches.sql")"
}
triggers() { q -c "SELECT string_agg(tgname || CASE WHEN pg_get_triggerdef(oid) ~ 'REFERENCING' THEN '(transition)' ELSE '' END, ' ' ORDER BY tgname)
                     FROM pg_trigger WHERE tgrelid = 'journaling.journal_entries'::regclass AND tgname LIKE 'journal_entries_stats%'"; }

t=$(triggers)
[ "$t" = "journal_entries_stats_delete(transition) journal_entries_stats_insert(transition) journal_entries_stats_truncate journal_entries_stats_update(transition)" ]
ok $? "0.1 captures with transition tables: $t"

q <<'SQL' >/dev/null 2>&1
INSERT INTO journaling.users (id, username) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'a'), ('00000000-0000-0000-0000-00000000000b', 'b');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'one', '2022-01-01', 0.5),
  ('00000000-0000-0000-0000-00000000000a', 'two', '2022-01-01', -0.5),
  ('00000000-0000-0000-0000-00000000000b', 'three', '2022-01-02', 1);
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-00000000000b', entry_date = '2022-01-03'
 WHERE content = 'one';
BEGIN;
SAVEPOINT s;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'rolled back', '2022-01-04');
ROLLBACK TO SAVEPOINT s;
DELETE FROM journaling.journal_entries WHERE content = 'two';
COMMIT;
SQL
l=$(logged)
[ "$l" = "a 2022-01-01 3, b 2022-01-02 1, b 2022-01-03 1" ]
ok $? "0.1 logs inserts, the old and new pairs of a move, deletes, not a rolled-back savepoint ($l)"

m=$(mismatches)
[ "$m" = 0 ]
ok $? "after a refresh under 0.1 the statistics equal the live views (mismatches: $m)"

# An update in the middle of a transaction: the 0.1 path before it, the 0.2
# path after it, both in the log at commit.
q <<'SQL' >/dev/null
BEGIN;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'before the update', '2022-02-01');
ALTER EXTENSION journaling UPDATE;
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'after the update', '2022-02-02');
UPDATE journaling.journal_entries SET entry_date = '2022-02-03' WHERE content = 'three';
COMMIT;
SQL
ok $? "ALTER EXTENSION journaling UPDATE (to $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'journaling'")) inside a writing transaction"

t=$(triggers)
[ "$t" = "journal_entries_stats_delete(transition) journal_entries_stats_flush journal_entries_stats_note_insert journal_entries_stats_note_update journal_entries_stats_truncate" ]
ok $? "0.2 captures INSERT and UPDATE without transition tables: $t"

l=$(logged)
[ "$l" = "a 2022-02-01 1, a 2022-02-02 1, b 2022-01-02 1, b 2022-02-03 1" ]
ok $? "writes before and after the update are logged ($l)"

m=$(mismatches)
[ "$m" = 0 ]
ok $? "after a refresh under 0.2 the statistics equal the live views (mismatches: $m)"

q <<'SQL' >/dev/null 2>&1
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES
  ('00000000-0000-0000-0000-00000000000b', 'four', '2022-03-01');
UPDATE journaling.journal_entries SET user_id = '00000000-0000-0000-0000-00000000000a' WHERE content = 'four';
DELETE FROM journaling.journal_entries WHERE content = 'before the update';
SQL
l=$(logged)
m=$(mismatches)
[ "$l|$m" = "a 2022-02-01 1, a 2022-03-01 1, b 2022-03-01 2|0" ]
ok $? "0.2 logs inserts, moves and deletes; statistics equal the live views ($l; mismatches: $m)"

#!/usr/bin/env bash
# test/shell/stats_cron.sh — journaling.schedule_refresh() with pg_cron (TAP).
#
# Runs against the cluster scripts/test started (PGHOST etc. exported), in the
# database named by cron.database_name, where pg_cron can be created.  The
# job is scheduled every minute (pg_cron 1.4 has no second schedules), so the
# test polls cron.job_run_details for up to CRON_WAIT seconds.  Everything it
# creates is dropped at the end.
set -uo pipefail

CRON_WAIT=${CRON_WAIT:-150}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

db=$(psql -X -At -d postgres -c 'SHOW cron.database_name') || { echo "1..0 # SKIP pg_cron not preloaded"; exit 0; }
echo "1..8"

created_cron=0
cleanup() {
  q -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'journaling.%'" >/dev/null 2>&1
  q -c 'DROP EXTENSION IF EXISTS journaling' >/dev/null 2>&1
  q -c 'DROP EXTENSION IF EXISTS pg_trgm' >/dev/null 2>&1
  [ "$created_cron" = 1 ] && q -c 'DROP EXTENSION IF EXISTS pg_cron' >/dev/null 2>&1
}
trap cleanup EXIT

if [ -z "$(q -c "SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'")" ]; then
  q -c 'CREATE EXTENSION pg_cron' && created_cron=1
fi
q -c 'CREATE EXTENSION journaling CASCADE' 2>/dev/null
ok $? "journaling installs next to pg_cron in $db"

q <<'SQL'
INSERT INTO journaling.users (id, username) VALUES ('00000000-0000-0000-0000-00000000c0c0', 'cron_user');
INSERT INTO journaling.journal_entries (user_id, content, entry_date, mood_score, tags)
SELECT '00000000-0000-0000-0000-00000000c0c0', 'entry ' || i, CURRENT_DATE - i, 0.1 * (i % 5), '{cron}'
  FROM generate_series(0, 9) i;
SQL
ok $? "entries written; changes pending: $(q -c 'SELECT pending_changes FROM journaling.statistics_lag()')"

job=$(q -c "SELECT journaling.schedule_refresh('* * * * *')")
[[ "$job" =~ ^[0-9]+$ ]]
ok $? "schedule_refresh() returns job id $job"

row=$(q -c "SELECT database || '|' || schedule || '|' || command FROM cron.job WHERE jobid = $job")
[ "$row" = "$db|* * * * *|SELECT mode, users, days, changes, duration FROM journaling.refresh_statistics()" ]
ok $? "the job runs refresh_statistics() in $db ($row)"

job2=$(q -c "SELECT journaling.schedule_refresh('* * * * *')")
[ "$job2" = "$job" ]
ok $? "scheduling again updates the same job ($job2)"

status=
for _ in $(seq 1 "$CRON_WAIT"); do
  status=$(q -c "SELECT string_agg(status, ',') FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed')")
  [ -n "$status" ] && break
  sleep 1
done
[ "${status%%,*}" = succeeded ]
ok $? "the job ran within ${CRON_WAIT}s and succeeded (status: ${status:-none}; $(q -c "SELECT return_message FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1"))"

check=$(q -c "SELECT (SELECT count(*) FROM journaling.refresh_log WHERE mode <> 'skipped') || '|' ||
                     (SELECT pending_changes FROM journaling.statistics_lag()) || '|' ||
                     (SELECT total_entries FROM journaling.user_statistics WHERE user_id = '00000000-0000-0000-0000-00000000c0c0') || '|' ||
                     (SELECT count(*) FROM (SELECT user_id, total_entries, total_words, avg_mood, current_streak, longest_streak, top_tags
                                              FROM journaling.user_statistics
                                            EXCEPT SELECT user_id, total_entries, total_words, avg_mood, current_streak, longest_streak, top_tags
                                              FROM journaling.user_statistics_live) x)")
[ "$check" = "1|0|10|0" ]
ok $? "the scheduled refresh materialized the statistics (runs|pending|entries|mismatches = $check)"

r1=$(q -c 'SELECT journaling.unschedule_refresh()')
r2=$(q -c 'SELECT journaling.unschedule_refresh()')
[ "$r1|$r2|$(q -c "SELECT count(*) FROM cron.job WHERE jobid = $job")" = "t|f|0" ]
ok $? "unschedule_refresh() removes the job once ($r1, $r2)"

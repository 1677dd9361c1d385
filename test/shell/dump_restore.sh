#!/usr/bin/env bash
# pg_dump -> pg_restore into a fresh database keeps every row of every table
# and the sequence state.  Runs against the cluster scripts/test started
# (PGHOST/PGPORT/PGUSER in the environment); prints TAP.
set -euo pipefail
src=journaling_dump_src dst=journaling_dump_dst
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" 2>/dev/null
psql -d $src <<'SQL' >/dev/null
CREATE EXTENSION journaling CASCADE;
INSERT INTO journaling.users (id, username, preferences) VALUES
  ('00000000-0000-0000-0000-0000000000aa', 'a', '{"tone": "warm"}'), ('00000000-0000-0000-0000-0000000000bb', 'b', '{}');
INSERT INTO journaling.topics (user_id, id, name) VALUES ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000a1', 'work');
INSERT INTO journaling.journal_entries (user_id, id, title, content, entry_date, mood_score, mood_label, tags, topic_id)
SELECT CASE WHEN i % 2 = 0 THEN '00000000-0000-0000-0000-0000000000aa'::uuid ELSE '00000000-0000-0000-0000-0000000000bb'::uuid END,
       md5(i::text)::uuid, 'title ' || i, E'line one\r\nline two ☕ ' || repeat('word ', i % 50), DATE '2024-01-01' + i,
       ((i % 201) - 100) / 100.0, CASE WHEN i % 3 = 0 THEN 'positive' END, ARRAY['t' || (i % 7)],
       CASE WHEN i % 10 = 0 THEN '00000000-0000-0000-0000-0000000000a1'::uuid END
  FROM generate_series(1, 500) i;
INSERT INTO journaling.entry_topics (user_id, entry_id, topic_id, relevance)
SELECT user_id, id, topic_id, 0.5 FROM journaling.journal_entries WHERE topic_id IS NOT NULL;
INSERT INTO journaling.sentiment_analysis (user_id, entry_id, model_name, label, confidence, emotions)
SELECT user_id, id, 'm1', 'calm', 0.75, '{"joy": 0.1}' FROM journaling.journal_entries LIMIT 50;
INSERT INTO journaling.psychology_insights (user_id, insight_type, insight_data, confidence)
VALUES ('00000000-0000-0000-0000-0000000000aa', 'pattern', '{"sleep": "late"}', 0.6);
INSERT INTO journaling.psychology_content (category, title, content, tags) VALUES ('cbt', 'Reframing', 'Notice the thought.', '{cbt}');
INSERT INTO journaling.chat_sessions (user_id, id, title, session_type) VALUES
  ('00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000c1', 'Chat', 'reflection_buddy');
INSERT INTO journaling.messages (user_id, session_id, seq, role, content, stages)
SELECT '00000000-0000-0000-0000-0000000000aa', '00000000-0000-0000-0000-0000000000c1', g,
       CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, 'message ' || g, CASE WHEN g % 2 = 0 THEN '{"stage1": []}'::jsonb END
  FROM generate_series(1, 20) g;
INSERT INTO journaling.user_memory (user_id, memory_type, key, value) VALUES ('00000000-0000-0000-0000-0000000000aa', 'profile', 'name', '"A"');
INSERT INTO journaling.usage (user_id, tier, daily_used, total_queries) VALUES ('00000000-0000-0000-0000-0000000000aa', 'free', 1, 9);
INSERT INTO journaling.import_runs (source, format) VALUES ('a.json', 'dayone'), ('b.json', 'jrnl');
INSERT INTO journaling.import_errors (run_id, file, ordinal, byte_offset, kind, sqlstate, message)
SELECT max(id), 'b.json', 1, 0, 'journal_entries', '22P02', 'invalid JSON at byte offset 0' FROM journaling.import_runs;
-- materialize the statistics, then leave one change pending
SELECT count(*) FROM journaling.refresh_statistics();
INSERT INTO journaling.journal_entries (user_id, content, entry_date) VALUES ('00000000-0000-0000-0000-0000000000bb', 'pending', '2030-01-01');
SQL

pg_dump -Fc -d $src -f "$dump"
nonempty=$(psql -d $src -At -c "SELECT count(*) FROM (SELECT relname FROM pg_class WHERE relnamespace = 'journaling'::regnamespace AND relkind = 'r') c WHERE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM journaling.%I', relname), false, true, '')))[1]::text::int = 0")
pg_restore -d $dst --exit-on-error "$dump"

tables=$(psql -d $src -At -c "SELECT relname FROM pg_class WHERE relnamespace = 'journaling'::regnamespace AND relkind = 'r' ORDER BY 1")
n=$(( $(wc -w <<<"$tables") * 2 + 6 ))
echo "1..$n"
i=0
ok() { i=$((i + 1)); if [ "$1" = "$2" ]; then echo "ok $i - $3"; else echo "not ok $i - $3 (source: $1, restored: $2)"; fi; }
fingerprint() { psql -d "$1" -At -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM journaling.$2 t"; }
rows() { psql -d "$1" -At -c "SELECT t::text FROM journaling.$2 t ORDER BY 1"; }
for t in $tables; do
  if [ "$t" = stats_changes ]; then
    # Reloading journal_entries fires the change capture again, so the
    # restored log holds every dumped change plus re-logged ones (harmless:
    # the next refresh recomputes the same values; checked below).
    ok "$(comm -23 <(rows $src $t) <(rows $dst $t) | wc -l)" "0" "$t: every pending change restored"
    ok "$(rows $src $t | wc -l | awk '$1 > 0 {print "yes"}')" "yes" "$t: the source had pending changes"
    continue
  fi
  read -r sc sm <<<"$(fingerprint $src "$t")"
  read -r dc dm <<<"$(fingerprint $dst "$t")"
  ok "$sc" "$dc" "$t: row count ($sc)"
  ok "$sm" "$dm" "$t: md5 of ordered rows"
done
# After a refresh on both sides the statistics are identical (refreshed_at aside).
stats() { psql -d "$1" -At -c "SELECT count(*) FROM journaling.refresh_statistics()" >/dev/null
          psql -d "$1" -At -c "SELECT md5(string_agg((to_jsonb(s) - 'refreshed_at')::text, ',' ORDER BY s.user_id)) FROM journaling.user_statistics s"
          psql -d "$1" -At -c "SELECT md5(string_agg(d::text, ',' ORDER BY d.user_id, d.day)) FROM journaling.daily_stats d"; }
ok "$(stats $src | tr '\n' ' ')" "$(stats $dst | tr '\n' ' ')" "statistics after a refresh are identical in source and restore"
ok "$(psql -d $dst -At -c "SELECT count(*) FROM journaling.user_statistics")" "2" "restored statistics cover both users"
ok "$nonempty" "0" "every table had rows to lose"
ok "$(psql -d $src -At -c "SELECT last_value FROM journaling.import_runs_id_seq")" \
   "$(psql -d $dst -At -c "SELECT last_value FROM journaling.import_runs_id_seq")" "import_runs_id_seq state restored"
next=$(psql -d $dst -At -c "INSERT INTO journaling.import_runs (source, format) VALUES ('c.json', 'jrnl') RETURNING id" 2>&1 || true)
psql -d $dst -c "INSERT INTO journaling.journal_entries (user_id, content) VALUES ('00000000-0000-0000-0000-0000000000aa', 'after restore')" >/dev/null 2>&1 \
  && next="$next ok" || next="$next failed"
ok "$next" "3 ok" "next inserts succeed after restore (import run id 3, new entry)"
# A role that may read the tables but not bypass row-level security cannot
# produce a silently incomplete backup: pg_dump refuses.
psql -d $src -c "DROP ROLE IF EXISTS journaling_dumper" -c "CREATE ROLE journaling_dumper LOGIN" \
     -c "GRANT USAGE ON SCHEMA journaling TO journaling_dumper" \
     -c "GRANT SELECT ON ALL TABLES IN SCHEMA journaling TO journaling_dumper" \
     -c "GRANT SELECT ON ALL SEQUENCES IN SCHEMA journaling TO journaling_dumper" >/dev/null 2>&1
if out=$(pg_dump -U journaling_dumper -d $src -f /dev/null 2>&1); then verdict=wrote; else verdict=refused; fi
grep -q "row-level security" <<<"$out" || verdict="$verdict ($out)"
ok "$verdict" "refused" "pg_dump by a role without BYPASSRLS fails instead of writing an empty backup"
psql -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst" -c "DROP ROLE journaling_dumper"

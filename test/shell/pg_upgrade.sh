#!/usr/bin/env bash
# test/shell/pg_upgrade.sh — a pg_upgrade rehearsal (TAP): a database with the
# extension, pg_cron and a scheduled refresh, data in every table, moved by
# pg_upgrade --link into a second cluster initdb'ed with the same binaries
# (15 -> 15: the path a major upgrade takes, with the same server on both
# sides).  Afterwards every table has the same rows, the sequences, policies
# and enabled+forced row-level security are unchanged, the pg_cron job is
# still there and the extension works.  Starts and stops its own two clusters
# (sockets only; pg_upgrade starts the servers itself, on a socket in its
# working directory given by -s); the cluster scripts/test started is not
# used.  Both clusters get lib.sh's postgresql.conf, which preloads pg_cron,
# so pg_upgrade needs no -o/-O server options.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
db=postgres    # the database named by cron.database_name (lib.sh)
app=journaling_fill_app
work=$(mktemp -d --tmpdir="${TMPDIR:-/tmp}" --suffix=.journaling-upgrade)
chown postgres: "$work"
old= new=
cleanup() {
  local d
  for d in "$old" "$new"; do
    [ -n "$d" ] && CLUSTER_DIR=$d cluster_stop
  done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The old cluster: pg_cron preloaded (lib.sh), the extension and data.
cluster_init; old=$CLUSTER_DIR
cluster_boot
ensure_role $app
q -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_cron" -c "CREATE EXTENSION journaling CASCADE" &&
  fill_every_table $db $app &&
  q -d $db -c "SELECT journaling.schedule_refresh('17 3 * * *')" >/dev/null
ok $? "old cluster: extension, data and a scheduled refresh"
is "$(empty_tables $db)" "" "no table is empty before the upgrade"
fq=$(fingerprint_query $db)
rows_before=$(fingerprints $db "$fq")
seq_before=$(sequence_state $db)
rls_before=$(rls_state $db)
job_before=$(q -d $db -c "SELECT jobname, schedule, command, database, username, active FROM cron.job")
members() { q -d $db -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_catalog.pg_depend
                          WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
                            AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'journaling') ORDER BY 1"; }
members_before=$(members)
version_before=$(q -d $db -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'journaling'")
sysid() { q -d $db -c "SELECT system_identifier FROM pg_catalog.pg_control_system()"; }
sysid_before=$(sysid)
cluster_halt

# 2. A new cluster with the same binaries and configuration, not started.
cluster_init; new=$CLUSTER_DIR
start=$(date +%s)
(cd "$work" && runuser -u postgres -- "$PG_BIN/pg_upgrade" --link -U postgres -s "$work" \
   -b "$PG_BIN" -B "$PG_BIN" -d "$old/data" -D "$new/data") >"$work/pg_upgrade.out" 2>&1
rc=$?
ok $rc "pg_upgrade --link ran in $(( $(date +%s) - start ))s"
if [ $rc -ne 0 ]; then
  sed 's/^/# /' "$work/pg_upgrade.out"
  find "$new/data/pg_upgrade_output.d" -name '*.log' -exec tail -n 20 {} + 2>/dev/null | sed 's/^/# /'
fi

# 3. The new cluster.
cluster_boot
sysid_after=$(sysid)
ok "$([ -n "$sysid_after" ] && [ "$sysid_after" != "$sysid_before" ]; echo $?)" "the server now runs the new cluster (system identifier $sysid_after, was $sysid_before)"
is "$(q -d $db -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'journaling'")" "$version_before" \
   "extension version $version_before kept"
is "$(members)" "$members_before" "the same $(wc -l <<<"$members_before") extension member objects"
rows_after=$(fingerprints $db "$fq")
while IFS='|' read -r t n m; do
  is "$(grep "^$t|" <<<"$rows_after")" "$t|$n|$m" "$t: $n rows, md5 of the rows ordered by primary key"
done <<<"$rows_before"
is "$(sequence_state $db)" "$seq_before" "sequences at their positions"
is "$(rls_state $db)" "$rls_before" "row-level security: $rls_before"
is "$(q -d $db -c "SELECT jobname, schedule, command, database, username, active FROM cron.job")" "$job_before" \
   "the pg_cron refresh job is kept"
is "$(extension_works $db $app 2>&1)" "$EXTENSION_WORKS" "the upgraded database works: insert, search, import, refresh"
done_testing

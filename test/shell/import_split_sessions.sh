#!/usr/bin/env bash
# import_directory over a folder where one chat session's messages are split
# between two files (two dumps of the same app, a/ and b/): the session's
# message_count and last_message_at count the messages of both files, and
# the messages are numbered 1..5 across them, in one call.  A second call
# imports nothing and changes nothing.
# Runs against the cluster scripts/test started; prints TAP.
set -euo pipefail
source "$(dirname "$0")/lib.bash"
db=journaling_import_split
user=5dad10db-0000-4000-8000-00000000c001
session=5dad10db-0000-4000-8000-00000000c0de
dir=$(mktemp -d)
chmod 755 "$dir"
mkdir "$dir/a" "$dir/b"
trap 'rm -rf "$dir"; q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

cat >"$dir/a/sessions.json" <<JSON
{"$session": {"id": "$session", "session_type": "reflection_buddy", "title": "split",
  "created_at": "2025-08-04 19:25:03", "updated_at": "2025-08-04T19:25:03",
  "message_count": 0, "tags": [], "metadata": {}}}
JSON
message() { # id-suffix minute role
  printf '"5dad10db-0000-4000-8000-0000000000%s": {"id": "5dad10db-0000-4000-8000-0000000000%s", "session_id": "%s", "content": "message %s", "role": "%s", "timestamp": "2025-08-04 19:%s:00", "metadata": {}}' \
    "$1" "$1" "$session" "$1" "$3" "$2"
}
printf '{%s,\n%s}\n' "$(message 01 26 assistant)" "$(message 02 27 user)" >"$dir/a/messages.json"
printf '{%s,\n%s,\n%s}\n' "$(message 03 28 assistant)" "$(message 04 29 user)" "$(message 05 30 assistant)" >"$dir/b/messages.json"
chmod 644 "$dir"/*/*.json

q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
q -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION journaling CASCADE" >/dev/null

state() {
  q -d $db -F' ' -c "SELECT s.message_count, to_char(s.last_message_at AT TIME ZONE 'UTC', 'HH24:MI'),
                            (SELECT string_agg(m.seq || ':' || m.content, ',' ORDER BY m.seq) FROM journaling.messages m WHERE m.session_id = s.id)
                       FROM journaling.chat_sessions s WHERE s.id = '$session'"
}

is "$(q -d $db -F' ' -c "SELECT imported, failed FROM journaling.import_directory('$dir', '{\"user_id\": \"$user\", \"timezone\": \"UTC\"}') WHERE kind = 'messages'")" \
   "5 0" "one import_directory call imports the 5 messages of the two files"
is "$(state)" "5 19:30 1:message 01,2:message 02,3:message 03,4:message 04,5:message 05" \
   "the session counts the messages of both files, its last message is the second file's, numbered 1..5"

is "$(q -d $db -F' ' -c "SELECT imported, skipped FROM journaling.import_directory('$dir', '{\"user_id\": \"$user\", \"timezone\": \"UTC\"}') WHERE kind = 'messages'")" \
   "0 5" "a second call imports nothing"
is "$(state)" "5 19:30 1:message 01,2:message 02,3:message 03,4:message 04,5:message 05" \
   "and leaves the session as it was"
done_testing

#!/usr/bin/env bash
# A short run of each libFuzzer harness (test/fuzz/run.sh): 20 000
# executions each of the JSON reader, the snippet selector and the moodstats
# arithmetic under AddressSanitizer and UBSan, with their checks; prints TAP.
# The long runs are `bash test/fuzz/run.sh 1000000`.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(bash test/fuzz/run.sh "${FUZZ_SMOKE_RUNS:-20000}" 2>&1)
echo "1..3"
n=0
for t in json_reader snippet_select moodstats_math; do
  n=$((n + 1))
  line=$(grep -E "^fuzz_$t: " <<<"$out")
  if grep -q "no crashes" <<<"$line"; then echo "ok $n - fuzz_$t: ${line#*: }"; else echo "not ok $n - fuzz_$t"; fi
done
grep -q FAILED <<<"$out" && sed 's/^/# /' <<<"$out" | tail -60
exit 0

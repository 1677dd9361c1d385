#!/usr/bin/env bash
# test/fuzz/run.sh — build the JSON reader's libFuzzer harness and run it.
#
# Installs clang-14 and libFuzzer (Debian bookworm packages) if missing,
# builds test/fuzz/fuzz_json_reader.c with src/json_reader.c under
# -fsanitize=fuzzer,address,undefined, seeds the corpus with the legacy
# samples and runs RUNS executions (default 1000000).  Prints the number of
# executions done; exits non-zero on any crash, leak or disagreement.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-1000000}
have_fuzzer() {
  command -v clang-14 >/dev/null &&
    ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1
}
if ! have_fuzzer; then
  [ "$(id -u)" -eq 0 ] || { echo "clang-14 and libfuzzer-14-dev are missing; run as root to install them" >&2; exit 1; }
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-14 libfuzzer-14-dev >/dev/null
fi
out=test/fuzz/build
mkdir -p "$out/corpus"
clang-14 -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Isrc -o "$out/fuzz_json_reader" test/fuzz/fuzz_json_reader.c src/json_reader.c -lm
find test/fixtures/legacy-samples -name '*.json' -size -64k -exec cp {} "$out/corpus/" \;
printf '[NaN,Infinity,-Infinity,1.7976931348623157E308]' >"$out/corpus/nonfinite.json"
printf '\xef\xbb\xbf{"a":"\\ud83d\\ude0a\\/"}' >"$out/corpus/bom.json"
"$out/fuzz_json_reader" -runs="$RUNS" -max_len=4096 -timeout=10 -print_final_stats=1 \
  "$out/corpus" 2>"$out/fuzz.log" || { tail -50 "$out/fuzz.log"; exit 1; }
execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$out/fuzz.log" | grep -oE '[0-9]+$')
echo "fuzz_json_reader: $execs executions, no crashes"

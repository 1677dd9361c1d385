#!/usr/bin/env bash
# test/fuzz/run.sh [RUNS [TARGET...]] — build the libFuzzer harnesses and run them.
#
# Targets: json_reader (src/json_reader.c: every layout, from memory and
# streamed a few bytes at a time, written back and parsed again),
# snippet_select (src/snippet_select.c against the server headers with
# test/fuzz/pg_stubs.c: option errors, ranges asked, bisection = linear scan)
# and moodstats_math (src/moodstats_math.h: exact sums, overflow reports,
# empty after removal; accessors on any state moodstats.c would accept).
# Installs clang-14 and libFuzzer (Debian bookworm packages) if missing,
# builds each harness under -fsanitize=fuzzer,address,undefined, seeds the
# corpus afresh and runs RUNS executions (default: $RUNS or 1000000) with a
# fixed seed.  Prints the number of executions of each; exits non-zero on any
# crash, leak, sanitizer report or failed check (the log tail is printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-${RUNS:-1000000}}
shift || true
TARGETS=("${@:-json_reader}")
[ $# -eq 0 ] && TARGETS=(json_reader snippet_select moodstats_math)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
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
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc)

build_json_reader() {
  clang-14 -std=c99 "${CFLAGS[@]}" -o "$out/fuzz_json_reader" test/fuzz/fuzz_json_reader.c src/json_reader.c -lm
  find test/fixtures/legacy-samples -name '*.json' -size -64k -exec cp {} "$1/" \;
  printf '[NaN,Infinity,-Infinity,1.7976931348623157E308]' >"$1/nonfinite.json"
  printf '\xef\xbb\xbf{"a":"\\ud83d\\ude0a\\/"}' >"$1/bom.json"
}

# Compiled as the server compiles it (-fwrapv: signed overflow wraps, as in
# ts_headline's own cover-length arithmetic), against the server headers.
build_snippet_select() {
  clang-14 -std=gnu99 "${CFLAGS[@]}" -fwrapv -Wno-ignored-attributes -Itest/fuzz \
    -I"$($PG_CONFIG --includedir-server)" -o "$out/fuzz_snippet_select" \
    test/fuzz/fuzz_snippet_select.c src/snippet_select.c test/fuzz/pg_stubs.c \
    "$($PG_CONFIG --pkglibdir)/libpgport.a"
  # seeds: default options (MinWords 15, MaxWords 35) with 0 and 3 fragments, words with items
  printf '\x0f\x23\x07\x00\x04\x03\x00\x04\x05' >"$1/seed0"
  printf '\x0f\x23\x07\x03\x04\x03\x00\x04\x05' >"$1/seed1"
  for i in $(seq 0 63); do printf '\x01\x02\x10\x00\x02\x01\x31\x06'; done >>"$1/seed0"
  for i in $(seq 0 63); do printf '\x01\x02\x10\x00\x02\x01\x31\x06'; done >>"$1/seed1"
}

# Pure C (no server headers); -ffp-contract=off as the extension's build.
build_moodstats_math() {
  clang-14 -std=gnu99 "${CFLAGS[@]}" -ffp-contract=off -o "$out/fuzz_moodstats_math" \
    test/fuzz/fuzz_moodstats_math.c -lm
  # operations: three rows with days, one removed, a combine; a raw empty state
  printf '\x00\x00\x40\x20\x00\x01\x01\x40\x40\x00\x02\x02\x00\x00\x00\x05\x05\x00\x00\x00\x00\x07\x00\x00\x00\x00' >"$1/ops"
  head -c 137 /dev/zero | tr '\0' '\1' | head -c 1 >"$1/raw"; head -c 136 /dev/zero >>"$1/raw"
  # a raw state with the largest sum of squared days (once a float-to-int128 overflow)
  printf '\x01\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\xbf\x00\x00\x00\x00\x00\x00\xf0\x3f\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x00' >"$1/raw-sxx-max"
}

status=0
for t in "${TARGETS[@]}"; do
  rm -rf "$out/corpus-$t"
  mkdir -p "$out/corpus-$t"
  "build_$t" "$out/corpus-$t"
  if "$out/fuzz_$t" -runs="$RUNS" -seed=1 -max_len=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$out/" \
       "$out/corpus-$t" 2>"$out/fuzz_$t.log"; then
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$out/fuzz_$t.log" | grep -oE '[0-9]+$')
    echo "fuzz_$t: $execs executions, no crashes"
  else
    tail -50 "$out/fuzz_$t.log"
    echo "fuzz_$t: FAILED (log: $out/fuzz_$t.log)"
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) in the sanitizer build (clang, ASan+UBSan,
# coverage; BUILD_DIR, default build-sanitize, shared with scripts/sanitize.sh), runs each for
# FUZZ_SECONDS (default 60) from the committed seed corpus, and prints one line per target:
# executions, coverage (edges), features, corpus size and crashes. A crash, a sanitizer
# report, an out-of-memory (over 2 GiB) or a hang (over 10 s for one input) fails the run;
# the input is kept in BUILD_DIR/crashes/ -- add it to tests/fuzz/corpus/<target>/ once
# fixed, so torch_tests replays it from then on.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  space-separated subset of: config idx cifar runfile
#   BUILD_DIR, JOBS as in build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build-sanitize}
seconds=${FUZZ_SECONDS:-60}
targets=(${FUZZ_TARGETS:-config idx cifar runfile})
start=$(date +%s)
bash scripts/configure-sanitize.sh "$build_dir"
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"
echo "fuzz.sh: built in $(( $(date +%s) - start )) s"

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build_dir/crashes"
failed=0
summary=()
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"   # grows across runs; the seeds stay in the repository
  mkdir -p "$corpus"
  log="$build_dir/fuzz_$t.log"
  max_len=4096
  [ "$t" = runfile ] && max_len=65536
  [ "$t" = cifar ] && max_len=16384
  set +e
  "$build_dir/tests/fuzz/fuzz_$t" "$corpus" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
    -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build_dir/crashes/$t-" >"$log" 2>&1
  code=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo "?")
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || echo "?")
  units=$(ls "$corpus" | wc -l)
  crashes=$(ls "$build_dir/crashes" | grep -c "^$t-" || true)
  summary+=("$(printf '%-8s %10s execs  cov %5s  ft %6s  corpus %5s  crashes %s  exit %s' \
    "$t" "$execs" "$cov" "$ft" "$units" "$crashes" "$code")")
  if [ "$code" -ne 0 ]; then
    failed=1
    echo "fuzz.sh: $t failed (exit $code); its log:" >&2
    grep -A30 -E 'ERROR: |==ERROR|runtime error|deadly signal|out-of-memory|timeout' "$log" | head -60 >&2 || tail -40 "$log" >&2
  fi
done
echo "fuzz.sh: $seconds s per target on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
printf '%s\n' "${summary[@]}"
exit $failed

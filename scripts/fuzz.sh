#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) in the sanitizer build (clang, ASan+UBSan,
# coverage; BUILD_DIR, default build-sanitize, shared with scripts/sanitize.sh), runs each for
# FUZZ_SECONDS (default 60) from the committed seed corpus, and prints one line per target:
# executions, coverage (edges), features, corpus size and failures. A crash, a sanitizer
# report, an out-of-memory (over 2 GiB) or a hang (over 10 s for one input) in our code fails
# the run; the input is kept in BUILD_DIR/crashes/ -- add it to tests/fuzz/corpus/<target>/
# once fixed, so torch_tests replays it from then on. Failures inside the HDF5 library itself
# (reachable through a corrupt run file; see tests/fuzz/hdf5-defects/) are counted, not fatal.
# Whose failure it is comes from the report the failing process itself wrote (the sanitizers'
# log_path, BUILD_DIR/reports/<target>/), not from a replay of the kept input: some HDF5 failures
# need the state earlier inputs left in the same process and do not happen on a replay alone.
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_TARGETS  space-separated subset of: config idx cifar runfile modelfile graph
#   BUILD_DIR, JOBS as in build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build-sanitize}
seconds=${FUZZ_SECONDS:-60}
targets=(${FUZZ_TARGETS:-config idx cifar runfile modelfile graph})
start=$(date +%s)
bash scripts/configure-sanitize.sh "$build_dir"
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"
echo "fuzz.sh: built in $(( $(date +%s) - start )) s"

asan_options=detect_leaks=0:abort_on_error=1
ubsan_options=print_stacktrace=1:halt_on_error=1

# Whose failure a sanitizer report (one failing process's, a timeout's stack included) shows:
# "hdf5" when the innermost frame that is not the sanitizer's (its interceptors of memcpy,
# strlen, ... included), the fuzzer's, libc's or an allocator's lies in the HDF5 library (a
# defect of Debian's HDF5 1.10.8, which a corrupt run file can reach and we cannot fix), "ours"
# otherwise (a report with no such frame included: what cannot be placed fails the run).
whose_report() {
  local frame
  frame=$(grep -E '^ +#[0-9]+ ' "$1" | grep -vE \
    '__sanitizer|fuzzer::|libc\.so|sysdeps|libclang_rt|compiler-rt|__asan|__ubsan|__interceptor|malloc|calloc|realloc|operator new|libstdc\+\+| in (memcpy|memmove|memset|memcmp|strlen|strnlen|strcmp|strncmp) \(' \
    | head -1 || true)
  if [[ $frame == *libhdf5* ]]; then echo hdf5; else echo ours; fi
}

crashes_dir="$build_dir/crashes"
rm -rf "$crashes_dir" "$build_dir/reports"
mkdir -p "$crashes_dir"
failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$t"
  corpus="$build_dir/corpus/$t"   # grows across runs; the seeds stay in the repository
  reports="$build_dir/reports/$t"
  mkdir -p "$corpus" "$reports"
  log="$build_dir/fuzz_$t.log"
  max_len=4096
  [ "$t" = runfile ] && max_len=65536
  [ "$t" = cifar ] && max_len=16384
  [ "$t" = modelfile ] && max_len=32768
  # Fork mode goes on after a failing input (kept under crashes/), so one run reports every
  # distinct failure, not just the first. Each failing child process writes its sanitizer
  # report (or its timeout's stack) to reports/<target>/report.<pid>.
  set +e
  ASAN_OPTIONS="$asan_options:log_path=$reports/report" UBSAN_OPTIONS="$ubsan_options:log_path=$reports/report" \
    "$bin" "$corpus" "tests/fuzz/corpus/$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$crashes_dir/$t-" >"$log" 2>&1
  code=$?
  set -e
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -oE '^#[0-9]+' <<<"$last" | tr -d '#' || true)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || true)
  # libFuzzer's last fork-mode status line counts the failing children so far (oom/timeout/crash:
  # A/B/C; one that failed after it is missed here but still has its report).
  counts=$(grep -oE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' <<<"$last" | grep -oE '[0-9]+/[0-9]+/[0-9]+' || true)
  failures=0
  [ -n "$counts" ] && failures=$(( ${counts//\// + } ))
  units=$(find "$corpus" -type f | wc -l)
  ours=0 hdf5=0
  for report in "$reports"/report.*; do
    [ -e "$report" ] || continue
    # A failure's report has an error line or a stack (a timeout's has only the stack).
    grep -qE 'ERROR:|runtime error:|^ +#[0-9]+ ' "$report" || continue
    if [ "$(whose_report "$report")" = hdf5 ]; then
      hdf5=$((hdf5 + 1))
    else
      ours=$((ours + 1))
      echo "fuzz.sh: $t: a failure in our code, reported in $report:" >&2
      grep -m1 -E 'ERROR:|runtime error:' "$report" >&2 || true
      grep -E '^ +#[0-9]+ ' "$report" | head -12 >&2 || true
    fi
  done
  # A failure that left no report (one that libFuzzer detects itself may be reported in the log
  # only) cannot be placed: it counts as ours.
  unplaced=$(( failures - ours - hdf5 ))
  if [ "$unplaced" -gt 0 ]; then
    ours=$((ours + unplaced))
    echo "fuzz.sh: $t: $unplaced failure(s) left no sanitizer report; see $log" >&2
  fi
  if [ "$ours" -ne 0 ]; then
    echo "fuzz.sh: $t: the failing inputs are under $crashes_dir; replay one: $bin INPUT" >&2
  fi
  summary+=("$(printf '%-8s %10s execs  cov %5s  ft %6s  corpus %5s  failures in our code %s, in HDF5 %s' \
    "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$units" "$ours" "$hdf5")")
  if [ "$ours" -ne 0 ] || { [ "$code" -ne 0 ] && [ "$hdf5" -eq 0 ]; }; then
    failed=1
    tail -40 "$log" >&2
  fi
done
echo "fuzz.sh: $seconds s per target on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
printf '%s\n' "${summary[@]}"
exit $failed

#!/usr/bin/env bash
# The sanitizer build: clang, ASan+UBSan and libFuzzer coverage on all of our code, into
# BUILD_DIR (default: build-sanitize). Builds the GoogleTest suites (core, kernels,
# LibTorch, the last replaying the committed fuzz corpus) and the fuzz targets, then runs
# the suites. LibTorch, HDF5 and the other libraries are not instrumented (ASan still
# checks every access of our code to their heap). Any report fails the run.
# scripts/fuzz.sh runs the fuzz targets from the same build.
#   BUILD_DIR  build folder (default: build-sanitize)
#   JOBS       parallel build jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build-sanitize}
start=$(date +%s)
bash scripts/configure-sanitize.sh "$build_dir"
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" \
  --target denseshift_core_tests denseshift_tests denseshift_kernel_tests fuzz_config fuzz_idx fuzz_cifar fuzz_runfile
built=$(date +%s)
# Leak checking is off: LibTorch and HDF5 keep allocations alive until exit by design.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build_dir" --output-on-failure -R '^(core_tests|kernel_tests|torch_tests)$'
echo "sanitize.sh: built in $((built - start)) s, tests ran in $(( $(date +%s) - built )) s"

#!/usr/bin/env bash
# Runs every test: set-up (if packages are missing), configure, build, ctest
# (GoogleTest binaries and the CLI tests), the kernels cross-built for AArch64 and
# run under qemu-aarch64 (NEON), the Python tests, then the GoogleTest suites again
# under ASan+UBSan (scripts/sanitize.sh) and every fuzz target for FUZZ_SECONDS
# (scripts/fuzz.sh).
#   BUILD_DIR     build folder (default: build; the AArch64 and the sanitizer + fuzzing
#                 builds go to BUILD_DIR-aarch64 and BUILD_DIR-sanitize)
#   JOBS          parallel build jobs (default: all cores)
#   SANITIZE=0    skip the sanitizer step (it is on by default, and in CI)
#   FUZZ_SECONDS  seconds per fuzz target (default 60; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh

build_dir=${BUILD_DIR:-build}
start=$(date +%s)
ctest --test-dir "$build_dir" --output-on-failure -j "${JOBS:-$(nproc)}"

# The kernels for AArch64: cross-compiled, run under qemu (binfmt is not mounted
# here, so the toolchain file names qemu as CMake's emulator and ctest calls it).
bash scripts/build-aarch64.sh "$build_dir-aarch64"
ctest --test-dir "$build_dir-aarch64" --output-on-failure

# Python tests (analysis and command line), with Debian's python3 which has matplotlib/h5py.
DENSESHIFT_BIN="$PWD/$build_dir/cli/denseshift" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests
echo "test.sh: tests passed in $(( $(date +%s) - start )) s (after the build)"

if [ "${SANITIZE:-1}" != 0 ]; then
  BUILD_DIR="$build_dir-sanitize" bash scripts/sanitize.sh
fi
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  BUILD_DIR="$build_dir-sanitize" FUZZ_SECONDS="${FUZZ_SECONDS:-60}" bash scripts/fuzz.sh
fi
echo "test.sh: all steps passed in $(( $(date +%s) - start )) s (after the first build)"

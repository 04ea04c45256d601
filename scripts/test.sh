#!/usr/bin/env bash
# Runs every test: set-up (if packages are missing), configure, build, ctest
# (GoogleTest binaries and the CLI tests), the kernels cross-built for AArch64 and
# run under qemu-aarch64 (NEON), then the Python tests.
#   BUILD_DIR   build folder (default: build; the AArch64 build goes to BUILD_DIR-aarch64)
#   JOBS        parallel build jobs (default: all cores)
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
echo "test.sh: all tests passed in $(( $(date +%s) - start )) s (after the build)"

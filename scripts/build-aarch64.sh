#!/usr/bin/env bash
# Cross-compiles the kernels and their tests for AArch64 (NEON) into DIR (default:
# build-aarch64). Only lib/kernels and its dependency-free core are built.
# Run a binary with: qemu-aarch64 -L /usr/aarch64-linux-gnu DIR/tests/kernels/denseshift_kernel_tests
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-build-aarch64}
start=$(date +%s)
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDENSESHIFT_KERNELS_ONLY=ON \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$dir" -j "${JOBS:-$(nproc)}"
echo "build-aarch64.sh: built in $(( $(date +%s) - start )) s"

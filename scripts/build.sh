#!/usr/bin/env bash
# Configures and builds denseshift (Release) into BUILD_DIR (default: build).
# Run scripts/setup.sh first on a fresh machine.
#   TARGETS   CMake targets to build, space-separated (default: all, the tests included);
#             scripts/quickstart.sh builds only the command line: TARGETS=denseshift_cli
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build}
generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$build_dir/Makefile" ]; then generator=(-G Ninja); fi
start=$(date +%s)
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" "${targets[@]}"
echo "build.sh: built ${TARGETS:-everything} in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# Configures the one sanitizer + fuzzing build (clang, ASan+UBSan, libFuzzer coverage) that
# scripts/sanitize.sh and scripts/fuzz.sh share. Usage: configure-sanitize.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$1
generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$build_dir/Makefile" ]; then generator=(-G Ninja); fi
# -O1 -g1: quick to compile, fast enough to run, and line numbers in every report.
CC=clang CXX=clang++ cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DDENSESHIFT_SANITIZE=address,undefined -DDENSESHIFT_FUZZ=ON >/dev/null

#!/usr/bin/env bash
# Guest instructions per kernel call on AArch64 (scalar and NEON), counted under
# qemu-aarch64 with the plugin in tools/qemu-insn-count: a deterministic ARM cost
# proxy. Each kernel runs at 1 and at 3 calls; the difference over 2 is one call.
# Prints a Markdown table. Instructions are not time: branch mispredictions, cache
# misses and per-instruction latency and throughput (a Cortex-A57's tbl, fcvtl or
# FMA costs) are not in it.
#   DOT_SIZE (4096)  GEMV_SIZE (1024, square)  BUILD_DIR (build-aarch64)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${BUILD_DIR:-build-aarch64}
dot_size=${DOT_SIZE:-4096}
gemv_size=${GEMV_SIZE:-1024}
bash scripts/build-aarch64.sh "$dir" >&2
plugin="$dir/libdenseshift_insn_count.so"
g++ -O2 -shared -fPIC -fvisibility=hidden -o "$plugin" tools/qemu-insn-count/insn_count.cpp
calls_bin="$dir/lib/kernels/denseshift_kernel_calls"
qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)

count() {  # kernel isa size calls -> guest instructions
  "${qemu[@]}" -plugin "$plugin" "$calls_bin" "$1" "$2" "$3" "$4" 2>&1 >/dev/null |
    sed -n 's/^guest instructions: //p'
}

# The kernel families (lib/kernels/include/denseshift/kernels/families.h) name every
# kernel, its family and its baseline: this script lists nothing by hand.
declare -A per_call
rows=()
while read -r kernel isa family baseline; do
  case "$family" in *-gemv | *-gemm) size=$gemv_size ;; *) size=$dot_size ;; esac
  one=$(count "$kernel" "$isa" "$size" 1)
  three=$(count "$kernel" "$isa" "$size" 3)
  per_call["$kernel $isa"]=$(( (three - one) / 2 ))
  [[ $baseline == - ]] && baseline=""
  rows+=("$kernel $isa $size $family $baseline")
done < <("${qemu[@]}" "$calls_bin" --list)

declare -A is_baseline
for row in "${rows[@]}"; do
  read -r _ isa _ _ base <<<"$row"
  [[ -n $base ]] && is_baseline["$base $isa"]=1
done

echo "| kernel | ISA | size | guest instructions a call | per element | baseline | baseline / this |"
echo "|---|---|---|---:|---:|---|---:|"
for row in "${rows[@]}"; do
  read -r kernel isa size family base <<<"$row"
  n=${per_call["$kernel $isa"]}
  elements=$size
  label=$size
  case "$family" in
    *-gemv) elements=$(( size * size )); label="${size}x${size}" ;;
    # a GEMM call multiplies the matrix by 5 columns (GemmInputs::kColumns, src/kernel_families.cpp)
    *-gemm) elements=$(( size * size * 5 )); label="${size}x${size} n=5" ;;
  esac
  ratio="-"
  if [ -n "$base" ]; then
    ratio=$(awk -v b="${per_call["$base $isa"]}" -v t="$n" 'BEGIN { printf "%.2fx", b / t }')
  fi
  per=$(awk -v t="$n" -v e="$elements" 'BEGIN { printf "%.2f", t / e }')
  shown=${base:-"-"}  # "(baseline)" only for kernels others are compared with
  [[ -z $base && -n ${is_baseline["$kernel $isa"]:-} ]] && shown="(baseline)"
  echo "| $kernel | $isa | $label | $n | $per | $shown | $ratio |"
done

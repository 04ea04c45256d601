#!/usr/bin/env bash
# The main job, set-up included: install, build, then train LeNet on Fashion-MNIST
# in full precision and as a DenseShift 3-bit network (sign_scale), and print
# both test accuracies. Runs go to OUT (default: runs/quickstart), replaced each
# time; OUT/results.md records the table with its command, commit and date.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
bin="${BUILD_DIR:-build}/cli/denseshift"
out=${OUT:-runs/quickstart}
threads=${THREADS:-$(nproc)}
runs=(full_precision dense_shift_3bit)

start=$(date +%s)
for name in "${runs[@]}"; do
  echo "== training $name (experiments/quickstart/$name.json) =="
  "$bin" train --config "experiments/quickstart/$name.json" --out "$out/$name" --threads "$threads" --force
done
seconds=$(( $(date +%s) - start ))

{
  echo "# Quickstart: LeNet on Fashion-MNIST, full precision vs DenseShift 3-bit"
  echo
  echo "Command: \`bash scripts/quickstart.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), $threads threads on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
  echo "Training wall time of both runs: ${seconds} s."
  echo
  echo "| run | config | test top-1 | test top-5 | test loss |"
  echo "|---|---|---:|---:|---:|"
  for name in "${runs[@]}"; do
    line=$("$bin" eval "$out/$name" --threads "$threads")
    top1=$(sed -E 's/.*top1 ([0-9.]+%).*/\1/' <<<"$line")
    top5=$(sed -E 's/.*top5 ([0-9.]+%).*/\1/' <<<"$line")
    loss=$(sed -E 's/.*loss ([0-9.]+) .*/\1/' <<<"$line")
    echo "| $name | experiments/quickstart/$name.json | $top1 | $top5 | $loss |"
  done
} > "$out/results.md"

echo
cat "$out/results.md"
echo
echo "run directories: $out/ (inspect one with: $bin inspect $out/dense_shift_3bit)"

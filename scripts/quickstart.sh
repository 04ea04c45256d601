#!/usr/bin/env bash
# The main job, set-up included: install, build, then train LeNet on Fashion-MNIST
# in full precision and as a DenseShift 3-bit network (sign_scale), and print
# both test accuracies. Runs go to OUT (default: runs/quickstart), replaced each time.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
bin="${BUILD_DIR:-build}/cli/denseshift"
out=${OUT:-runs/quickstart}
threads=${THREADS:-$(nproc)}

start=$(date +%s)
for name in full_precision dense_shift_3bit; do
  echo "== training $name (experiments/quickstart/$name.json) =="
  "$bin" train --config "experiments/quickstart/$name.json" --out "$out/$name" --threads "$threads" --force
done

echo
echo "== quickstart results ($(( $(date +%s) - start )) s of training) =="
for name in full_precision dense_shift_3bit; do
  printf '%-18s ' "$name"
  "$bin" eval "$out/$name" --threads "$threads"
done
echo "run directories: $out/ (inspect one with: $bin inspect $out/dense_shift_3bit)"

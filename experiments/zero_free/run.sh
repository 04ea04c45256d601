#!/usr/bin/env bash
# Zero-free vs Shift at equal bits, LeNet: symmetric_pot and sign_shift on both spaces at 2-4 bits,
# 3 seeds, compared seed by seed. ~0.9 CPU-hours per sweep (--dry-run). Resumable; results in
# results/zero_free/. Usage: bash experiments/zero_free/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for quantizer in symmetric_pot sign_shift; do
  bash experiments/common/sweep.sh "experiments/zero_free/lenet_$quantizer.sweep.json" \
    --paired model.quant.space --axis model.quant.bits
done

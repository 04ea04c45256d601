#!/usr/bin/env bash
# Init × epochs, LeNet sign_scale at 2 and 3 bits: Kaiming vs low-variance init, 5 / 10 / 20 epochs,
# 3 seeds. ~1.2 CPU-hours per sweep (--dry-run). Resumable; results in results/init_epochs/.
# Usage: bash experiments/init_epochs/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
for bits in 2 3; do
  bash experiments/common/sweep.sh "experiments/init_epochs/lenet_${bits}bit.sweep.json" \
    --paired model.quant.init --axis train.epochs
done

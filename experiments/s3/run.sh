#!/usr/bin/env bash
# S3's own claims, LeNet at 2 and 3 bits, 3 seeds: init insensitivity (Kaiming, low-variance, N(0, 1))
# and the dense-weight regularizer (alpha 0, 1e-5, 1e-4). ~1 CPU-hour per sweep (--dry-run).
# Resumable; results in results/s3/. Usage: bash experiments/s3/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/s3/lenet_init.sweep.json --axis model.quant.bits
bash experiments/common/sweep.sh experiments/s3/lenet_regularizer.sweep.json \
  --paired model.quant.s3_regularizer_alpha --axis model.quant.s3_regularizer_alpha

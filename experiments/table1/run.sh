#!/usr/bin/env bash
# Table 1 analogue (DenseShift v2 Tables 1/2), LeNet: full precision, DenseShift and S3 at 2-4 bits,
# 3 seeds; the quantizer baselines' rows are experiments/zero_free/'s dense_shift cells.
# ~1.1 CPU-hours (`denseshift sweep run experiments/table1/lenet.sweep.json --out X --dry-run`).
# Resumable; results in results/table1/lenet/. Usage: bash experiments/table1/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/table1/lenet.sweep.json --axis model.quant.bits

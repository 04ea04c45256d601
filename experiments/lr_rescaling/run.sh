#!/usr/bin/env bash
# Local learning-rate rescaling on vs off (DenseShift v2 Eq. 8 vs Eq. 7), LeNet sign_scale at 2 and 3
# bits, paired seeds. ~0.6 CPU-hours (--dry-run). Resumable; results in results/lr_rescaling/lenet/.
# Usage: bash experiments/lr_rescaling/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/lr_rescaling/lenet.sweep.json --paired model.quant.lr_rescaling

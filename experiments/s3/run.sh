#!/usr/bin/env bash
# S3's own claims, 3 seeds, resumable; results in results/s3/.
#   lenet     LeNet at 2 and 3 bits: init insensitivity (Kaiming, low-variance, N(0, 1)) and the
#             dense-weight regularizer (alpha 0, 1e-5, 1e-4); ~1 CPU-hour per sweep, 2 jobs x 1 thread
#   resnet20  the equal-init control of ds-vs-s3 on ResNet-20: S3 from DenseShift's low-variance
#             init, 2-4 bits; ~1.1 CPU-hours, 1 job x 2 threads
# (`denseshift sweep run experiments/s3/NAME.sweep.json --out X --dry-run` for this machine.)
# Usage: bash experiments/s3/run.sh [lenet|resnet20|all]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
case "$which" in lenet|resnet20|all) ;; *) echo "error: '$which': expected lenet, resnet20 or all" >&2; exit 2 ;; esac
if [ "$which" != resnet20 ]; then
  bash experiments/common/sweep.sh experiments/s3/lenet_init.sweep.json --axis model.quant.bits
  bash experiments/common/sweep.sh experiments/s3/lenet_regularizer.sweep.json \
    --paired model.quant.s3_regularizer_alpha --axis model.quant.s3_regularizer_alpha
fi
if [ "$which" != lenet ]; then
  SWEEP_ARGS=${SWEEP_ARGS_RESNET:---jobs 1 --threads 2} \
    bash experiments/common/sweep.sh experiments/s3/resnet20_init.sweep.json --axis model.quant.bits
fi

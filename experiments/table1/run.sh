#!/usr/bin/env bash
# Table 1 analogue (DenseShift v2 Tables 1/2): full precision, DenseShift and S3 at 2-4 bits, 3 seeds;
# the quantizer baselines' rows are experiments/zero_free/'s dense_shift cells.
#   lenet     ~1.1 CPU-hours, 2 jobs x 1 thread
#   resnet20  2.6 CPU-hours on a 2-vCPU Zen 4 EPYC (79 min at 1 job x 2 threads; ~6 on a Zen 1 of 250
#             images/s), then resnet20_quantizers (2.0 on the Zen 4, 60 min): one session's worth together
# (`denseshift sweep run experiments/table1/NAME.sweep.json --out X --dry-run` for this machine.)
# Resumable; results in results/table1/NAME/. Usage: bash experiments/table1/run.sh [lenet|resnet20|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
case "$which" in lenet|resnet20|all) ;; *) echo "error: '$which': expected lenet, resnet20 or all" >&2; exit 2 ;; esac
if [ "$which" != resnet20 ]; then
  bash experiments/common/sweep.sh experiments/table1/lenet.sweep.json --axis model.quant.bits
fi
if [ "$which" != lenet ]; then
  SWEEP_ARGS=${SWEEP_ARGS_RESNET:---jobs 1 --threads 2} \
    bash experiments/common/sweep.sh experiments/table1/resnet20.sweep.json --axis model.quant.bits
  SWEEP_ARGS=${SWEEP_ARGS_RESNET:---jobs 1 --threads 2} \
    bash experiments/common/sweep.sh experiments/table1/resnet20_quantizers.sweep.json --axis model.quant.bits
fi
/usr/bin/python3 -m analysis.table1

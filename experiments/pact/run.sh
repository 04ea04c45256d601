#!/usr/bin/env bash
# Table 7 analogue: DenseShift LeNet at 2-4 weight bits x 32/8/4-bit PACT activations (lenet), and
# ResNet-20 at 3 weight bits x 32/4-bit activations (resnet20, run at 1 job x 2 threads), 3 seeds.
# Resumable; results in results/pact/NAME/. Usage: bash experiments/pact/run.sh [lenet|resnet20|all]
# (default: all).
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
case "$which" in lenet|resnet20|all) ;; *) echo "error: '$which': expected lenet, resnet20 or all" >&2; exit 2 ;; esac
if [ "$which" != resnet20 ]; then
  bash experiments/common/sweep.sh experiments/pact/lenet.sweep.json --axis model.activation.bits
fi
if [ "$which" != lenet ]; then
  SWEEP_ARGS=${SWEEP_ARGS_RESNET:---jobs 1 --threads 2} \
    bash experiments/common/sweep.sh experiments/pact/resnet20.sweep.json --axis model.activation.bits
fi

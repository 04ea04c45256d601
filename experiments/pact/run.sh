#!/usr/bin/env bash
# Table 7 analogue: DenseShift LeNet at 2-4 weight bits x 32/8/4-bit PACT activations, 3 seeds.
# Resumable; results in results/pact/lenet/. Usage: bash experiments/pact/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/pact/lenet.sweep.json --axis model.activation.bits

#!/usr/bin/env bash
# Transfer analogue: backbones on Fashion-MNIST classes 0-4, then fine-tuning on classes 5-9 with new
# head layers initialised Kaiming vs low-variance, 3 seeds. Run from a clean RUNS_DIR default
# (runs/paper): finetune.sweep.json names the backbones by that path. Resumable; results in
# results/transfer/. Usage: bash experiments/transfer/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${RUNS_DIR:-runs/paper}" != runs/paper ]; then
  echo "error: experiments/transfer/finetune.sweep.json reads its backbones from runs/paper; leave RUNS_DIR unset" >&2
  exit 2
fi
bash experiments/common/sweep.sh experiments/transfer/backbone.sweep.json
bash experiments/common/sweep.sh experiments/transfer/finetune.sweep.json
/usr/bin/python3 -m analysis.transfer_table

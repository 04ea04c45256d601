#!/usr/bin/env bash
# The two ResNet-20 networks of the deploy check (issue 14) that no committed sweep has made yet:
# DenseShift 2-bit (sign_scale, low-variance init) and S3 3-bit (Shift space, for Theorem 1), each
# the ResNet-20 recipe of the paper sweeps (experiments/common/resnet20.json, 2 epochs, seed 0), in
# runs/deploy/. ~20 min at 2 threads on a 2-core EPYC; an interrupted run resumes.
# Usage: bash experiments/deploy/train.sh   (then bash experiments/deploy/run.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
export OPENBLAS_NUM_THREADS=1
train() {
  local out=$1; shift
  if [ -f "$out/checkpoint.pt" ] && "$bin" inspect "$out" 2>/dev/null | grep -q "status: completed"; then return; fi
  if [ -d "$out" ]; then "$bin" train --out "$out" --resume --threads 2 --quiet
  else "$bin" train --config experiments/common/resnet20.json "$@" --out "$out" --threads 2 --quiet; fi
}
train runs/deploy/resnet20_ds2 --set model.quant.bits=2 --set model.quant.parametrization=sign_scale \
  --set model.quant.space=dense_shift --set model.quant.init=low_variance
train runs/deploy/resnet20_s3_3 --set model.quant.bits=3 --set model.quant.parametrization=s3 \
  --set model.quant.space=shift --set model.quant.init=kaiming_normal

#!/usr/bin/env bash
# Export -> infer against eval on the full Fashion-MNIST test set (issue 14): each run is exported,
# its checkpoint evaluated by LibTorch (denseshift eval) and its model file run by the inference
# engine (denseshift infer); S3 models also converted by Theorem 1 (denseshift convert) and run.
# Writes results/deploy.md. The runs are existing run directories (arguments: LABEL=RUN_DIR ...);
# without arguments, the seed-0 runs of the committed sweeps and the parity study, and the two
# ResNet-20 runs of experiments/deploy/train.sh (run that first).
# Usage: bash experiments/deploy/run.sh [LABEL=RUN_DIR ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
t1=runs/paper/table1/lenet/runs
pairs=("$@")
if [ ${#pairs[@]} -eq 0 ]; then
  pairs=("LeNet DenseShift 2-bit=$t1/bits=2,init=low_variance,parametrization=sign_scale,space=dense_shift/seed0"
         "LeNet DenseShift 3-bit=$t1/bits=3,init=low_variance,parametrization=sign_scale,space=dense_shift/seed0"
         "LeNet S3 3-bit=$t1/bits=3,init=kaiming_normal,parametrization=s3,space=shift/seed0"
         "LeNet DenseShift 3-bit, 4-bit PACT activations (INT8 shift MAC)=runs/paper/pact/lenet/runs/model.activation.bits=4,model.quant.bits=3/seed0"
         "ResNet-20 DenseShift 3-bit=runs/parity/denseshift/sign_scale-seed0"
         "ResNet-20 DenseShift 2-bit=runs/deploy/resnet20_ds2"
         "ResNet-20 S3 3-bit=runs/deploy/resnet20_s3_3")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
top1() { sed -n 's/.*top1 \([0-9.]*\)%.*/\1/p' | head -1; }
rows=()
for pair in "${pairs[@]}"; do
  label=${pair%%=*}
  dir=${pair#*=}
  if [ ! -f "$dir/checkpoint.pt" ]; then
    rows+=("| $label | not run yet (no $dir) | | | | |")
    continue
  fi
  model="$work/m.dsm"
  size=$("$bin" export "$dir" --out "$model" --force | sed -n 's/.*: \([0-9]*\) bytes (.*float32: \([0-9]*\) bytes.*/\1 \/ \2/p')
  eval_top1=$("$bin" eval "$dir" | top1)
  infer_top1=$("$bin" infer "$model" --threads 2 --batch 128 | top1)
  converted="-"
  if "$bin" convert "$model" --out "$work/dense.dsm" --force >/dev/null 2>&1; then
    converted=$("$bin" infer "$work/dense.dsm" --threads 2 --batch 128 | top1)
  fi
  rows+=("| $label | \`$dir\` | $size | $eval_top1 | $infer_top1 | $converted |")
done
{
  echo "# Export -> inference engine against LibTorch's evaluation"
  echo
  echo "Made by \`bash experiments/deploy/run.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), on"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores). Full Fashion-MNIST test set"
  echo "(10,000 images). Top-1 in %: \`denseshift eval\` (LibTorch, the checkpoint), \`denseshift infer\` (the"
  echo "engine, the exported model file), and for Shift-space models the Theorem-1 conversion"
  echo "(\`denseshift convert\`, every weight a non-zero power of two) run by the engine."
  echo
  echo "| network | run | model file bytes / float32 bytes | eval top-1 | engine top-1 | converted, engine top-1 |"
  echo "|---|---|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > results/deploy.md.tmp
mv results/deploy.md.tmp results/deploy.md
echo "results/deploy.md"

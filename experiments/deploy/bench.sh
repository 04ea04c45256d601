#!/usr/bin/env bash
# Speed, size and memory of the inference engine against LibTorch (issue 14): `denseshift bench infer`
# on LeNet (DenseShift 2-bit), ResNet-20 (DenseShift 3-bit, the parity study's) and a PACT LeNet
# (4-bit activations, 3-bit weights: the INT8 shift MAC, then float32), at 1 and 2 threads. Run it on
# a quiet machine (no sweep beside it). Writes results/inference.md: each command's own output,
# then the analysis section of the previous file (from "## Where the time goes" on), kept as is.
# Usage: bash experiments/deploy/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
export OPENBLAS_NUM_THREADS=1
t1=runs/paper/table1/lenet/runs
lenet="$t1/bits=2,init=low_variance,parametrization=sign_scale,space=dense_shift/seed0"
resnet=runs/parity/denseshift/sign_scale-seed0
pact="runs/paper/pact/lenet/runs/model.activation.bits=4,model.quant.bits=3/seed0"
out=results/inference.md
blocks=$(mktemp)
trap 'rm -f "$blocks"' EXIT
bench() {
  echo "Running: denseshift bench infer $*" >&2
  { "$bin" bench infer "$@"; echo; } >> "$blocks"
}
for threads in 1 2; do
  bench "$lenet" --threads "$threads" --images 512 --rounds 3 --batch-sizes 1,8,64
  bench "$resnet" --threads "$threads" --images 256 --rounds 3 --batch-sizes 1,8,64
done
if [ -f "$pact/checkpoint.pt" ]; then
  bench "$pact" --threads 1 --images 512 --rounds 3 --batch-sizes 1,8,64
  bench "$pact" --threads 1 --images 512 --rounds 3 --batch-sizes 1,8,64 --float
fi
{
  echo "# The inference engine against LibTorch: speed, size, memory"
  echo
  echo "Made by \`bash experiments/deploy/bench.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), on"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '),"
  echo "model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')), $(nproc) cores, nothing else running). Time per image: median of interleaved"
  echo "rounds, both implementations with the same threads and the same checkpoint. Each block below is"
  echo "the command's own output. Exactness (engine = \`denseshift eval\` on the full test set):"
  echo "results/deploy.md."
  echo
  cat "$blocks"
  if [ -f "$out" ] && grep -q '^## Where the time goes' "$out"; then sed -n '/^## Where the time goes/,$p' "$out"; fi
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"

#!/usr/bin/env bash
# Why LeNet DenseShift 4-bit trails 3-bit (results/table1/lenet): how the trained layers' weight
# energy spreads over their magnitude levels, per bit width (sign_scale and S3, 3 seeds each), from the
# Table-1 LeNet runs exported as model files. Writes results/table1/levels.md. Needs the sweep's run
# folders (bash experiments/table1/run.sh lenet). Usage: bash experiments/table1/levels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
runs=${RUNS_DIR:-runs/paper}/table1/lenet/runs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
models=()
for method in sign_scale s3; do
  for bits in 2 3 4; do
    for d in "$runs"/bits=$bits,*parametrization=$method,*/seed*; do
      [ -f "$d/checkpoint.pt" ] || continue
      m="$work/$method-$bits-$(basename "$d").dsm"
      "$bin" export "$d" --out "$m" >/dev/null
      models+=("$method $bits-bit=$m")
    done
  done
done
# all 18 or nothing: runs/ is not in git, and a table of the few runs a checkout happens to hold would
# replace the committed one without saying so
if [ ${#models[@]} -ne 18 ]; then
  echo "error: found ${#models[@]} of the 18 Table-1 LeNet runs (sign_scale and s3, 2-4 bits, 3 seeds) under" \
       "$runs: run bash experiments/table1/run.sh lenet first (runs/ is not in git)" >&2
  exit 2
fi
out=results/table1/levels.md
{
  echo "# Weight energy over magnitude levels, Table-1 LeNet runs"
  echo
  echo "Binary: $("$bin" --version), on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'). For"
  echo "each run's final weights (\`denseshift export\`), per quantized layer; mean ± std over the seeds."
  echo "Each layer is followed by BatchNorm, so only how the energy spreads matters, not the scale. Read it"
  echo "beside [lenet/report.md](lenet/report.md), where 4-bit DenseShift ends below 3-bit (and at a higher"
  echo "training loss): a low participation ratio means a few weights at the widest levels carry the layer."
  echo
  /usr/bin/python3 -m analysis.weight_levels "${models[@]}" --command "bash experiments/table1/levels.sh"
} > "$work/levels.md"
mv "$work/levels.md" "$out"
echo "$out"

#!/usr/bin/env bash
# Trains the runs of the weight-freezing figures on Fashion-MNIST and renders them
# into results/freezing/ (with a README naming command, commit and date).
#   3-bit LeNet: symmetric_pot, sign_shift, sign_scale, full_precision (4 epochs each), each
#   with its own paper's init: level_uniform for the two quantizer baselines (every level of
#   the space populated), low_variance for sign_scale (DenseShift v2 Sec. 3.3), Kaiming for FP
#   2-bit sign_scale: kaiming_normal vs low_variance init (3 epochs each), the init ablation
# About 5 minutes on 2 cores. The runs are two resumable sweeps under RUNS_DIR (methods/, init/):
# run again after an interruption to continue; delete RUNS_DIR (or give a new one) to retrain.
# Usage: bash experiments/freezing/run.sh [RUNS_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
runs=${1:-runs/freezing}
out=results/freezing
python=/usr/bin/python3
mkdir -p "$out"

# Two sweeps (docs/sweep.md): the method comparison and the init ablation. Resumable: run again
# after an interruption and only what is not completed runs.
methods="$runs/methods"
init="$runs/init"
"$bin" sweep run experiments/freezing/methods.sweep.json --out "$methods"
"$bin" sweep run experiments/freezing/init.sweep.json --out "$init"
run_of() {  # SWEEP_DIR PARAMETRIZATION -> its run directory
  ls -d "$1"/runs/*parametrization="$2"/seed0
}
symmetric_pot=$(run_of "$methods" symmetric_pot)
sign_shift=$(run_of "$methods" sign_shift)
sign_scale=$(run_of "$methods" sign_scale)
full_precision=$(run_of "$methods" full_precision)
kaiming="$init/runs/init=kaiming_normal/seed0"
low_variance="$init/runs/init=low_variance/seed0"

$python -m analysis.freezing_figure "$symmetric_pot" "$sign_shift" "$sign_scale" "$full_precision" --out "$out/freezing"
$python -m analysis.optimization_space_figure --sign-shift "$sign_shift" --sign-scale "$sign_scale" \
  --out "$out/optimization_space"
$python -m analysis.trace_figure "$kaiming" "$low_variance" --out "$out/traces"
$python -m analysis.dynamics_figure "$symmetric_pot" "$sign_shift" "$sign_scale" "$full_precision" --out "$out/dynamics"
$python -m analysis.table "$symmetric_pot" "$sign_shift" "$sign_scale" "$full_precision" "$kaiming" "$low_variance" \
  --by model.quant.parametrization,model.quant.bits,model.quant.init --out "$out/table.md"

{
  echo "# Weight-freezing figures, LeNet on Fashion-MNIST"
  echo
  echo "Made by \`bash experiments/freezing/run.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), $(nproc) threads"
  echo "on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), from experiments/freezing/base.json"
  echo "through the sweeps methods.sweep.json and init.sweep.json."
  echo
  echo "- freezing.png: training loss and filter-averaged cosine similarity to the initial weights (layer conv2)"
  echo "- optimization_space.png: sign-shift quantizer map and latent histograms; sign-scale S2 phase plane with traces"
  echo "- traces.png: 2-bit sign_scale latent traces, Kaiming vs low-variance init"
  echo "- dynamics.png: WSVR and WLVR per epoch"
  echo
  echo "Accuracies of these runs:"
  echo
  cat "$out/table.md"
} > "$out/README.md"
echo "figures in $out/"

#!/usr/bin/env bash
# Trains the runs of the weight-freezing figures on Fashion-MNIST and renders them
# into results/freezing/ (with a README naming command, commit and date).
#   3-bit LeNet: symmetric_pot, sign_shift, sign_scale, full_precision (4 epochs each), each
#   with its own paper's init: level_uniform for the two quantizer baselines (every level of
#   the space populated), low_variance for sign_scale (DenseShift v2 Sec. 3.3), Kaiming for FP
#   2-bit sign_scale: kaiming_normal vs low_variance init (3 epochs each), the init ablation
# About 5 minutes on 2 cores. Usage: bash experiments/freezing/run.sh [RUNS_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
runs=${1:-runs/freezing}
out=results/freezing
config=experiments/freezing/base.json
python=/usr/bin/python3
mkdir -p "$out"

train() {  # NAME --set ...
  local name=$1; shift
  echo "== $name"
  "$bin" train --config "$config" --out "$runs/$name" --force --threads "$(nproc)" "$@" | tail -1
}
declare -A init_of=([symmetric_pot]=level_uniform [sign_shift]=level_uniform [sign_scale]=low_variance
                    [full_precision]=kaiming_normal)
for method in symmetric_pot sign_shift sign_scale full_precision; do
  train "$method" --set model.quant.parametrization=$method --set model.quant.init=${init_of[$method]}
done
for init in kaiming_normal low_variance; do
  train "2bit_$init" --set model.quant.bits=2 --set model.quant.init=$init --set train.epochs=3
done

$python -m analysis.freezing_figure "$runs"/{symmetric_pot,sign_shift,sign_scale,full_precision} --out "$out/freezing"
$python -m analysis.optimization_space_figure --sign-shift "$runs/sign_shift" --sign-scale "$runs/sign_scale" \
  --out "$out/optimization_space"
$python -m analysis.trace_figure "$runs/2bit_kaiming_normal" "$runs/2bit_low_variance" --out "$out/traces"
$python -m analysis.dynamics_figure "$runs"/{symmetric_pot,sign_shift,sign_scale,full_precision} --out "$out/dynamics"
$python -m analysis.table "$runs"/* --by model.quant.parametrization,model.quant.bits,model.quant.init \
  --out "$out/table.md"

{
  echo "# Weight-freezing figures, LeNet on Fashion-MNIST"
  echo
  echo "Made by \`bash experiments/freezing/run.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), $(nproc) threads"
  echo "on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), from experiments/freezing/base.json."
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

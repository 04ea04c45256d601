#!/usr/bin/env bash
# Issue 12, experiments 5-7 and 9: the freezing sweep run for 20 epochs with S3 added (long.sweep.json,
# ~1.8 CPU-hours) and the 2-bit init traces with 3 seeds (init3.sweep.json, ~0.1 CPU-hours), then
# their figures (seeds drawn as a mean and a min-max band): results/freezing/long/{freezing,dynamics,
# optimization_space}.png and results/freezing/init3/traces.png, listed in results/freezing/long/figures.md.
# Resumable; reports and run summaries in results/freezing/long/ and results/freezing/init3/
# (run.sh makes the one-seed figures of results/freezing/). Usage: bash experiments/freezing/run_long.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/freezing/long.sweep.json
bash experiments/common/sweep.sh experiments/freezing/init3.sweep.json --paired model.quant.init

python=/usr/bin/python3
long=${RUNS_DIR:-runs/paper}/freezing/long/runs
init3=${RUNS_DIR:-runs/paper}/freezing/init3/runs
out=results/freezing/long
$python -m analysis.freezing_figure "$long"/*/seed* --out "$out/freezing"
$python -m analysis.dynamics_figure "$long"/*/seed* --out "$out/dynamics"
$python -m analysis.optimization_space_figure --sign-shift "$(ls -d "$long"/*parametrization=sign_shift*/seed0)" \
  --sign-scale "$(ls -d "$long"/*parametrization=sign_scale*/seed0)" --out "$out/optimization_space"
$python -m analysis.trace_figure "$init3/init=kaiming_normal/seed0" "$init3/init=low_variance/seed0" \
  --out results/freezing/init3/traces
commits=$($python -c 'import json, sys; runs = json.load(open(sys.argv[1]))["runs"]
print(", ".join(sorted({r["commit"] for r in runs if "commit" in r})))' "$out/runs.json")
cat > "$out/figures.md.tmp" <<MD
# Figures of the 20-epoch freezing sweep and the 2-bit init traces

Made by \`bash experiments/freezing/run_long.sh\` on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short=12 HEAD),
from the runs of experiments/freezing/long.sweep.json and init3.sweep.json (trained at commit(s) $commits,
$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); their numbers: report.md and runs.json here and in ../init3/).
Runs differing only in their seed are drawn as their mean with a band from the lowest to the highest seed.

- [freezing.png](freezing.png): training loss and filter-averaged cosine similarity to init (conv2), 5 methods x 3 seeds
- [dynamics.png](dynamics.png): sign flips per epoch (WSVR; dashed: to or from 0) and WLVR of each method's first latent
- [optimization_space.png](optimization_space.png): the sign-shift quantizer's shift-latent histograms over 20 epochs
  and the sign-scale S2 phase plane with traces (seed 0 of each)
- [../init3/traces.png](../init3/traces.png): 2-bit sign-scale latent traces, Kaiming vs low-variance init (seed 0)
MD
mv "$out/figures.md.tmp" "$out/figures.md"

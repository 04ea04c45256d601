#!/usr/bin/env bash
# The claims re-made at LeNet's converged budget (issue 34, item 2): experiments/converged/*.sweep.json.
#   lenet             42 runs (14 cells x 3 seeds, 80 epochs): ~10.5 CPU-hours at 1 thread
#   lenet_quantizers  36 runs (12 cells x 3 seeds, DeepShift's recipe): ~9 CPU-hours
# (11 s a LeNet epoch at 1 thread on an Intel Xeon, Sapphire Rapids class; `sweep run --dry-run`
# gives this machine's figure.) A session's runs do not outlive its machine, so run each sweep in
# seed parts that fit a session, two 1-thread drivers side by side:
#   SEEDS=0 DENSESHIFT_BIN=/path/to/copy bash experiments/converged/run.sh lenet
# Results in results/converged/NAME/seeds-S/ (report.md with the training command, runs.json);
# results/claims.md reads the parts (analysis.claims merges them).
# Usage: [SEEDS=LIST] bash experiments/converged/run.sh [lenet|lenet_quantizers]
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:?usage: [SEEDS=LIST] bash experiments/converged/run.sh lenet|lenet_quantizers}
case "$which" in lenet|lenet_quantizers) ;; *) echo "error: '$which': expected lenet or lenet_quantizers" >&2; exit 2 ;; esac
export SWEEP_ARGS=${SWEEP_ARGS:---jobs 1 --threads 1}
bash experiments/common/sweep.sh "experiments/converged/$which.sweep.json"

#!/usr/bin/env bash
# The 4-bit diagnosis (issue 34, item 3): why DenseShift 4-bit trails 3-bit, LeNet at its budget.
#   lenet          18 runs (6 cells x 3 seeds, 80 epochs, histograms): ~4.5 CPU-hours at 1 thread
#                  (11 s an epoch, the budget study's LeNet runs on an Intel Xeon, Sapphire Rapids class)
#   lenet-longer   6 runs (4-bit at 160 and 320 epochs, 3 seeds): ~4.5 CPU-hours
# A session's runs do not outlive its machine (the committed summaries do), so run each in parts by
# seed that fit a session, two 1-thread drivers side by side: SEEDS=0 bash experiments/four_bit/run.sh
# lenet, then SEEDS=1,2 (experiments/common/sweep.sh: results in results/four_bit/PART/seeds-0/ ...).
# Resumable; results in results/four_bit/PART/[seeds-S/] (report.md, runs.json), then
# results/four_bit/README.md. Run from a copied binary so that a rebuild does not change a sweep
# under way: DENSESHIFT_BIN=/path/to/copy bash experiments/four_bit/run.sh lenet
# Usage: [SEEDS=LIST] bash experiments/four_bit/run.sh [lenet|lenet-longer|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
case "$which" in lenet|lenet-longer|all) ;; *) echo "error: '$which': expected lenet, lenet-longer or all" >&2; exit 2 ;; esac
export SWEEP_ARGS=${SWEEP_ARGS:---jobs 1 --threads 1}
for part in lenet lenet-longer; do
  if [ "$which" = all ] || [ "$which" = "$part" ]; then
    bash experiments/common/sweep.sh "experiments/four_bit/$part.sweep.json"
  fi
done
/usr/bin/python3 -m analysis.four_bit

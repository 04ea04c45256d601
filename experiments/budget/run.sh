#!/usr/bin/env bash
# Budget study (issue 34, step 1): full precision and DenseShift 2/3/4-bit trained for doubling
# budgets, 1 seed per step, to find where accuracy has converged.
#   lenet          1.2 CPU-hours (10/20/40/80 epochs), 1 job x 1 thread, measured by --dry-run on
#                  an Intel Xeon (Sapphire Rapids class, 2 vCPUs) at 2026-12-02
#   resnet20       2.3 CPU-hours (2/4/8 epochs), 1 job x 1 thread (the same kind of dry run)
#   resnet20-16ep  ~2.9 CPU-hours (16 epochs: 4 runs of ~42 minutes), a part of its own so that
#                  each part fits one session (a session's runs do not outlive its machine)
# Resumable; results in results/budget/NAME/ (report.md, runs.json), then results/budget/README.md. Run from a copied binary so a
# rebuild does not change a sweep under way: DENSESHIFT_BIN=/path/to/copy bash experiments/budget/run.sh lenet
# Usage: bash experiments/budget/run.sh [lenet|resnet20|resnet20-16ep|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
which=${1:-all}
case "$which" in lenet|resnet20|resnet20-16ep|all) ;; *) echo "error: '$which': expected lenet, resnet20, resnet20-16ep or all" >&2; exit 2 ;; esac
export SWEEP_ARGS=${SWEEP_ARGS:---jobs 1 --threads 1}
for part in lenet resnet20 resnet20-16ep; do
  if [ "$which" = all ] || [ "$which" = "$part" ]; then
    bash experiments/common/sweep.sh "experiments/budget/$part.sweep.json" --axis train.epochs
  fi
done
/usr/bin/python3 -m analysis.budget

#!/usr/bin/env bash
# The paper-reproduction experiments (issues 12 and 13), each a resumable sweep, then results/claims.md
# and the Table-1 analogue (results/table1/README.md), both remade from the committed run summaries. The
# kernel timing (kernels/no_zero_branch.sh) runs last, when no training is left beside it.
# Run again after an interruption: finished runs are kept. SWEEP_ARGS, RUNS_DIR, DENSESHIFT_BIN as in
# experiments/common/sweep.sh. Usage: bash experiments/claims.sh [--claims-only]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--claims-only" ]; then
  for script in table1/run.sh lr_rescaling/run.sh zero_free/run.sh init_epochs/run.sh s3/run.sh \
                freezing/run_long.sh pact/run.sh transfer/run.sh theorem1/run.sh kernels/no_zero_branch.sh; do
    bash "experiments/$script"
  done
fi
/usr/bin/python3 -m analysis.claims experiments/claims.json --out results/claims.md
/usr/bin/python3 -m analysis.table1

#!/usr/bin/env bash
# Claim no-zero-branch (DenseShift v1 Sec. 3.1, Fig. 2): the INT8 DenseShift MAC against the Shift MAC
# with its zero branch, timed in RUNS (default 10) independent `denseshift bench kernels --filter i8-dot`
# processes; analysis.zero_branch gives each ISA's mean speed-up, its 95% interval over the runs and a
# verdict (holds: interval above 1). Writes results/kernels/no_zero_branch/{README.md,ISA.json}. ~10 s a
# run; needs a quiet machine (nothing else running: a training beside it shifts the timings).
# Usage: bash experiments/kernels/no_zero_branch.sh [RUNS]
set -euo pipefail
exec bash "$(dirname "$0")/kernel_speedup.sh" i8 results/kernels/no_zero_branch "bash experiments/kernels/no_zero_branch.sh" "$@"

#!/usr/bin/env bash
# Claim no-zero-branch (DenseShift v1 Sec. 3.1, Fig. 2): the INT8 DenseShift MAC against the Shift MAC
# with its zero branch, timed in RUNS (default 10) independent `denseshift bench kernels --filter i8-dot`
# processes; analysis.zero_branch gives each ISA's mean speed-up, its 95% interval over the runs and a
# verdict (holds: interval above 1). Writes results/kernels/no_zero_branch/{README.md,ISA.json}. ~10 s a
# run; needs a quiet machine (nothing else running: a training beside it shifts the timings).
# Usage: bash experiments/kernels/no_zero_branch.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
case "$runs" in ''|*[!0-9]*) echo "error: RUNS '$runs' is not a whole number" >&2; exit 2 ;; esac
[ "$runs" -ge 3 ] || { echo "error: RUNS $runs: at least 3 runs are needed for an interval" >&2; exit 2; }
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for i in $(seq 1 "$runs"); do
  "$bin" bench kernels --filter i8-dot --json "$work/run$i.json" >/dev/null 2>"$work/bench.err" ||
    { cat "$work/bench.err" >&2; exit 1; }
  files+=("$work/run$i.json")
  echo "no_zero_branch: run $i of $runs done" >&2
done
command="bash experiments/kernels/no_zero_branch.sh"
[ "$runs" = 10 ] || command+=" $runs"
/usr/bin/python3 -m analysis.zero_branch "${files[@]}" --out results/kernels/no_zero_branch \
  --command "$command" --version "$("$bin" --version)"

#!/usr/bin/env bash
# A kernel speed claim timed with an interval over runs: RUNS (default 10) independent
# `denseshift bench kernels --filter FILTER` processes, then analysis.zero_branch --pair PAIR gives each
# ISA's mean speed-up, its 95% interval over the runs and a verdict (holds: interval above 1). ~10 s a
# run; needs a quiet machine (nothing else running: a training beside it shifts the timings).
# Called by no_zero_branch.sh (pair i8) and fp16_speedup.sh (pair f16), which name their claim.
# Usage: bash experiments/kernels/kernel_speedup.sh PAIR OUT COMMAND [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
pair=${1:?usage: kernel_speedup.sh PAIR OUT COMMAND [RUNS]}
out=${2:?usage: kernel_speedup.sh PAIR OUT COMMAND [RUNS]}
command=${3:?usage: kernel_speedup.sh PAIR OUT COMMAND [RUNS]}
runs=${4:-10}
case "$pair" in i8) filter=i8-dot ;; f16) filter=f16-dot ;; *) echo "error: pair '$pair': expected i8 or f16" >&2; exit 2 ;; esac
case "$runs" in ''|*[!0-9]*) echo "error: RUNS '$runs' is not a whole number" >&2; exit 2 ;; esac
[ "$runs" -ge 3 ] || { echo "error: RUNS $runs: at least 3 runs are needed for an interval" >&2; exit 2; }
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=()
for i in $(seq 1 "$runs"); do
  # --cold-mib 16: the dot rows use no cold set; a small one spares allocating 4x the last-level cache a run.
  "$bin" bench kernels --filter "$filter" --cold-mib 16 --json "$work/run$i.json" >/dev/null 2>"$work/bench.err" ||
    { cat "$work/bench.err" >&2; exit 1; }
  files+=("$work/run$i.json")
  echo "$(basename "$out"): run $i of $runs done" >&2
done
[ "$runs" = 10 ] || command+=" $runs"
/usr/bin/python3 -m analysis.zero_branch --pair "$pair" "${files[@]}" --out "$out" \
  --command "$command" --version "$("$bin" --version)"

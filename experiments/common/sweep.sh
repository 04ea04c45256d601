#!/usr/bin/env bash
# Runs one paper-reproduction sweep (resumable: run again after an interruption and only what is
# not completed runs) and writes its report and run summary into results/.
# Usage: bash experiments/common/sweep.sh SPEC [analysis.sweep_report flags ...]
#   SPEC         experiments/EXPERIMENT/NAME.sweep.json
#   runs         $RUNS_DIR/EXPERIMENT/NAME (RUNS_DIR default: runs/paper)
#   results      results/EXPERIMENT/NAME/: report.md (tables, intervals, provenance), runs.json (every
#                run's per-epoch test_top1, test_loss, train_loss: what results/claims.md is made from)
#   SWEEP_ARGS   flags for `denseshift sweep run` (default: --jobs 2 --threads 1, the fastest way
#                through LeNet sweeps on 2 cores; give "--jobs 1 --threads 2" for ResNet-20)
#   DENSESHIFT_BIN  a denseshift binary to use (default: build it with scripts/build.sh)
#   SEEDS        run only these seeds of the spec (`sweep run --seeds`, e.g. 0 or 1,2): a part that fits
#                a session, with runs in $RUNS_DIR/EXPERIMENT/NAME/seeds-0 (seeds-1-2 for 1,2) and results
#                in results/EXPERIMENT/NAME/seeds-0/; the analyses merge the parts' runs.json
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=${1:?usage: experiments/common/sweep.sh SPEC [report flags]}
shift
case "$spec" in
  experiments/*/*.sweep.json) ;;
  *) echo "error: '$spec': expected experiments/EXPERIMENT/NAME.sweep.json" >&2; exit 2 ;;
esac
[ -f "$spec" ] || { echo "error: '$spec': no such sweep spec" >&2; exit 2; }
experiment=$(basename "$(dirname "$spec")")
name=$(basename "$spec" .sweep.json)
if [ -z "${DENSESHIFT_BIN:-}" ]; then
  TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
  DENSESHIFT_BIN=${BUILD_DIR:-build}/cli/denseshift
fi
runs="${RUNS_DIR:-runs/paper}/$experiment/$name"
results="results/$experiment/$name"
read -r -a sweep_args <<< "${SWEEP_ARGS:---jobs 2 --threads 1}"
if [ -n "${SEEDS:-}" ]; then
  case "$SEEDS" in *[!0-9,]*|,*|*,|*,,*) echo "error: SEEDS '$SEEDS': expected seeds separated by commas, e.g. 0 or 1,2" >&2; exit 2 ;; esac
  runs+="/seeds-${SEEDS//,/-}"
  results+="/seeds-${SEEDS//,/-}"
  sweep_args+=(--seeds "$SEEDS")
fi
export OPENBLAS_NUM_THREADS=1
"$DENSESHIFT_BIN" sweep run "$spec" --out "$runs" "${sweep_args[@]}"
# The report names the command that trained the runs, with the binary's version (commit, -dirty).
trained_by="$("$DENSESHIFT_BIN" --version | head -1): denseshift sweep run $spec --out $runs ${sweep_args[*]}"
/usr/bin/python3 -m analysis.sweep_report "$runs" --metric test_top1,train_loss --out "$results" \
  --trained-by "$trained_by" "$@"

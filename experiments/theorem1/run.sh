#!/usr/bin/env bash
# Theorem 1 of DenseShift on trained networks (issue 12, claim theorem-1): every Shift-space run of the
# sweeps found under RUNS_DIR (S3 of table1/ and s3/, the quantizers' Shift cells of zero_free/, 3 seeds
# each) and the ResNet-20 S3 run of experiments/deploy/train.sh (where it exists) is exported,
# converted to a zero-free network (denseshift convert) and both are run by the inference engine on
# the full Fashion-MNIST test set (denseshift infer --compare). analysis.theorem1 adds these rows to the
# committed ones (results/theorem1/runs.json: runs/ is not in git, so a checkout holds only what it
# trained itself; a run measured again replaces its row) and writes results/theorem1/README.md (a row per
# run) and check.json (the verdict that results/claims.md shows): "holds" when every conversion gives the
# same prediction on every image and logits within TOLERANCE (1e-5) of the largest |logit|.
# ~10 CPU-seconds for a LeNet, ~1-2 CPU-minutes for a ResNet-20.
#   --replace   drop the committed rows of runs not found here
# Usage: bash experiments/theorem1/run.sh [--replace]
set -euo pipefail
cd "$(dirname "$0")/../.."
replace=()
case "${1:-}" in
  "") ;;
  --replace) replace=(--replace) ;;
  *) echo "error: '$1': the only flag is --replace" >&2; exit 2 ;;
esac
bin=${DENSESHIFT_BIN:-build/cli/denseshift}
[ -n "${DENSESHIFT_BIN:-}" ] || TARGETS=denseshift_cli bash scripts/build.sh >/dev/null
runs_dir=${RUNS_DIR:-runs/paper}
tolerance=1e-5
out=results/theorem1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=()
for d in "$runs_dir"/table1/*/runs/*space=shift/seed* "$runs_dir"/zero_free/*/runs/*space=shift/seed* \
         "$runs_dir"/s3/*/runs/*/seed* runs/deploy/resnet20_s3_3; do
  # s3/ names its runs by the swept keys only: its configs say which space they trained on.
  [ -f "$d/checkpoint.pt" ] && grep -q '"space": "shift"' "$d/config.json" && runs+=("$d")
done
if [ ${#runs[@]} -eq 0 ]; then
  echo "error: no Shift-space runs under $runs_dir (run experiments/table1 and experiments/zero_free first)" >&2
  exit 2
fi
rows=()
for d in "${runs[@]}"; do
  "$bin" export "$d" --out "$work/shift.dsm" --force >/dev/null
  converted=$("$bin" convert "$work/shift.dsm" --out "$work/dense.dsm" --force)
  zeros=$(sed -n 's/.* \([0-9]*\) zero weights split.*/\1/p' <<< "$converted")
  weights=$(sed -n 's/.*split, \([0-9]*\) -> \([0-9]*\) weights.*/\1 -> \2/p' <<< "$converted")
  compared=$("$bin" infer "$work/shift.dsm" --compare "$work/dense.dsm" --batch 128 --threads 1)
  top1=$(sed -n '1s/.*top1 \([0-9.]*\)%.*/\1/p' <<< "$compared")
  line=$(sed -n 's/^compared with [^:]*: //p' <<< "$compared")
  top1_dense=$(sed -n 's/^top1 \([0-9.]*\)%.*/\1/p' <<< "$line")
  agree=$(sed -n 's/.*, \([0-9]*\) of \([0-9]*\) predictions agree.*/\1 \2/p' <<< "$line")
  difference=$(sed -n 's/.*largest |logit difference| \([^ ]*\) (largest |logit| \([^)]*\)).*/\1 \2/p' <<< "$line")
  rows+=("${d#"$runs_dir"/}|$zeros|$weights|$top1|$top1_dense|$agree|$difference")
  echo "${d#"$runs_dir"/}: $line" >&2
done
/usr/bin/python3 -m analysis.theorem1 --out "$out" --tolerance "$tolerance" --version "$("$bin" --version)" \
  "${replace[@]}" "${rows[@]}"

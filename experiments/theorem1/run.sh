#!/usr/bin/env bash
# Theorem 1 of DenseShift on trained networks (issue 12, claim theorem-1): every Shift-space run of the
# committed sweeps (S3 of results/table1/, the quantizers' Shift cells of results/zero_free/, 3 seeds
# each) and the ResNet-20 S3 run of experiments/deploy/train.sh (where it exists) is exported,
# converted to a zero-free network (denseshift convert) and both are run by
# the inference engine on the full Fashion-MNIST test set (denseshift infer --compare). Writes
# results/theorem1/README.md (a row per run) and results/theorem1/check.json (the verdict that
# results/claims.md shows): "holds" when every conversion gives the same prediction on every image and
# logits within TOLERANCE (1e-5) of the largest |logit|. ~5 CPU-minutes for the LeNets, ~2 for each
# ResNet-20; needs the sweeps' run folders.
# Refuses (exit 2, nothing written) when it finds fewer runs than the committed check.json covers: runs/
# is not in git, so a fresh checkout holds only what it trained itself; --allow-fewer replaces the
# committed results with what is here.
# Usage: bash experiments/theorem1/run.sh [--allow-fewer]
set -euo pipefail
cd "$(dirname "$0")/../.."
allow_fewer=0
case "${1:-}" in
  "") ;;
  --allow-fewer) allow_fewer=1 ;;
  *) echo "error: '$1': the only flag is --allow-fewer" >&2; exit 2 ;;
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
         runs/deploy/resnet20_s3_3; do
  [ -f "$d/checkpoint.pt" ] && runs+=("$d")
done
if [ ${#runs[@]} -eq 0 ]; then
  echo "error: no Shift-space runs under $runs_dir (run experiments/table1 and experiments/zero_free first)" >&2
  exit 2
fi
committed=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("runs", 0))' \
            "$out/check.json" 2>/dev/null || echo 0)
if [ "$allow_fewer" = 0 ] && [ "${#runs[@]}" -lt "$committed" ]; then
  echo "error: found ${#runs[@]} Shift-space run(s) under $runs_dir and runs/deploy, but $out/check.json covers" \
       "$committed: run experiments/table1 and experiments/zero_free here first (runs/ is not in git), or give" \
       "--allow-fewer to replace it" >&2
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
/usr/bin/python3 - "$out" "$tolerance" "$("$bin" --version)" "${rows[@]}" <<'PY'
import datetime, json, pathlib, sys
sys.path.insert(0, ".")
from analysis.files import write_whole
out, tolerance, version, rows = pathlib.Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
table, worst, all_agree, counts = [], 0.0, True, set()
for row in rows:
    run, zeros, weights, top1, top1_dense, agree, difference = row.split("|")
    same, images = map(int, agree.split())
    diff, largest = map(float, difference.split())
    relative = diff / largest if largest > 0 else 0.0
    worst, all_agree = max(worst, relative), all_agree and same == images
    counts.add(images)
    table.append(f"| `{run}` | {zeros} | {weights} | {top1} | {top1_dense} | {same} / {images} | {diff:.3g} "
                 f"| {relative:.2g} |")
verdict = "holds" if all_agree and worst <= tolerance else "does not hold"
resnets = sum("resnet20" in row.split("|")[0] for row in rows)
def count(n, name):
    return f"{n} {name}" + ("s" if n != 1 else "")
networks = count(len(rows) - resnets, "LeNet") + (f" and {count(resnets, 'ResNet-20')}" if resnets else "")
images = "/".join(f"{n:,}" for n in sorted(counts))
summary = (f"{networks} trained on the Shift space (S3, symmetric_pot and sign_shift at 2-4 bits; the sweeps' "
           f"3 seeds) converted to zero-free networks: {'every' if all_agree else 'not every'} prediction of the "
           f"{images} test images agrees; largest logit difference {worst:.2g} of the largest |logit| "
           f"(tolerance {tolerance:g})")
made = (f"Made by `bash experiments/theorem1/run.sh` ({version}, {datetime.date.today().isoformat()}, on {cpu}); "
        "runs from the committed sweeps (their report.md gives how they were trained).")
text = "\n".join([
    "# Theorem 1 on trained networks: Shift network -> equal zero-free network", "", made, "",
    "Each run's checkpoint is exported (`denseshift export`), converted (`denseshift convert --to dense-shift`: every",
    "weight a non-zero power of two, each converted layer reading its input twice) and both model files are run",
    "by the inference engine on the full Fashion-MNIST test set (`denseshift infer SHIFT --compare DENSE`).", "",
    f"**Verdict: {verdict}.** {summary}.", "",
    "| run | zero weights split | weights before -> after | Shift top-1 | zero-free top-1 | same prediction "
    "| largest \\|logit difference\\| | of largest \\|logit\\| |",
    "|---|---:|---|---:|---:|---:|---:|---:|", *table, ""])
write_whole(out / "README.md", text)
check = {"format": "denseshift-check", "format_version": 1, "verdict": verdict, "summary": summary,
         "made": made, "runs": len(rows), "largest_relative_difference": worst, "tolerance": tolerance}
write_whole(out / "check.json", json.dumps(check, indent=1) + "\n")
print(out / "README.md")
PY

#!/usr/bin/env bash
# Training-step time of sign_scale and s3 against full precision in real training (issue 15,
# target 2: sign_scale <= 1.05x, s3 <= 1.10x full precision), from the trainer's own figures: the
# parity recipe (ResNet-20 on Fashion-MNIST, batch 128; experiments/parity/), one epoch of the
# first STEPS x 128 training images (default 60) and 128 test images, the three methods
# interleaved, ROUNDS rounds (default 3), THREADS threads (default: all cores). Each round's
# ratio is that round's train time over full precision's in the same round (paired); the table
# gives every round and the median. Run it with nothing else running (about 6 minutes on a
# 2-core machine that trains ResNet-20 at ~250 images/s). Writes results/step-ratio.md; the runs
# go to a temporary folder that is removed afterwards.
# Usage: bash experiments/perf/step_ratio.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
threads=${THREADS:-$(nproc)}
steps=${STEPS:-60}
rounds=${ROUNDS:-3}
export OPENBLAS_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# s3 as its paper trains it: the Shift space, Kaiming init (experiments/s3/).
declare -A sets=(
  [full_precision]="--config experiments/parity/full_precision.json"
  [sign_scale]="--config experiments/parity/sign_scale_3bit.json"
  [s3]="--config experiments/parity/sign_scale_3bit.json --set model.quant.parametrization=s3
        --set model.quant.space=shift --set model.quant.init=kaiming_normal"
)
for r in $(seq 1 "$rounds"); do
  for method in full_precision sign_scale s3; do
    echo "== round $r $method" >&2
    # shellcheck disable=SC2086  # the sets are word lists
    "$bin" train ${sets[$method]} --set train.epochs=1 --set data.train_subset=$(( steps * 128 )) \
      --set data.test_subset=128 --threads "$threads" --out "$work/$method-$r" >/dev/null
  done
done
/usr/bin/python3 - "$work" "$steps" "$rounds" "$threads" "$("$bin" --version)" "$(git rev-parse --short HEAD)" \
  <<'PY' > "$work/step-ratio.md"
import datetime, statistics, sys
sys.path.insert(0, ".")
from analysis.runfile import Run
work, steps, rounds, threads, version, commit = sys.argv[1:]
steps, rounds = int(steps), int(rounds)
images = steps * 128
methods = ("full_precision", "sign_scale", "s3")
train, cpu = {}, "?"
for m in methods:
    for r in range(1, rounds + 1):
        run = Run(f"{work}/{m}-{r}")
        train[(m, r)] = images / float(run.read("epochs/images_per_s")[0])
        cpu = run.environment.get("cpu", cpu)
print("# Training-step time in real training: sign_scale and s3 against full precision")
print()
print(f"Made by `bash experiments/perf/step_ratio.sh` ({version}, commit {commit}, "
      f"{datetime.date.today().isoformat()}, {threads} threads, {cpu}, nothing else running).")
print(f"ResNet-20 on Fashion-MNIST, the parity recipe, one epoch of the first {images} training images ({steps} "
      f"steps of 128); the methods interleaved, {rounds} rounds. Train time from the trainer's own run file "
      "(`images_per_s`); x full precision: this method's train time over full precision's in the same round. "
      "Targets (issue 15): sign_scale at most 1.05x, s3 at most 1.10x.")
print()
print("| method | weight space | train s (each round) | x full precision (each round) | x full precision (median) |")
print("|---|---|---|---|---:|")
space = {"full_precision": "-", "sign_scale": "DenseShift 3-bit, low-variance init", "s3": "Shift 3-bit, Kaiming init"}
for m in methods:
    t = [train[(m, r)] for r in range(1, rounds + 1)]
    x = [train[(m, r)] / train[("full_precision", r)] for r in range(1, rounds + 1)]
    print(f"| {m} | {space[m]} | {', '.join(f'{v:.1f}' for v in t)} | {', '.join(f'{v:.3f}' for v in x)} | "
          f"{statistics.median(x):.3f} |")
PY
python=/usr/bin/python3
"$python" -c "import sys; from analysis.files import write_whole; write_whole(sys.argv[2], open(sys.argv[1]).read())" \
  "$work/step-ratio.md" results/step-ratio.md
cat results/step-ratio.md

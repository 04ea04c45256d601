#!/usr/bin/env bash
# Epoch time of the parity recipe, measured on a quiet machine: both implementations (the toolkit
# also with train.channels_last), full precision and DenseShift 3-bit, back to back and
# interleaved, ROUNDS times (default 2).
# Each measurement trains one epoch on the first STEPS x 128 training images (default 100
# steps) and evaluates the whole test split in batches of 128; run.sh's accuracy runs do not
# need a quiet machine, these do (nothing else may run meanwhile). About 14 minutes on a 2-core
# machine that trains ResNet-20 at ~240 images/s. The results go to results/parity/raw/timing/
# (replacing an earlier measurement), then summarize.py adds the table.
# Usage: bash experiments/parity/timing.sh [RUNS_DIR]   (default runs/parity)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
runs=${1:-runs/parity}
threads=${THREADS:-$(nproc)}
images=$(( ${STEPS:-100} * 128 ))
python=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1
out="$runs/timing"
# $out and $out.tmp are replaced only if this script made them (marker file): never a user's folder.
for d in "$out" "$out.tmp"; do
  if [ -e "$d" ] && [ ! -f "$d/.parity-timing" ]; then
    echo "timing.sh: '$d' exists and was not made by this script; give another RUNS_DIR" >&2
    exit 2
  fi
done
rm -rf "$out.tmp"
mkdir -p "$out.tmp/reference" "$out.tmp/denseshift"
touch "$out.tmp/.parity-timing"

declare -A config_of=([full_precision]=full_precision [sign_scale]=sign_scale_3bit)
for round in $(seq 1 "${ROUNDS:-2}"); do
  for method in full_precision sign_scale; do
    name="$method-round$round"
    echo "== timing reference $name"
    $python experiments/parity/reference.py --method "$method" --bits 3 --seed 0 --epochs 1 \
      --train-subset "$images" --threads "$threads" --eval-batch-size 128 --out "$out.tmp/reference/$name.json"
    echo "== timing denseshift $name"
    "$bin" train --config "experiments/parity/${config_of[$method]}.json" --set train.epochs=1 \
      --set data.train_subset="$images" --threads "$threads" --out "$out.tmp/denseshift/$name" | tail -1
    echo "== timing denseshift, channels-last convolutions, $name"
    "$bin" train --config "experiments/parity/${config_of[$method]}.json" --set train.epochs=1 \
      --set data.train_subset="$images" --set train.channels_last=true --threads "$threads" \
      --out "$out.tmp/denseshift/$method-channels_last-round$round" | tail -1
  done
done
rm -rf "$out"
mv "$out.tmp" "$out"
# Into the committed raw results: the reference's JSONs, the toolkit's run.h5 and config.json.
raw=results/parity/raw/timing
rm -rf "$raw.tmp"
mkdir -p "$raw.tmp/reference" "$raw.tmp/denseshift"
cp "$out"/reference/*.json "$raw.tmp/reference/"
for d in "$out"/denseshift/*/; do
  mkdir -p "$raw.tmp/denseshift/$(basename "$d")"
  cp "$d/run.h5" "$d/config.json" "$raw.tmp/denseshift/$(basename "$d")/"
done
rm -rf "$raw"
mv "$raw.tmp" "$raw"
$python experiments/parity/summarize.py results/parity/raw --out results/parity/README.md \
  --epoch-time-out results/epoch-time.md

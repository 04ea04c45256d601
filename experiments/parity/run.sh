#!/usr/bin/env bash
# The parity study: ResNet-20 on Fashion-MNIST, 2 epochs, full precision and DenseShift
# 3-bit, 3 seeds each, trained by the plain PyTorch reference (reference.py) and by
# `denseshift train` (full_precision.json, sign_scale_3bit.json) with the same recipe,
# one run at a time on all cores; then summarize.py writes results/parity/README.md.
# Resumable across sessions and machines: each finished run is copied into
# results/parity/raw/ (the reference's JSON; the toolkit's run.h5 and config.json, not its
# checkpoint), which is committed; a run found there is skipped. An unfinished `denseshift`
# run in RUNS_DIR is resumed from its checkpoint (an unfinished reference run restarts).
# About 2 hours on a 2-core machine that trains ResNet-20 at ~240 images/s; ~35 min where it
# trains at ~900. Epoch times come from timing.sh (on a quiet machine), not from these runs.
# Usage: bash experiments/parity/run.sh [RUNS_DIR]   (default runs/parity)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
runs=${1:-runs/parity}
raw=results/parity/raw
threads=${THREADS:-$(nproc)}
seeds=${SEEDS:-"0 1 2"}
python=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1
mkdir -p "$runs/reference" "$runs/denseshift" "$raw/reference" "$raw/denseshift"

status_of() {  # RUN_DIR -> the run file's status, or "absent"
  $python - "$1/run.h5" <<'PY'
import sys, h5py, os
p = sys.argv[1]
if not os.path.exists(p):
    print("absent")
else:
    with h5py.File(p, "r") as f:
        s = f.attrs.get("status", b"unknown")
        print(s.decode() if isinstance(s, bytes) else s)
PY
}

declare -A config_of=([full_precision]=full_precision [sign_scale]=sign_scale_3bit)
for seed in $seeds; do
  for method in full_precision sign_scale; do
    name="$method-seed$seed"
    if [ -f "$raw/reference/$name.json" ]; then
      echo "== reference $name: done"
    else
      result="$runs/reference/$name.json"
      if [ ! -f "$result" ]; then
        echo "== reference $name"
        $python experiments/parity/reference.py --method "$method" --bits 3 --seed "$seed" --epochs 2 \
          --threads "$threads" --eval-batch-size 128 --out "$result"
      fi
      cp "$result" "$raw/reference/$name.json"
    fi
    if [ -f "$raw/denseshift/$name/run.h5" ]; then
      echo "== denseshift $name: done"
      continue
    fi
    dir="$runs/denseshift/$name"
    status=$(status_of "$dir")
    case "$status" in
      completed) ;;
      absent) echo "== denseshift $name"
              "$bin" train --config "experiments/parity/${config_of[$method]}.json" --seed "$seed" \
                --threads "$threads" --out "$dir" | tail -3 ;;
      *) echo "== denseshift $name: resuming ($status)"
         "$bin" train --out "$dir" --resume | tail -3 ;;
    esac
    mkdir -p "$raw/denseshift/$name.tmp"
    cp "$dir/run.h5" "$dir/config.json" "$raw/denseshift/$name.tmp/"
    mv "$raw/denseshift/$name.tmp" "$raw/denseshift/$name"
  done
done

$python experiments/parity/summarize.py "$raw" --out results/parity/README.md

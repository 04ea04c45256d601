#!/usr/bin/env bash
# Training and evaluation time of ResNet-20 on Fashion-MNIST with train.channels_last off and on,
# measured by the trainer itself (`denseshift train`, its run file's epoch_time_s and
# images_per_s): the parity configs (full precision, DenseShift 3-bit), one epoch of the first
# STEPS x 128 training images (default 40) plus the 10,000 test images, ROUNDS rounds (default 2)
# interleaved, THREADS threads (default: all cores). Run it with nothing else running (about 6
# minutes on a 2-core machine that trains ResNet-20 at ~250 images/s). Writes
# results/channels-last.md (the PyTorch side: pytorch_layouts.py → results/pytorch-layouts.md); the
# runs go to a temporary folder that is removed afterwards.
# Usage: bash experiments/perf/channels_last.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
threads=${THREADS:-$(nproc)}
steps=${STEPS:-40}
rounds=${ROUNDS:-2}
export OPENBLAS_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for r in $(seq 1 "$rounds"); do
  for config in full_precision sign_scale_3bit; do
    for cl in false true; do
      echo "== round $r $config channels_last=$cl" >&2
      "$bin" train --config "experiments/parity/$config.json" --set train.epochs=1 \
        --set data.train_subset=$(( steps * 128 )) --set train.channels_last=$cl --threads "$threads" \
        --out "$work/$config-$cl-$r" >/dev/null
    done
  done
done
/usr/bin/python3 - "$work" "$steps" "$rounds" "$threads" "$("$bin" --version)" "$(git rev-parse --short HEAD)" <<'PY' > "$work/channels-last.md"
import datetime, json, statistics, sys
import h5py
work, steps, rounds, threads, version, commit = sys.argv[1:]
steps, rounds = int(steps), int(rounds)
images = steps * 128
cpu = "?"
rows = {}
for config in ("full_precision", "sign_scale_3bit"):
    for cl in ("false", "true"):
        train, evals, top1 = [], [], set()
        for r in range(1, rounds + 1):
            with h5py.File(f"{work}/{config}-{cl}-{r}/run.h5", "r") as f:
                e = f["epochs"]
                t = float(e["epoch_time_s"][0]); ips = float(e["images_per_s"][0])
                train.append(images / ips); evals.append(t - images / ips); top1.add(round(float(e["test_top1"][0]), 6))
                env = f.attrs.get("environment", b"{}")
                env = json.loads(env.decode() if isinstance(env, bytes) else env)
                cpu = env.get("cpu", cpu)
        rows[(config, cl)] = (train, evals, top1)
print("# Channels-last convolutions: training and evaluation time")
print()
print(f"Made by `bash experiments/perf/channels_last.sh` ({version}, commit {commit}, "
      f"{datetime.date.today().isoformat()}, {threads} threads, {cpu}, nothing else running).")
print(f"ResNet-20 on Fashion-MNIST, the parity configs (experiments/parity/), one epoch of the first {images} "
      f"training images ({steps} steps of 128) then the 10,000 test images at batch 128; {rounds} rounds, "
      "the four settings interleaved. Times from the trainer's own run file (`images_per_s`, `epoch_time_s`).")
print()
print("| config | channels_last | train s (each round) | train images/s (median) | eval s (median) | test top-1 after the epoch |")
print("|---|---|---|---:|---:|---|")
for (config, cl), (train, evals, top1) in rows.items():
    print(f"| {config} | {cl} | {', '.join(f'{t:.1f}' for t in train)} | {images / statistics.median(train):.0f} | "
          f"{statistics.median(evals):.1f} | {', '.join(f'{100 * a:.2f}' for a in sorted(top1))} |")
print()
for config in ("full_precision", "sign_scale_3bit"):
    a, b = rows[(config, "false")], rows[(config, "true")]
    print(f"- {config}: channels-last trains {statistics.median(a[0]) / statistics.median(b[0]):.2f}x as fast, "
          f"evaluates {statistics.median(a[1]) / statistics.median(b[1]):.2f}x as fast.")
print()
print("Each setting gives the same accuracy in every round (the runs are deterministic), but the two settings "
      "differ after the epoch: the layouts round differently and training drifts apart as with another seed. "
      "`train.channels_last` stays off by default until a parity check over seeds (as results/parity/) shows "
      "that final accuracy does not change.")
PY
mv "$work/channels-last.md" results/channels-last.md  # whole or not at all
cat results/channels-last.md

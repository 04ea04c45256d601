#!/usr/bin/env bash
# Measures the sweep machinery and writes results/sweep-bench.md:
#  1. the local backend's overhead: sweeps of tiny (~1 s) and short (~10 s) synthetic LeNet runs,
#     one job at a time; total wall time of `sweep run` against the sum of its runs' own times
#     (each task's training time from tasks/INDEX.json, and each task process's wall time);
#  2. aggregation: `sweep status` and analysis.sweep_report over 1,000 run files (made by
#     scripts/make_fake_sweep.py: real run-file layout, no training).
# Run it with nothing else running (a few minutes on 2 cores). Usage: bash scripts/bench-sweep.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
bin="$PWD/${BUILD_DIR:-build}/cli/denseshift"
work=${1:-runs/bench-sweep}
python=/usr/bin/python3
# WORK_DIR is replaced only if this script made it (its marker file is there): never a user's folder.
if [ -e "$work" ]; then
  if [ ! -f "$work/.bench-sweep" ]; then
    echo "bench-sweep: '$work' exists and was not made by this script; give another WORK_DIR" >&2
    exit 2
  fi
  rm -rf "$work"
fi
mkdir -p "$work"
touch "$work/.bench-sweep"

overhead() {  # NAME SYNTHETIC_TRAIN EPOCHS RUNS
  local name=$1 images=$2 epochs=$3 n=$4
  $python - "$work/$name.json" "$images" "$epochs" "$n" <<'PY'
import json, sys
path, images, epochs, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
json.dump({"base": {"data": {"name": "synthetic", "synthetic_train": images, "synthetic_test": 256},
                    "model": {"name": "lenet"}, "train": {"epochs": epochs, "batch_size": 32}},
           "grid": {"optim.lr": [round(0.001 * (i + 1), 6) for i in range(n)]}, "seeds": 1}, open(path, "w"))
PY
  local start end
  start=$(date +%s.%N)
  "$bin" sweep run "$work/$name.json" --out "$work/$name" --jobs 1 > "$work/$name.log"
  end=$(date +%s.%N)
  $python - "$work/$name" "$start" "$end" "$work/$name.log" <<'PY'
import json, pathlib, re, sys
folder, start, end, log = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
train = sum(json.loads(p.read_text())["seconds"] for p in (folder / "tasks").glob("*.json"))
process = 0.0
for line in open(log):
    m = re.search(r"%, ([0-9.]+) (s|min) \(elapsed", line)
    if m:
        process += float(m.group(1)) * (60 if m.group(2) == "min" else 1)
total = end - start
n = len(list((folder / "tasks").glob("*.json")))
print(f"| {folder.name} | {n} | {total:.1f} | {process:.1f} | {train:.1f} | "
      f"{100 * (total - process) / process:.1f}% | {100 * (total - train) / train:.1f}% | {(process - train) / n:.2f} |")
PY
}

timed() {  # COMMAND... -> seconds it took
  local s e
  s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
  $python -c "print(f'{$e - $s:.2f}')"
}

{
  echo "# Sweep machinery: overhead and aggregation"
  echo
  echo "Made by \`bash scripts/bench-sweep.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), $(nproc) cores,"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nothing else running)."
  echo
  echo "## Local backend overhead (one job at a time, 2 threads per run)"
  echo
  echo "Sweep wall time against the sum of the task processes' wall times (pool overhead) and against"
  echo "the sum of the runs' training times (\`train_run\`, as recorded in tasks/INDEX.json: everything"
  echo "after process start, LibTorch load and dataset load)."
  echo
  echo "| sweep | runs | sweep wall s | sum of task process s | sum of training s | pool overhead | overhead vs training | start-up s per run |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  overhead tiny 512 1 16
  overhead short 16384 3 4
  echo
  echo "## Aggregation over 1,000 run files"
  echo
  $python scripts/make_fake_sweep.py "$work/thousand" --cells 100 --seeds 10 >/dev/null
  echo "- \`denseshift sweep status\` over 1,000 runs: $(timed "$bin" sweep status "$work/thousand") s"
  echo "- \`analysis.sweep_report\` (one metric) over 1,000 runs: $(timed $python -m analysis.sweep_report "$work/thousand") s"
} > "$work/report.md"
mkdir -p results
mv "$work/report.md" results/sweep-bench.md
cat results/sweep-bench.md

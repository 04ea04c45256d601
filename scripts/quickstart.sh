#!/usr/bin/env bash
# The main job, set-up included: install, build, then train LeNet on Fashion-MNIST
# in full precision and as a DenseShift 3-bit network (sign_scale), and print
# both test accuracies. The runs record their weight dynamics; the freezing figure
# and the accuracy table are rendered from the run files. Everything goes to OUT
# (default: runs/quickstart), replaced each time; OUT/results.md records the
# accuracies with their command, commit and date, and where the time went (set-up,
# build, training, figures). results/quickstart.md is a copy of it from a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."

# Only what it runs is built (the command line, not the test binaries: scripts/test.sh builds those).
total_start=$(date +%s)
bash scripts/setup.sh
build_start=$(date +%s)
TARGETS=denseshift_cli bash scripts/build.sh
build_end=$(date +%s)
bin="${BUILD_DIR:-build}/cli/denseshift"
out=${OUT:-runs/quickstart}
threads=${THREADS:-$(nproc)}
runs=(full_precision dense_shift_3bit)

start=$(date +%s)
for name in "${runs[@]}"; do
  echo "== training $name (experiments/quickstart/$name.json) =="
  "$bin" train --config "experiments/quickstart/$name.json" --out "$out/$name" --threads "$threads" --force
done
seconds=$(( $(date +%s) - start ))

table=()
for name in "${runs[@]}"; do
  line=$("$bin" eval "$out/$name" --threads "$threads")
  top1=$(sed -E 's/.*top1 ([0-9.]+%).*/\1/' <<<"$line")
  top5=$(sed -E 's/.*top5 ([0-9.]+%).*/\1/' <<<"$line")
  loss=$(sed -E 's/.*loss ([0-9.]+) .*/\1/' <<<"$line")
  table+=("| $name | experiments/quickstart/$name.json | $top1 | $top5 | $loss |")
done

python=/usr/bin/python3
"$python" -m analysis.freezing_figure "$out/full_precision" "$out/dense_shift_3bit" --out "$out/freezing" >/dev/null
"$python" -m analysis.table "$out/full_precision" "$out/dense_shift_3bit" \
  --by model.quant.parametrization,model.quant.bits --out "$out/table.md" >/dev/null
figures_end=$(date +%s)

{
  echo "# Quickstart: LeNet on Fashion-MNIST, full precision vs DenseShift 3-bit"
  echo
  echo "Command: \`bash scripts/quickstart.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d), $threads threads on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
  echo "Training wall time of both runs: ${seconds} s."
  echo "Time (wall): set-up $(( build_start - total_start )) s, build of the command line $(( build_end - build_start )) s" \
       "($(nproc) cores), training ${seconds} s, evaluation, table and figures $(( figures_end - start - seconds )) s;" \
       "$(( figures_end - total_start )) s in all."
  echo
  echo "| run | config | test top-1 | test top-5 | test loss |"
  echo "|---|---|---:|---:|---:|"
  printf '%s\n' "${table[@]}"
} > "$out/results.md"
echo
cat "$out/results.md"
echo
echo "run directories: $out/full_precision, $out/dense_shift_3bit (try: $bin inspect $out/dense_shift_3bit)"
echo "quickstart: $(( figures_end - total_start )) s in all (set-up, build, training, figures)"
echo "freezing figure: $out/freezing.png (and .pdf); accuracy table: $out/table.md"

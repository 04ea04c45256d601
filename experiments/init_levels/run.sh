#!/usr/bin/env bash
# Which weight levels the quantizer baselines start with: LeNet's conv2 (2400 weights) right
# after init, for symmetric_pot and sign_shift on both weight spaces at 2-5 bits, with the
# init the toolkit used before issue 10 (kaiming_normal latents at exponent offset 0) and the
# one their configs use now (level_uniform: every level equally likely). Each run trains one
# epoch at learning rate 0 on 128 images, so its checkpoint holds the initial weights, and
# `denseshift inspect` counts them. About a minute. Writes results/init-levels.md.
# Usage: bash experiments/init_levels/run.sh [RUNS_DIR]   (default runs/init_levels)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build.sh >/dev/null
bin="${BUILD_DIR:-build}/cli/denseshift"
runs=${1:-runs/init_levels}
out=results/init-levels.md
{
  echo "# Weight levels of the quantizer baselines at init"
  echo
  echo "Made by \`bash experiments/init_levels/run.sh\` ($("$bin" --version), $(date -u +%Y-%m-%d))."
  echo "LeNet conv2 (2400 weights), seed 0; counts per weight value of the layer right after init."
  echo "\`kaiming_normal\` is what these baselines started from before issue 10 (exponent offset 0);"
  echo "\`level_uniform\` is their init now (experiments/freezing/run.sh, docs/parametrizations.md)."
  echo
  echo "| parametrization | space | bits | init | levels used / of | conv2 weight values: count |"
  echo "|---|---|---:|---|---:|---|"
  for p in symmetric_pot sign_shift; do
    for space in dense_shift shift; do
      for bits in 2 3 4 5; do
        [ "$space" = dense_shift ] && levels=$(( 2 ** bits )) || levels=$(( 2 ** bits - 1 ))
        for init in kaiming_normal level_uniform; do
          dir="$runs/$p-$space-$bits-$init"
          # Since issue 27 the trainer refuses a start whose quantized layer holds one value only (all
          # zero: sign_shift on the shift space from Kaiming latents); that refusal is the row then.
          if ! refusal=$("$bin" train --config experiments/quickstart/full_precision.json --out "$dir" --force --quiet \
            --threads 1 \
            --set model.quant.parametrization=$p --set model.quant.space=$space --set model.quant.bits=$bits \
            --set model.quant.init=$init --set optim.lr=0 --set train.epochs=1 --set data.train_subset=128 \
            --set data.test_subset=128 --set record.freezing=false --set record.histograms=false \
            --set record.dynamics=false --set record.traces=false 2>&1 >/dev/null); then
            grep -q "starts with every one of its" <<<"$refusal" || { echo "$refusal" >&2; exit 1; }
            echo "| $p | $space | $bits | $init | 1 / $levels | refused by the trainer: $(sed -E 's/.*(starts with every one of its [0-9]+ weights [a-z0-9. ]+).*/\1/' <<<"$refusal" | head -1) |"
            continue
          fi
          values=$("$bin" inspect "$dir" | grep '^conv2.weight' | sed -E 's/.*weights: +//')
          used=$(wc -w <<<"$values")
          echo "| $p | $space | $bits | $init | $used / $levels | $values |"
        done
      done
    done
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"

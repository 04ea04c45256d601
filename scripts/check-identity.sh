#!/usr/bin/env bash
# Checks that two builds train bit-identically: runs the quickstart configs, the
# freezing experiment's runs (experiments/freezing/run.sh's --set variants), LeNet with
# PACT and one ResNet-20 epoch with each binary, then compares the run files dataset by dataset (timings and
# provenance aside) with scripts/compare_run_files.py. Exit 0 = all identical.
#
#   bash scripts/check-identity.sh BEFORE_BIN AFTER_BIN [WORK_DIR]
#
# QUICK=1 (default) trains on 6000 training and 1000 test images (~1 min per
# binary); QUICK=0 runs the configs as committed (~6 min per binary on 2 cores).
# Both binaries use the same thread count (THREADS, default 2): results depend on it.
set -euo pipefail
if [[ $# -lt 2 ]]; then sed -n '2,12p' "$0" >&2; exit 2; fi
before=$(realpath "$1"); after=$(realpath "$2")
cd "$(dirname "$0")/.."
work=${3:-$(mktemp -d /tmp/denseshift-identity.XXXXXX)}
threads=${THREADS:-2}
quick=()
if [[ ${QUICK:-1} == 1 ]]; then quick=(--set data.train_subset=6000 --set data.test_subset=1000); fi
export OPENBLAS_NUM_THREADS=1

# name | config | overrides (as experiments/freezing/run.sh)
runs=(
  "quickstart_full_precision|experiments/quickstart/full_precision.json|"
  "quickstart_dense_shift_3bit|experiments/quickstart/dense_shift_3bit.json|"
  "freezing_symmetric_pot|experiments/freezing/base.json|model.quant.parametrization=symmetric_pot model.quant.init=level_uniform"
  "freezing_sign_shift|experiments/freezing/base.json|model.quant.parametrization=sign_shift model.quant.init=level_uniform"
  "freezing_sign_scale|experiments/freezing/base.json|model.quant.parametrization=sign_scale model.quant.init=low_variance"
  "freezing_full_precision|experiments/freezing/base.json|model.quant.parametrization=full_precision model.quant.init=kaiming_normal"
  "freezing_2bit_kaiming_normal|experiments/freezing/base.json|model.quant.bits=2 model.quant.init=kaiming_normal train.epochs=3"
  "freezing_2bit_low_variance|experiments/freezing/base.json|model.quant.bits=2 model.quant.init=low_variance train.epochs=3"
  "lenet_pact_4bit|experiments/common/lenet.json|model.activation.bits=4 train.epochs=2"
  "resnet20_dense_shift_3bit|experiments/common/resnet20.json|train.epochs=1 data.train_subset=2000 data.test_subset=500"
)
failed=0
for entry in "${runs[@]}"; do
  IFS='|' read -r name config overrides <<<"$entry"
  sets=()
  for o in $overrides; do sets+=(--set "$o"); done
  for side in before after; do
    bin=$before; [[ $side == after ]] && bin=$after
    "$bin" train --config "$config" --out "$work/$side/$name" --force --threads "$threads" --quiet \
      "${quick[@]}" "${sets[@]}" >/dev/null
  done
  echo "== $name"
  if ! /usr/bin/python3 scripts/compare_run_files.py "$work/before/$name/run.h5" "$work/after/$name/run.h5"; then
    failed=1
  fi
  if ! cmp -s "$work/before/$name/config.json" "$work/after/$name/config.json"; then
    echo "  config.json differs"; failed=1
  fi
done
if [[ $failed == 0 ]]; then echo "check-identity: all ${#runs[@]} runs identical"; else echo "check-identity: DIFFERENCES"; fi
exit $failed

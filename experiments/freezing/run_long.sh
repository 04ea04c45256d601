#!/usr/bin/env bash
# Issue 12, experiments 5-7 and 9: the freezing sweep run for 20 epochs with S3 added (long.sweep.json,
# ~1.8 CPU-hours) and the 2-bit init traces with 3 seeds (init3.sweep.json, ~0.1 CPU-hours).
# Resumable; reports and run summaries in results/freezing/long/ and results/freezing/init3/
# (run.sh makes the one-seed figures of results/freezing/). Usage: bash experiments/freezing/run_long.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash experiments/common/sweep.sh experiments/freezing/long.sweep.json
bash experiments/common/sweep.sh experiments/freezing/init3.sweep.json --paired model.quant.init

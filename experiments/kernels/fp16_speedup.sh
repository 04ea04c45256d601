#!/usr/bin/env bash
# Claim fp16-speedup (DenseShift v2's headline: FP16 dot products 1.6x faster with power-of-two
# weights, on a Cortex-A57): the power-of-two FP16 dot (exact product by exponent addition) against
# the FP16 FMA dot, timed in RUNS (default 10) independent `denseshift bench kernels --filter f16-dot`
# processes on this machine's ISAs (x86 here: no ARM core to time; results/kernels.md has the NEON
# instruction counts). Writes results/kernels/fp16_speedup/{README.md,ISA.json}. A few seconds a run;
# needs a quiet machine.
# Usage: bash experiments/kernels/fp16_speedup.sh [RUNS]
set -euo pipefail
exec bash "$(dirname "$0")/kernel_speedup.sh" f16 results/kernels/fp16_speedup "bash experiments/kernels/fp16_speedup.sh" "$@"

#!/usr/bin/env bash
# The main job, set-up included. For now: install, build, and show what the
# toolkit offers (`denseshift list`). The training issue turns this into a
# Fashion-MNIST training run of full precision and DenseShift 3-bit.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
"${BUILD_DIR:-build}/cli/denseshift" list

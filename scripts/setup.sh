#!/usr/bin/env bash
# Installs every Debian package denseshift needs. Idempotent: packages already
# installed are skipped, and `apt-get update` runs only when something is missing.
# Works as root, or through sudo otherwise.
set -euo pipefail

packages=(
  # build toolchain
  build-essential cmake ninja-build pkg-config git
  # C++ libraries
  libtorch-dev libhdf5-dev nlohmann-json3-dev libboost-program-options-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  # LibTorch calls BLAS through Debian's libblas.so.3 alternative, which is the slow
  # reference BLAS unless OpenBLAS is installed: LeNet's linear layers took 11 of its
  # 21 ms per step with it, and the whole step halves with OpenBLAS.
  libopenblas-dev
  # fuzzing (libFuzzer) and sanitizer runtimes for clang; gcc's ASan/UBSan come with build-essential
  clang libclang-rt-14-dev
  # the kernels' AArch64 (NEON) build, run under user-mode emulation
  g++-aarch64-linux-gnu qemu-user
  # analysis (run with /usr/bin/python3)
  python3 python3-matplotlib python3-h5py python3-numpy python3-pytest
  # the plain PyTorch reference of the parity study and its CI test (tests/parity/), never a
  # runtime dependency of the toolkit
  python3-torch
  # a real one-node Slurm for the sweep's Slurm backend test (scripts/slurm-local.sh)
  slurm-wlm munge
  # data: Fashion-MNIST, and the 8x8 digits (a second domain for transfer) that python3-sklearn
  # ships as a CSV (5 MB of packages; the toolkit reads the CSV, never imports sklearn)
  dataset-fashion-mnist python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and not root, and sudo is not available" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"

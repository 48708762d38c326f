#!/usr/bin/env bash
# Installs everything Coda needs to build and test on Debian 12. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake ninja-build g++ git ccache
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 libclang-rt-22-dev libomp-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  libeigen3-dev libgtest-dev
  python3 python3-venv python3-numpy python3-onnx python3-torch python3-torchvision
  python3-sklearn
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
dpkg-query -W libmlir-22-dev libonnx-dev

# PyPI-only packages (ONNX Runtime, the numerical reference) go into a project-local venv
# that also sees Debian's python3-* packages (numpy, onnx, torch).
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
.venv/bin/python -c "import onnxruntime" 2>/dev/null ||
  .venv/bin/pip install -q "onnxruntime>=1.16,<2" "numpy<2"

#!/usr/bin/env bash
# The GPU device check: on a machine with an NVIDIA GPU (H100/H200, driver
# installed; CUDA toolkit not needed), builds Coda, exports the seven
# torchvision models, compiles each for the GPU and the CPU, checks the GPU
# outputs against PyTorch's and Coda-CPU's, times both, profiles every kernel
# launch and samples NVML power on the most expensive ones, and writes
# build/gpu-check/: per-layer latency and power (gpu-layers.csv, and as
# coda-fit rows coda-layers.csv), the fitted GPU platform (platform.json)
# and summary.md. Budget: < 8 minutes (power sampling: --power-budget, 120 s;
# the total is an estimate, not yet measured).
# It has not run on a GPU yet (docs/Gpu.md).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
phase() { echo "== $1 ($((SECONDS - start)) s)"; }

command -v nvidia-smi > /dev/null || { echo "gpu-check: no nvidia-smi: this machine has no NVIDIA driver" >&2; exit 1; }
nvidia-smi --query-gpu=name,driver_version,compute_cap,power.limit --format=csv

phase build
if ! command -v clang-22 > /dev/null || [ ! -d /usr/lib/llvm-22/lib/cmake/mlir ]; then
  ./scripts/install-deps.sh
fi
JOBS=${JOBS:-$(nproc)} ./scripts/build.sh

phase "export models"
if [ ! -f build/models/resnet50.onnx ]; then
  /usr/bin/python3 python/coda_tools/export_torchvision.py --out build/models
fi

phase "compile, check, time, profile, power"
/usr/bin/python3 bench/gpu_check.py --build build --out build/gpu-check "$@"
phase done

#!/usr/bin/env bash
# The main job on the built-in example, MobileNetV2 (torchvision architecture,
# random weights with calibrated batch norm, exported to ONNX by PyTorch):
#   import -> verify -> per-op report -> compile for this CPU -> run ->
#   check against PyTorch's and ONNX Runtime's outputs -> time it.
# Cost prediction, supernet collapse and FLightNN quantization are not built
# yet (issues 4-6); they join this script as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh > /dev/null
./scripts/build.sh > /dev/null

model=build/models/mobilenet_v2.onnx
/usr/bin/python3 python/coda_tools/export_torchvision.py --out build/models --models mobilenet_v2
.venv/bin/python utils/ort_reference.py --models build/models > /dev/null

echo "== import + verify: $model"
TIMEFORMAT="imported and verified in %R s -> build/mobilenet_v2.mlir (weights elided)"
time build/bin/coda-translate --import-onnx "$model" -o build/mobilenet_v2.mlir \
  --mlir-elide-resource-strings-if-larger=64

echo "== per-op report (after canonicalization: batch norm folded, SiLU fused)"
build/bin/coda-opt "$model" -canonicalize --coda-op-summary -o /dev/null | tail -9

echo "== compile for this CPU"
TIMEFORMAT="compiled in %R s -> build/mobilenet_v2.so + build/mobilenet_v2.h"
time build/bin/coda-compile "$model" -o build/mobilenet_v2.so

echo "== run: compare with PyTorch (data set 0) and ONNX Runtime (data set 1)"
build/bin/coda-run build/mobilenet_v2.so --test-dir=build/models/mobilenet_v2 \
  --rtol=1e-4 --atol=1e-5

echo "== time it (1 thread; bench/cpu_bench.py compares with ONNX Runtime)"
build/bin/coda-run build/mobilenet_v2.so --bench=50 --warmup=10

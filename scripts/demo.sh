#!/usr/bin/env bash
# The main job on the built-in example (MobileNetV2, torchvision architecture,
# random weights with calibrated batch norm): import the ONNX model, verify it,
# canonicalize, and print a per-op table of shapes, MACs and parameters.
# Later stages (predict cost, collapse a supernet, quantize, compile, run) join
# this script as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh > /dev/null
./scripts/build.sh > /dev/null

model=build/models/mobilenet_v2.onnx
/usr/bin/python3 python/coda_tools/export_torchvision.py --out build/models --models mobilenet_v2

echo "== import + verify: $model"
TIMEFORMAT="imported and verified in %R s -> build/mobilenet_v2.mlir (weights elided)"
time build/bin/coda-translate --import-onnx "$model" -o build/mobilenet_v2.mlir \
  --mlir-elide-resource-strings-if-larger=64

echo "== canonicalize + per-op summary"
build/bin/coda-opt "$model" -canonicalize --coda-op-summary -o /dev/null

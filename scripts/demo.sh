#!/usr/bin/env bash
# The main job on the built-in example, MobileNetV2 (torchvision architecture,
# random weights with calibrated batch norm, exported to ONNX by PyTorch):
#   import -> verify -> per-op report -> compile for this CPU -> run ->
#   check against PyTorch's and ONNX Runtime's outputs -> time it ->
#   predict its cost per layer on host-cpu, next to the measured latency.
# Then FLightNN: quantize (power-of-two weights, fixed-point activations),
# compile the integer code, run it, check its ONNX QDQ export in ONNX Runtime.
# And the Single-Path NAS step on the shipped example supernet
# (examples/spnas-digits, trained on scikit-learn's digits): collapse it into
# the architecture its thresholds select -> export the collapsed network to
# ONNX -> compile -> run -> check against ONNX Runtime on the supernet.
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

echo "== predict cost on platform host-cpu (per-kind models fitted on measured layers)"
build/bin/coda-opt "$model" -canonicalize --coda-predict-cost=platform=host-cpu \
  --coda-cost-report=chart=build/mobilenet_v2-cost.html -o /dev/null | tail -12
echo "(per-layer chart: build/mobilenet_v2-cost.html)"
predicted=$(build/bin/coda-opt "$model" -canonicalize --coda-predict-cost=platform=host-cpu \
  --coda-cost-report=format=json -o /dev/null | /usr/bin/python3 -c \
  'import json, sys; print("%.2f" % json.load(sys.stdin)["latency_ms"])')
pin=(); command -v taskset > /dev/null && pin=(taskset -c 1)
measured=$(OMP_NUM_THREADS=1 "${pin[@]}" build/bin/coda-run build/mobilenet_v2.so --bench=50 \
  --warmup=10 | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
/usr/bin/python3 -c "p, m = $predicted, $measured; print(f'predicted {p:.2f} ms, measured {m:.2f} ms (1 thread): error {100 * (p - m) / m:+.1f} % (timings on a shared machine vary by 15 % and more; docs/benchmarks/cost.md)')"

echo "== quantize (FLightNN): k=2 power-of-two terms per weight, 8-bit activations"
q=build/mobilenet_v2.k2
TIMEFORMAT="quantized (calibration on the host evaluator included) in %R s -> $q.mlir"
time build/bin/coda-opt "$model" --coda-assign-precision="k=2 report=$q.json" -o "$q.mlir"
/usr/bin/python3 - "$q.json" <<'PY'
import json, sys
layers = json.load(open(sys.argv[1]))
errors = sorted(l["weight_rel_error"] for l in layers)
print(f"{len(layers)} conv/gemm layers on int8 codes; relative weight error "
      f"median {errors[len(errors) // 2]:.3f}, max {errors[-1]:.3f}")
PY
echo "predicted on host-cpu, per layer kind, fp32 -> k=2 (energy: Horowitz 45 nm estimate):"
build/bin/coda-opt "$model" -canonicalize --coda-predict-cost=platform=host-cpu \
  --coda-cost-report="format=json output=build/mobilenet_v2.cost.json" -o /dev/null
build/bin/coda-opt "$q.mlir" -canonicalize --coda-predict-cost=platform=host-cpu \
  --coda-cost-report="format=json output=$q.cost.json" -o /dev/null
/usr/bin/python3 - build/mobilenet_v2.cost.json "$q.cost.json" <<'PY'
import collections, json, sys
reports = [json.load(open(path)) for path in sys.argv[1:]]
kinds = collections.OrderedDict()
for i, report in enumerate(reports):
    for layer in report["layers"]:
        k = kinds.setdefault(layer["kind"], [[0, 0], [0, 0]])
        k[i][0] += layer["latency_ms"]
        k[i][1] += layer["energy_mj"]
rows = list(kinds.items()) + [("total", [[r["latency_ms"], r["energy_mj"]] for r in reports])]
for kind, (a, b) in rows:
    if a[1] > 1e-3:
        print(f"  {kind:8s} latency {a[0]:6.2f} -> {b[0]:6.2f} ms   "
              f"energy {a[1]:7.3f} -> {b[1]:7.3f} mJ ({a[1] / b[1]:.1f}x less)")
PY
build/bin/coda-compile "$q.mlir" -o "$q.so"
build/bin/coda-run "$q.so" --input=build/models/mobilenet_v2/test_data_set_0/input_0.pb \
  --output-dir="$q.out" > /dev/null
build/bin/coda-translate --export-onnx "$q.mlir" -o "$q.onnx"
.venv/bin/python - "$q" <<'PY'
import sys
import numpy as np, onnx, onnxruntime as ort
from onnx import numpy_helper
q = sys.argv[1]
d = "build/models/mobilenet_v2/test_data_set_0/"
x = numpy_helper.to_array(onnx.load_tensor(d + "input_0.pb"))
fp32 = numpy_helper.to_array(onnx.load_tensor(d + "output_0.pb"))
y = np.load(q + ".out/output_0.npy")
s = ort.InferenceSession(q + ".onnx", providers=["CPUExecutionProvider"])
y_ort = s.run(None, {s.get_inputs()[0].name: x})[0]
print(f"integer code vs fp32 (PyTorch): max |diff| {np.abs(y - fp32).max():.3g}, "
      f"top-1 {'same' if y.argmax() == fp32.argmax() else 'differs'}")
print(f"ONNX QDQ export in ONNX Runtime vs Coda's integer code: max |diff| "
      f"{np.abs(y_ort - y).max():.3g}")
PY
echo "== time the integer code (1 thread; bench/flight_bench.py compares with fp32 and ORT)"
OMP_NUM_THREADS=1 build/bin/coda-run "$q.so" --bench=50 --warmup=10

spnas=examples/spnas-digits
echo "== Single-Path NAS: collapse the shipped supernet ($spnas, trained on digits)"
build/bin/coda-opt "$spnas/supernet.onnx" --coda-collapse-supernet=platform=host-cpu \
  -canonicalize -o build/spnas_digits.mlir
echo "== export the collapsed network to ONNX, compile it, check it against ONNX Runtime on the supernet"
build/bin/coda-translate --export-onnx build/spnas_digits.mlir -o build/spnas_digits.onnx
build/bin/coda-compile build/spnas_digits.mlir -o build/spnas_digits.so
build/bin/coda-run build/spnas_digits.so --test-dir="$spnas/supernet" --atol=1e-4 --rtol=0

#!/usr/bin/env bash
# The main job on the built-in example, the Single-Path NAS supernet shipped in
# examples/spnas-digits (the paper's 22-block space at width 0.25, 32x32 input,
# trained on scikit-learn's digits with its latency-aware loss):
#   import -> predict (latency of every block choice on host-cpu) ->
#   collapse to the architecture its thresholds select -> predict per layer ->
#   quantize (FLightNN, k per filter under an energy budget) -> compile ->
#   run (check against ONNX Runtime; held-out accuracy) -> report (predicted
#   vs measured latency, energy before/after, the accuracy cost).
# Then the same compiler on a full-size network, torchvision's MobileNetV2.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh > /dev/null
./scripts/build.sh > /dev/null

bin=build/bin
out=build/demo
example=examples/spnas-digits
platform=host-cpu
mkdir -p "$out"

echo "== 1. import the supernet ($example/supernet.onnx)"
TIMEFORMAT="imported and verified in %R s -> $out/supernet.mlir (weights elided)"
time $bin/coda-translate --import-onnx "$example/supernet.onnx" -o "$out/supernet.mlir" \
  --mlir-elide-resource-strings-if-larger=64
echo "$(grep -c 'coda.mbconv_superkernel' "$out/supernet.mlir") superkernel blocks"

echo "== 2. predict: every block choice on $platform (the table NAS training reads)"
$bin/coda-opt "$example/supernet.onnx" \
  --coda-export-latency-table="platform=$platform output=$out/latency-table.json" -o /dev/null
/usr/bin/python3 - "$out/latency-table.json" <<'PY'
import json, sys
table = json.load(open(sys.argv[1]))
choices = ["k3_e3", "k3_e6", "k5_e3", "k5_e6"]
for b in table["blocks"][:4]:
    print(f"  block {b['block']:2d} {b['cin']:3d}->{b['cout']:<3d} " +
          "  ".join(f"{c} {b[c]:.4f}" for c in choices) + " ms")
print(f"  ... {len(table['blocks'])} blocks")
PY

echo "== 3. collapse the supernet into the architecture its thresholds select"
$bin/coda-opt "$example/supernet.onnx" --coda-collapse-supernet=platform=$platform \
  -canonicalize -o "$out/net.mlir" | tail -2

echo "== 4. quantize (FLightNN): k in {1,2} per filter under an energy budget"
/usr/bin/python3 python/coda_tools/eval_digits.py --calibration "$out/calibration.npy"
cost() { # cost MLIR NAME: predicted per-layer cost as JSON
  $bin/coda-opt "$1" -canonicalize --coda-predict-cost=platform=$platform \
    --coda-cost-report="format=json output=$out/$2.cost.json" -o /dev/null
}
quant=(calibration="$out/calibration.npy" pinned=first,last)
$bin/coda-opt "$out/net.mlir" --coda-assign-precision="k=2 ${quant[*]}" -o "$out/net.k2.mlir"
cost "$out/net.mlir" fp32
cost "$out/net.k2.mlir" k2
# The budget: 10 % below the energy of two terms for every filter.
budget=$(/usr/bin/python3 -c "import json; print(0.9 * json.load(open('$out/k2.cost.json'))['energy_mj'])")
$bin/coda-opt "$out/net.mlir" --coda-assign-precision="mode=budget platform=$platform \
  energy-budget=$budget ${quant[*]} report=$out/budget.json" -o "$out/net.q.mlir"
cost "$out/net.q.mlir" quantized
/usr/bin/python3 - "$out/budget.json" <<'PY'
import json, sys
layers = json.load(open(sys.argv[1]))
filters = sum(l["filters"] for l in layers)
k2 = sum(l["filters_k2"] for l in layers)
print(f"  {len(layers)} layers quantized: {k2} of {filters} filters keep two terms")
PY

echo "== 5. compile (fp32 collapsed network and its quantized integer code)"
TIMEFORMAT="compiled both in %R s"
time { $bin/coda-compile "$out/net.mlir" -o "$out/net.so" &&
       $bin/coda-compile "$out/net.q.mlir" -o "$out/net.q.so"; }

echo "== 6. run: the collapsed network against ONNX Runtime on the supernet; held-out digits"
$bin/coda-run "$out/net.so" --test-dir="$example/supernet" --atol=1e-4 --rtol=0
/usr/bin/python3 python/coda_tools/eval_digits.py fp32="$out/net.so" quantized="$out/net.q.so" |
  tee "$out/accuracy.txt"
$bin/coda-translate --export-onnx "$out/net.q.mlir" -o "$out/net.q.onnx"
echo "quantized model exported as ONNX QDQ -> $out/net.q.onnx"

echo "== 7. report: per layer kind, fp32 -> quantized (energy: Horowitz 45 nm estimate)"
measure() { # measure LIB: median ms on one pinned thread
  local pin=(); command -v taskset > /dev/null && pin=(taskset -c 1)
  OMP_NUM_THREADS=1 "${pin[@]}" $bin/coda-run "$1" --bench=200 --warmup=20 |
    sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p'
}
/usr/bin/python3 - "$out/fp32.cost.json" "$out/quantized.cost.json" \
  "$(measure "$out/net.so")" "$(measure "$out/net.q.so")" "$out/accuracy.txt" <<'PY'
import collections, json, re, sys
reports = [json.load(open(p)) for p in sys.argv[1:3]]
measured = [float(m) for m in sys.argv[3:5]]
kinds = collections.OrderedDict()
for i, report in enumerate(reports):
    for layer in report["layers"]:
        k = kinds.setdefault(layer["kind"], [[0.0, 0.0], [0.0, 0.0]])
        k[i][0] += layer["latency_ms"]
        k[i][1] += layer["energy_mj"]
print(f"  {'kind':8s} {'latency ms':>20s} {'energy uJ':>22s}")
for kind, (a, b) in kinds.items():
    if a[1] > 0 or a[0] > 0:
        print(f"  {kind:8s} {a[0]:9.4f} -> {b[0]:7.4f}   {1e3 * a[1]:9.3f} -> {1e3 * b[1]:8.3f}")
(a, b) = [[r["latency_ms"], r["energy_mj"]] for r in reports]
print(f"  {'total':8s} {a[0]:9.4f} -> {b[0]:7.4f}   {1e3 * a[1]:9.3f} -> {1e3 * b[1]:8.3f}"
      f"   ({a[1] / b[1]:.1f}x less energy, estimated)")
for name, r, m in zip(["fp32", "quantized"], reports, measured):
    print(f"  {name:9s} latency: predicted {r['latency_ms']:.3f} ms, measured {m:.3f} ms (1 thread)")
acc = dict(re.findall(r"(\w+): held-out accuracy ([0-9.]+)", open(sys.argv[5]).read()))
print(f"  accuracy cost of quantization: {100 * float(acc['fp32']):.1f} % -> "
      f"{100 * float(acc['quantized']):.1f} % on 360 held-out digits")
PY

model=build/models/mobilenet_v2.onnx
echo "== MobileNetV2 (torchvision, random weights, calibrated batch norm): compile, run, check"
/usr/bin/python3 python/coda_tools/export_torchvision.py --out build/models --models mobilenet_v2
.venv/bin/python utils/ort_reference.py --models build/models > /dev/null
TIMEFORMAT="compiled in %R s -> build/mobilenet_v2.so + build/mobilenet_v2.h"
time $bin/coda-compile "$model" -o build/mobilenet_v2.so
$bin/coda-run build/mobilenet_v2.so --test-dir=build/models/mobilenet_v2 --rtol=1e-4 --atol=1e-5
predicted=$($bin/coda-opt "$model" -canonicalize --coda-predict-cost=platform=$platform \
  --coda-cost-report=format=json -o /dev/null | /usr/bin/python3 -c \
  'import json, sys; print("%.2f" % json.load(sys.stdin)["latency_ms"])')
measured=$(measure build/mobilenet_v2.so)
echo "predicted $predicted ms on $platform, measured $measured ms (1 thread; timings on this" \
  "shared machine vary by 15 % and more; bench/cpu_bench.py compares with ONNX Runtime)"

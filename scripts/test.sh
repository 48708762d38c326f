#!/usr/bin/env bash
# Installs dependencies, builds, generates the test models, and runs every test
# (lit + FileCheck, gtest, importer conformance, fuzz corpus). Ends with a
# "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh

# The seven torchvision models (random weights, calibrated BN), with PyTorch's
# and ONNX Runtime's outputs next to them as references.
/usr/bin/python3 python/coda_tools/export_torchvision.py --out build/models
.venv/bin/python utils/ort_reference.py --models build/models

results=build/test-results.json
set +e
/usr/lib/llvm-22/bin/lit -sv --order=lexical -o "$results" build/test build/test/Unit
status=$?
set -e
/usr/bin/python3 - "$results" <<'PY'
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
codes = [t["code"] for t in tests]
passed = sum(c in ("PASS", "XFAIL") for c in codes)
skipped = sum(c == "UNSUPPORTED" for c in codes)
failed = len(codes) - passed - skipped
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status

#!/usr/bin/env python3
"""Imports every ONNX backend test model whose ops Coda supports.

Reads the models of Debian's libonnx-testdata (node, pytorch-converted,
pytorch-operator, simple), keeps those whose op types are all in Coda's
supported set, and runs `coda-translate --import-onnx` on each. A model listed
in the expected-failure file must fail (with a diagnostic); every other must
import and verify. Prints one line per unexpected result and a summary.
Run with Debian's /usr/bin/python3 (it has python3-onnx).
"""
import argparse
import os
import subprocess
import sys

import onnx

SUPPORTED = {
    "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu",
    "Sigmoid", "Tanh", "HardSwish", "HardSigmoid", "LeakyRelu", "Clip",
    "Softmax", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
    "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "ReduceMean", "Concat", "Split", "Slice", "Reshape", "Flatten", "Squeeze",
    "Unsqueeze", "Transpose", "Pad", "Resize", "Upsample", "Identity",
    "Dropout", "Constant", "Shape", "Gather", "Cast", "ConstantOfShape",
    "Where", "Equal", "Less", "Greater",
}
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]


def candidate_models(root):
    for suite in SUITES:
        suite_dir = os.path.join(root, suite)
        if not os.path.isdir(suite_dir):
            continue
        for name in sorted(os.listdir(suite_dir)):
            path = os.path.join(suite_dir, name, "model.onnx")
            if not os.path.isfile(path):
                continue
            model = onnx.load(path, load_external_data=False)
            ops = {n.op_type for n in model.graph.node}
            if ops and ops <= SUPPORTED:
                yield f"{suite}/{name}", path


def read_xfail(path):
    with open(path) as f:
        return {line.split("#")[0].strip() for line in f} - {""}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--coda-translate", required=True)
    parser.add_argument("--xfail", required=True, help="expected-failure list")
    parser.add_argument("--root", default="/usr/share/libonnx-testdata/data")
    args = parser.parse_args()

    xfail = read_xfail(args.xfail)
    passed = failed = xfailed = 0
    for name, path in candidate_models(args.root):
        result = subprocess.run([args.coda_translate, "--import-onnx", path,
                                 "-o", os.devnull], capture_output=True, text=True)
        ok = result.returncode == 0
        has_diagnostic = "error:" in result.stderr
        if name in xfail:
            if ok or not has_diagnostic:
                print(f"UNEXPECTED {'PASS' if ok else 'CRASH'}: {name}")
                failed += 1
            else:
                xfailed += 1
            continue
        if ok:
            passed += 1
        else:
            first = result.stderr.strip().splitlines()[:1]
            print(f"FAIL: {name}: {first[0] if first else result.returncode}")
            failed += 1
    print(f"backend models: {passed} imported, {xfailed} expected failures, "
          f"{failed} unexpected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Usage: run_ort.py MODEL.onnx INPUT.npy EXPECTED.npy [ATOL]

Runs MODEL.onnx in ONNX Runtime on INPUT.npy and checks that the output is
bit-identical to EXPECTED.npy (Coda's integer code on the same model), or
within ATOL where fp32 layers (summation order) are part of the model."""

import collections
import sys

import numpy as np
import onnx
import onnxruntime as ort

model = onnx.load(sys.argv[1])
ops = collections.Counter(n.op_type for n in model.graph.node)
print(", ".join(f"{op} {ops[op]}" for op in ("QuantizeLinear", "DequantizeLinear")))
session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
x = np.load(sys.argv[2])
y = session.run(None, {session.get_inputs()[0].name: x})[0]
expected = np.load(sys.argv[3])
atol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
diff = np.abs(y - expected).max() if y.shape == expected.shape else np.inf
if diff > atol:
    print(f"MISMATCH: max |ort - coda| = {diff:.4g}")
    sys.exit(1)
if diff == 0:
    print(f"onnxruntime matches bit for bit: {y.size} elements")
else:
    print(f"onnxruntime matches within {atol}: {y.size} elements")

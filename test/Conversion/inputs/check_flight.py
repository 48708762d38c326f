#!/usr/bin/env python3
"""Usage: check_flight.py MODEL.onnx QUANTIZED.mlir INPUT.npy OUTPUT.npy

Recomputes the quantized model's output with the NumPy reference of the
FLightNN integer arithmetic (python/coda_tools/flight.py) from the fp32 ONNX
weights and the #coda.precision decisions in the .mlir, and checks that the
compiled output is bit-identical."""

import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from coda_tools import flight  # noqa: E402

model = onnx.load(sys.argv[1])
precisions = flight.parse_precisions(open(sys.argv[2]).read())
x = np.load(sys.argv[3])
actual = np.load(sys.argv[4])
expected = flight.run(model, x, precisions)
fp32 = flight.run(model, x, [None] * len(precisions))
print(f"{len(precisions)} quantized layers, terms per layer "
      f"{[int(p['terms'].sum()) for p in precisions]}")
print(f"max |quantized - fp32| = {np.abs(expected - fp32).max():.4g}")
if actual.shape != expected.shape or not np.array_equal(actual, expected):
    diff = np.abs(actual.astype(np.float64) - expected)
    print(f"MISMATCH: {int((diff > 0).sum())} of {expected.size} elements differ, "
          f"max {diff.max():.4g}")
    sys.exit(1)
print(f"bit-exact: {expected.size} elements")

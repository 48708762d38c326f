#!/usr/bin/env python3
"""ort_compare.py MODEL.onnx TEST_DATA_DIR ATOL: runs ONNX Runtime on the
data set's input_0.pb and compares with its output_0.pb."""
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

model, data, atol = sys.argv[1], sys.argv[2], float(sys.argv[3])
x = numpy_helper.to_array(onnx.load_tensor(f"{data}/input_0.pb"))
y = numpy_helper.to_array(onnx.load_tensor(f"{data}/output_0.pb"))
sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
diff = float(np.abs(got - y).max())
print(f"ort max_abs={diff:.3g} {'PASS' if diff <= atol else 'FAIL'}")
sys.exit(0 if diff <= atol else 1)

#!/usr/bin/env python3
"""Writes the tensor files coda-run's tests use into the directory argv[1].

The model is inputs/add_one.c: y = x + 1 on one 1x2x3x4 input 'x'.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

x = (np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4) - 12) / 8
y = x + 1
wrong = y.copy()
wrong[0, 1, 2, 3] += 0.5


def path(name):
    return os.path.join(out, name)


def save_pb(name, array, tensor_name, raw=True):
    if raw:
        tensor = numpy_helper.from_array(array, tensor_name)
    else:  # float_data instead of raw_data
        tensor = helper.make_tensor(tensor_name, TensorProto.FLOAT, array.shape,
                                    array.flatten().tolist())
    with open(path(name), "wb") as f:
        f.write(tensor.SerializeToString())


np.save(path("x.npy"), x)
np.save(path("y.npy"), y)
np.save(path("y_wrong.npy"), wrong)
np.save(path("x_f64.npy"), x.astype(np.float64))
np.save(path("x_i64.npy"), x.astype(np.int64))
np.save(path("x_fortran.npy"), np.asfortranarray(x.reshape(2, 12)))
np.save(path("x_small.npy"), np.zeros((1, 3, 8, 8), np.float32))
np.save(path("y_flat.npy"), y.reshape(24))
with open(path("x_truncated.npy"), "wb") as f:
    f.write(open(path("x.npy"), "rb").read()[:-10])
save_pb("x.pb", x, "x")
save_pb("y.pb", y, "y", raw=False)
save_pb("x_int32.pb", x.astype(np.int32), "x")

# ONNX backend-test layouts. Data sets are numbered 0, 2, 10 so that numeric
# and lexical order differ.
for number in (0, 2, 10):
    d = path(f"pass/test_data_set_{number}")
    os.makedirs(d)
    xs = x * (number + 1)
    save_pb(f"pass/test_data_set_{number}/input_0.pb", xs, "x")
    save_pb(f"pass/test_data_set_{number}/output_0.pb", xs + 1, "y")

for number in range(3):
    os.makedirs(path(f"fail/test_data_set_{number}"))
save_pb("fail/test_data_set_0/input_0.pb", x, "x")
save_pb("fail/test_data_set_0/output_0.pb", y, "y")
save_pb("fail/test_data_set_1/input_0.pb", x, "x")
save_pb("fail/test_data_set_1/output_0.pb", wrong, "y")
save_pb("fail/test_data_set_2/input_0.pb", np.zeros((1, 3, 8, 8), np.float32), "x")
save_pb("fail/test_data_set_2/output_0.pb", y, "y")
os.makedirs(path("empty"))

#!/usr/bin/env python3
"""Writes a small CNN (every conv kind the integer lowering has: plain,
strided depthwise, grouped, 1x1; max pooling; a dense layer) and its inputs
into DIR: cnn.onnx (input [2, 3, 12, 12]), x.npy, cal.npy (8 samples)."""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(6)
inits, nodes = [], []


def weight(name, shape):
    fan_in = int(np.prod(shape[1:]))
    w = rng.normal(0, 1.5 / np.sqrt(fan_in), shape).astype(np.float32)
    inits.append(numpy_helper.from_array(w, name))
    return name


def bias(name, n):
    inits.append(numpy_helper.from_array(rng.normal(0, 0.2, n).astype(np.float32), name))
    return name


def conv(x, name, cin, cout, k, stride=1, group=1, pad=None):
    pad = k // 2 if pad is None else pad
    y = name + "_out"
    nodes.append(helper.make_node(
        "Conv", [x, weight(name + "_w", [cout, cin // group, k, k]), bias(name + "_b", cout)], [y],
        name=name, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=group))
    return y


def relu(x):
    nodes.append(helper.make_node("Relu", [x], [x + "_relu"]))
    return x + "_relu"


x = relu(conv("input", "conv1", 3, 8, 3))
x = relu(conv(x, "dw2", 8, 8, 3, stride=2, group=8))
x = relu(conv(x, "pw3", 8, 16, 1))
nodes.append(helper.make_node("MaxPool", [x], ["pool"], kernel_shape=[2, 2], strides=[2, 2]))
x = relu(conv("pool", "group4", 16, 16, 3, group=4))
nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"]))
nodes.append(helper.make_node("Flatten", ["gap"], ["flat"]))
nodes.append(helper.make_node("Gemm", ["flat", weight("fc_w", [10, 16]), bias("fc_b", 10)],
                              ["logits"], name="fc", transB=1))
graph = helper.make_graph(
    nodes, "flight_cnn",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 3, 12, 12])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [2, 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "cnn.onnx"))
np.save(os.path.join(out, "x.npy"), rng.normal(0, 1, (2, 3, 12, 12)).astype(np.float32))
np.save(os.path.join(out, "cal.npy"), rng.normal(0, 1, (8, 3, 12, 12)).astype(np.float32))

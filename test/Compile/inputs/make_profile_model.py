#!/usr/bin/env python3
"""Writes into DIR a small network with named nodes, its input and a NumPy
reference: layers.onnx, x.npy, y.npy.

  y = GlobalAveragePool(head/Conv(pool/MaxPool(relu(stem/Conv(x)))))

stem/Conv: 3x3, pad 1, 4 -> 16 channels; pool/MaxPool: 2x2, stride 2;
head/Conv: 1x1, 16 -> 8 channels."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
rng = np.random.default_rng(5)
C, F, G, H, W = 4, 16, 8, 12, 10

w1 = rng.normal(0, 0.3, (F, C, 3, 3)).astype(np.float32)
b1 = rng.normal(0, 0.2, F).astype(np.float32)
w2 = rng.normal(0, 0.3, (G, F, 1, 1)).astype(np.float32)
b2 = rng.normal(0, 0.2, G).astype(np.float32)
x = rng.normal(0, 1, (1, C, H, W)).astype(np.float32)

node = helper.make_node
nodes = [
    node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3],
         pads=[1, 1, 1, 1], name="stem/Conv"),
    node("Relu", ["c1"], ["r1"], name="stem/Relu"),
    node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2],
         name="pool/MaxPool"),
    node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[1, 1],
         name="head/Conv"),
    node("GlobalAveragePool", ["c2"], ["y"], name="head/GlobalAveragePool"),
]
initializers = [numpy_helper.from_array(v, n) for n, v in
                [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)]]
graph = helper.make_graph(
    nodes, "layers",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, G, 1, 1])],
    initializers)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
     os.path.join(out, "layers.onnx"))

# The reference, in float64.
xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (1, 1), (1, 1)])
c1 = np.zeros((1, F, H, W)) + b1[None, :, None, None]
for i in range(3):
    for j in range(3):
        c1 += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + H, j:j + W],
                        w1[:, :, i, j].astype(np.float64))
r1 = np.maximum(c1, 0)
p1 = r1.reshape(1, F, H // 2, 2, W // 2, 2).max(axis=(3, 5))
c2 = np.einsum("nchw,gc->nghw", p1, w2[:, :, 0, 0].astype(np.float64))
c2 += b2[None, :, None, None]
y = c2.mean(axis=(2, 3), keepdims=True)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y.astype(np.float32))

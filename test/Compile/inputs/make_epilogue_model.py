#!/usr/bin/env python3
"""Writes into DIR a model whose convolutions end in elementwise tails that
coda-cpu-vectorize fuses into the register tiles, its inputs and NumPy
references: epilogue.onnx, x.npy r.npy s.npy k.npy, y1.npy y2.npy.

  y1 = relu((conv3x3(x) + r) * s)        residual and per-channel inputs
  y2 = relu(conv1x1(x) + conv1x1'(x) + k) two products, one add (ResNet's
                                          downsample block); a scalar
  y3 = relu(a @ b + v)                   a vector along the tile's columns

10 filters and 9x11 images, a 5x40 product: the tiles are partial in rows
and columns."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
rng = np.random.default_rng(3)
C, F, H, W = 6, 10, 9, 11

w1 = rng.normal(0, 0.3, (F, C, 3, 3)).astype(np.float32)
b1 = rng.normal(0, 0.2, F).astype(np.float32)
w2 = rng.normal(0, 0.3, (F, C, 1, 1)).astype(np.float32)
b2 = rng.normal(0, 0.2, F).astype(np.float32)
w3 = rng.normal(0, 0.3, (F, C, 1, 1)).astype(np.float32)
b = rng.normal(0, 0.3, (12, 40)).astype(np.float32)
inputs = {
    "x": rng.normal(0, 1, (1, C, H, W)),
    "r": rng.normal(0, 1, (1, F, H, W)),
    "s": rng.normal(0, 1, (1, F, 1, 1)),
    "k": rng.normal(0, 1, (1,)),
    "a": rng.normal(0, 1, (5, 12)),
    "v": rng.normal(0, 1, (40,)),
}
inputs = {name: value.astype(np.float32) for name, value in inputs.items()}

node = helper.make_node
nodes = [
    node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3],
         pads=[1, 1, 1, 1]),
    node("Add", ["c1", "r"], ["a1"]),
    node("Mul", ["a1", "s"], ["m1"]),
    node("Relu", ["m1"], ["y1"]),
    node("Conv", ["x", "w2", "b2"], ["c2"], kernel_shape=[1, 1]),
    node("Conv", ["x", "w3"], ["c3"], kernel_shape=[1, 1]),
    node("Add", ["c2", "c3"], ["a2"]),
    node("Add", ["a2", "k"], ["a3"]),
    node("Relu", ["a3"], ["y2"]),
    node("MatMul", ["a", "b"], ["p"]),
    node("Add", ["p", "v"], ["a4"]),
    node("Relu", ["a4"], ["y3"]),
]
initializers = [numpy_helper.from_array(v, n) for n, v in
                [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2), ("w3", w3),
                 ("b", b)]]
graph = helper.make_graph(
    nodes, "epilogue",
    [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape)
     for n, v in inputs.items()],
    [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, F, H, W])
     for n in ("y1", "y2")] +
    [helper.make_tensor_value_info("y3", TensorProto.FLOAT, [5, 40])],
    initializers)
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
     os.path.join(out, "epilogue.onnx"))


def conv(x, w, pad):
    """Cross-correlation in float64, stride 1."""
    x = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    k = w.shape[2]
    y = np.zeros((1, w.shape[0], H, W))
    for i in range(k):
        for j in range(k):
            y += np.einsum("nchw,fc->nfhw", x[:, :, i:i + H, j:j + W],
                           w[:, :, i, j].astype(np.float64))
    return y


x, r, s, k, a, v = (inputs[n].astype(np.float64) for n in "xrskav")
y1 = np.maximum((conv(x, w1, 1) + b1[None, :, None, None] + r) * s, 0)
y2 = np.maximum(conv(x, w2, 0) + b2[None, :, None, None] + conv(x, w3, 0) + k,
                0)
y3 = np.maximum(a @ b.astype(np.float64) + v, 0)
for name, value in list(inputs.items()) + [("y1", y1), ("y2", y2),
                                           ("y3", y3)]:
    np.save(os.path.join(out, name + ".npy"), value.astype(np.float32))

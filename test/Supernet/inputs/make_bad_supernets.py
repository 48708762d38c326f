#!/usr/bin/env python3
"""make_bad_supernets.py DIR: a valid small supernet and copies with one
defect each, for the importer's error tests."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402

from coda_tools.spnas import export, space, supernet  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = supernet.Supernet(space.make_space(0.25, 32, 10))
good = export.export_supernet(model, os.path.join(out, "good.onnx"))


def variant(name, edit):
    m = onnx.ModelProto()
    m.CopyFrom(good)
    edit(m.graph)
    onnx.save(m, os.path.join(out, name + ".onnx"))


def init(g, name):
    return next(t for t in g.initializer if t.name == name)


def node(g, name):
    return next(n for n in g.node if n.name == name)


def threshold_input(g):  # a threshold that is not a trained initializer
    g.initializer.remove(init(g, "block1.t_k5"))
    g.input.append(helper.make_tensor_value_info("block1.t_k5", onnx.TensorProto.FLOAT, []))


def threshold_shape(g):
    t = init(g, "block2.t_e6")
    t.CopyFrom(numpy_helper.from_array(np.array([0.0, 0.0], np.float32), t.name))


def bad_mask(g):
    t = init(g, "ring_mask")
    t.CopyFrom(numpy_helper.from_array(np.ones((1, 1, 5, 5), np.float32), t.name))


def dw_pads(g):
    n = node(g, "block3.dw.conv")
    for a in n.attribute:
        if a.name == "pads":
            a.ints[:] = [1, 1, 1, 1]


def skip_without_residual(g):
    add = node(g, "block2.add")
    bn3 = add.input[1]
    for n in g.node:
        for i, x in enumerate(n.input):
            if x == add.output[0]:
                n.input[i] = bn3
    g.node.remove(add)


for f in (threshold_input, threshold_shape, bad_mask, dw_pads, skip_without_residual):
    variant(f.__name__, f)

"""Write a Supernet in Coda's Single-Path supernet ONNX format.

The format (docs/Supernet.md) is plain ONNX (opset 13) that ONNX Runtime
runs as is: every searchable block is

  x -> Conv 1x1 -> BatchNormalization -> Relu -> Conv depthwise 5x5 (pads 2,
  weight W' computed below) -> BatchNormalization -> Relu -> Conv 1x1 ->
  BatchNormalization [-> Add x]

and W' is the decision rule written out over the superkernel initializer W
and three scalar threshold initializers <block>.t_k5, <block>.t_e3,
<block>.t_e6 (ReduceL2 for the "l2" norm, ReduceSumSquare for "l2sq"):

  ring = Mul(W, ring_mask)        core = Mul(W, core_mask)
  d5   = Cast(GreaterOrEqual(Norm(ring), t_k5), FLOAT)
  Wk   = Add(core, Mul(ring, d5))
  lo   = Mul(Wk, lo_mask)         hi   = Mul(Wk, hi_mask)
  d6   = Cast(GreaterOrEqual(Norm(hi), t_e6), FLOAT)
  W6   = Add(lo, Mul(hi, d6))
  d3   = Cast(GreaterOrEqual(Norm(lo), t_e3), FLOAT)     skippable blocks
  W'   = Mul(W6, d3)                                     (else W' = W6)

Usage: export_supernet(model, "supernet.onnx")
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


class GraphWriter:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array, dtype=np.float32), name))
        return name

    def node(self, op, inputs, name, **attrs):
        self.count += 1
        out = f"{name}:{self.count}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def conv(self, x, weight, name, stride=1, groups=1, pad=None):
        k = weight.shape[-1]
        p = k // 2 if pad is None else pad
        w = self.init(f"{name}.weight", weight)
        return self.node("Conv", [x, w], name, kernel_shape=[k, k], strides=[stride, stride],
                         pads=[p, p, p, p], group=groups)

    def bn(self, x, bn, name):
        ins = [x] + [self.init(f"{name}.{p}", getattr(bn, a).detach().numpy())
                     for p, a in (("scale", "weight"), ("bias", "bias"),
                                  ("mean", "running_mean"), ("var", "running_var"))]
        return self.node("BatchNormalization", ins, name, epsilon=float(bn.eps))

    def conv_bn(self, x, seq, name, stride=1, groups=1):
        """A child.conv_bn Sequential: Conv, BatchNorm2d, optional ReLU."""
        conv, bn = seq[0], seq[1]
        y = self.conv(x, conv.weight.detach().numpy(), f"{name}.conv", conv.stride[0],
                      conv.groups)
        y = self.bn(y, bn, f"{name}.bn")
        return self.node("Relu", [y], f"{name}.relu") if len(seq) > 2 else y


def _mbconv(g, x, block, name):
    layers = list(block.body)
    y = x
    for i in range(0, len(layers), 3):
        seq = layers[i:i + 3] if i + 2 < len(layers) else layers[i:]
        y = g.conv_bn(y, seq, f"{name}.{i // 3}")
    return g.node("Add", [x, y], f"{name}.add") if block.residual else y


def _superblock(g, x, sb, name, masks):
    b = sb.block
    c = sb.channels
    norm_op = "ReduceSumSquare" if sb.norm_kind == "l2sq" else "ReduceL2"
    h = g.conv_bn(x, sb.expand, f"{name}.expand")
    w = g.init(f"{name}.dw.weight", sb.dw_weight.detach().numpy())
    if c not in masks:
        lo = np.zeros((c, 1, 1, 1), np.float32)
        lo[: c // 2] = 1
        masks[c] = (g.init(f"lo_mask_{c}", lo), g.init(f"hi_mask_{c}", 1 - lo))
    lo_mask, hi_mask = masks[c]

    def decide(value, threshold, what):
        n = g.node(norm_op, [value], f"{name}.norm_{what}", keepdims=0)
        t = g.init(f"{name}.t_{what}", getattr(sb, f"t_{what}").detach().numpy())
        ge = g.node("GreaterOrEqual", [n, t], f"{name}.ge_{what}")
        return g.node("Cast", [ge], f"{name}.d_{what}", to=TensorProto.FLOAT)

    ring = g.node("Mul", [w, "ring_mask"], f"{name}.ring")
    core = g.node("Mul", [w, "core_mask"], f"{name}.core")
    d5 = decide(ring, sb.t_k5, "k5")
    wk = g.node("Add", [core, g.node("Mul", [ring, d5], f"{name}.ring_on")], f"{name}.wk")
    lo = g.node("Mul", [wk, lo_mask], f"{name}.lo")
    hi = g.node("Mul", [wk, hi_mask], f"{name}.hi")
    d6 = decide(hi, sb.t_e6, "e6")
    wm = g.node("Add", [lo, g.node("Mul", [hi, d6], f"{name}.hi_on")], f"{name}.w6")
    if b.skippable:
        wm = g.node("Mul", [wm, decide(lo, sb.t_e3, "e3")], f"{name}.w3")
    y = g.node("Conv", [h, wm], f"{name}.dw.conv", kernel_shape=[5, 5],
               strides=[b.stride, b.stride], pads=[2, 2, 2, 2], group=c)
    y = g.node("Relu", [g.bn(y, sb.dw_bn, f"{name}.dw.bn")], f"{name}.dw.relu")
    y = g.conv_bn(y, sb.project, f"{name}.project")
    return g.node("Add", [x, y], f"{name}.add") if b.residual else y


def export_supernet(model, path):
    """Write `model` (a supernet.Supernet, eval mode) to `path`."""
    model.eval()
    space = model.space
    g = GraphWriter()
    ring = np.ones((1, 1, 5, 5), np.float32)
    ring[:, :, 1:4, 1:4] = 0
    g.init("ring_mask", ring)
    g.init("core_mask", 1 - ring)
    x = g.conv_bn("input", model.stem, "stem")
    x = _mbconv(g, x, model.first, "block0")
    masks = {}
    for sb in model.blocks:
        x = _superblock(g, x, sb, f"block{sb.block.index}", masks)
    x = _mbconv(g, x, model.last, "block21")
    x = g.conv_bn(x, model.head.conv, "head")
    x = g.node("GlobalAveragePool", [x], "pool")
    x = g.node("Flatten", [x], "flatten")
    fc = model.head.fc
    x = g.node("Gemm", [x, g.init("fc.weight", fc.weight.detach().numpy()),
                        g.init("fc.bias", fc.bias.detach().numpy())], "fc", transB=1)
    g.nodes[-1].output[0] = "output"
    graph = helper.make_graph(
        g.nodes, "single_path_supernet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       [1, 3, space.resolution, space.resolution])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, space.num_classes])],
        g.inits)
    m = helper.make_model(graph, producer_name="coda_tools.spnas",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    helper.set_model_props(m, {"coda.supernet": "single-path-nas",
                               "coda.norm": model.norm_kind,
                               "coda.width": str(space.width)})
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m

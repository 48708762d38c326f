#!/usr/bin/env python3
"""NumPy reference of Coda's FLightNN arithmetic (power-of-two weights,
fixed-point activations), written independently of the C++ quantizer.

A layer with #coda.precision<terms, top, exponent_bits, activation_bits,
input_frac, output_frac> computes, in integers:

    xq  = clip(rint(x * 2^fi), -2^(b-1), 2^(b-1)-1)
    q   = greedy power-of-two code of w / 2^s, s = top - (2^eb - 1) + 1
    acc = sum q * xq + rint(bias * 2^(fi - s))           (int64)
    yq  = clip(rint(acc / 2^r)),  r = fi - s - fo (half to even)
    y   = yq * 2^-fo                                     (f32, exact)

`run` executes a sequential ONNX graph (Conv, Gemm, Relu, Clip, MaxPool,
GlobalAveragePool, Flatten/Reshape) with that arithmetic for the quantized
layers and float32 for the rest.
"""

import re

import numpy as np

PRECISION = re.compile(
    r"#coda\.precision<terms = \[([-\d, ]*)\], top = (-?\d+), exponent_bits = (\d+), "
    r"activation_bits = (\d+), input_frac = (-?\d+), output_frac = (-?\d+)>")


def parse_precisions(mlir_text):
    """The #coda.precision attributes of a module, in op order (None-free)."""
    out = []
    for m in PRECISION.finditer(mlir_text):
        terms = [int(t) for t in m.group(1).split(",")] if m.group(1).strip() else []
        out.append(dict(terms=np.array(terms), top=int(m.group(2)),
                        exponent_bits=int(m.group(3)), activation_bits=int(m.group(4)),
                        input_frac=int(m.group(5)), output_frac=int(m.group(6))))
    return out


def top_exponent(max_abs):
    """Exponent of the power of two nearest max_abs (ties up)."""
    if not max_abs > 0:
        return 0
    e = int(np.floor(np.log2(max_abs)))
    if 2.0 ** e > max_abs:
        e -= 1
    if 2.0 ** (e + 1) <= max_abs:
        e += 1
    return e + 1 if max_abs >= 1.5 * 2.0 ** e else e


def greedy_codes(v, terms, levels):
    """Greedy sum of `terms` powers of two (per element of v, float64 in
    units of the scale); each term nearest the remainder (ties away from
    zero), at most half the previous one. `terms` broadcasts against v."""
    v = np.asarray(v, dtype=np.float64)
    terms = np.broadcast_to(terms, v.shape)
    powers = np.concatenate([[0.0], 2.0 ** np.arange(levels)])
    code = np.zeros(v.shape, dtype=np.int64)
    rem = v.copy()
    limit = np.full(v.shape, 2.0 ** (levels - 1))
    for t in range(int(terms.max(initial=0))):
        dist = np.abs(np.abs(rem)[..., None] - powers)
        dist[powers > limit[..., None]] = np.inf
        # Ties go to the larger power: pick the last minimum.
        idx = len(powers) - 1 - np.argmin(dist[..., ::-1], axis=-1)
        term = np.where(t < terms, powers[idx], 0.0)
        signed = np.where(rem < 0, -term, term)
        code += signed.astype(np.int64)
        rem = rem - signed
        limit = np.where(term > 0, term / 2, 0.0)
    return code


def quantize_weights(w, filter_axis, precision):
    """Integer codes and scale exponent of weights w (float32)."""
    levels = 2 ** precision["exponent_bits"] - 1
    scale = precision["top"] - levels + 1
    terms = np.asarray(precision["terms"])
    shape = [1] * w.ndim
    shape[filter_axis] = -1
    codes = greedy_codes(np.ldexp(w.astype(np.float64), -scale), terms.reshape(shape), levels)
    return codes, scale


def quantize_fixed(x, frac, bits):
    hi = 2 ** (bits - 1) - 1
    scaled = np.rint(x.astype(np.float32) * np.float32(2.0 ** frac))
    return np.clip(scaled, -hi - 1, hi).astype(np.int64)


def requantize(acc, shift, frac, bits):
    hi = 2 ** (bits - 1) - 1
    if shift > 0:
        # Half to even, as ONNX QuantizeLinear (exact: |acc| < 2^53).
        acc = np.rint(acc.astype(np.float64) / 2.0 ** shift).astype(np.int64)
    elif shift < 0:
        acc = np.clip(acc, -hi - 1, hi) << (-shift)
    y = np.clip(acc, -hi - 1, hi)
    return (y.astype(np.float32) * np.float32(2.0 ** -frac)).astype(np.float32)


def conv2d(x, w, strides, pads, dilations, groups):
    """Direct NCHW convolution in x's dtype (int64 or float32)."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    wo = (wd + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, f, ho, wo), dtype=x.dtype)
    fg = f // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * fg:(g + 1) * fg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dilations[0]:i * dilations[0] + strides[0] * ho:strides[0],
                           j * dilations[1]:j * dilations[1] + strides[1] * wo:strides[1]]
                out[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch, ws[:, :, i, j])
    return out


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run(model, x, precisions):
    """Runs a sequential ONNX model on x; Conv/Gemm nodes take the next
    precision of `precisions` (None entries: fp32)."""
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env = {model.graph.input[0].name: x.astype(np.float32)}
    queue = list(precisions)
    for node in model.graph.node:
        a = _attrs(node)
        ins = [env[i] if i in env else inits.get(i) for i in node.input]
        op = node.op_type
        if op in ("Conv", "Gemm"):
            p = queue.pop(0) if queue else None
            bias = ins[2] if len(ins) > 2 else None
            if op == "Conv":
                k = ins[1].shape[2:]
                pads = a.get("pads", [0, 0, 0, 0])
                geo = (a.get("strides", [1, 1]), pads, a.get("dilations", [1, 1]), a.get("group", 1))
                w = ins[1]
                filter_axis = 0
            else:
                w = ins[1].T if a.get("transB", 0) else ins[1]  # K x N
                filter_axis = 1
            if p is None:
                if op == "Conv":
                    y = conv2d(ins[0], w, *geo)
                    y = y + (bias.reshape(1, -1, 1, 1) if bias is not None else 0)
                else:
                    y = ins[0] @ w + (bias if bias is not None else 0)
                out = y.astype(np.float32)
            else:
                bits, fi, fo = p["activation_bits"], p["input_frac"], p["output_frac"]
                xq = quantize_fixed(ins[0], fi, bits)
                q, s = quantize_weights(w, filter_axis, p)
                acc = conv2d(xq, q, *geo) if op == "Conv" else xq @ q
                if bias is not None:
                    bq = np.rint(np.ldexp(bias.astype(np.float64), fi - s)).astype(np.int64)
                    acc = acc + (bq.reshape(1, -1, 1, 1) if op == "Conv" else bq)
                out = requantize(acc, fi - s - fo, fo, bits)
        elif op == "Relu":
            out = np.maximum(ins[0], np.float32(0))
        elif op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else a.get("min", -np.inf)
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else a.get("max", np.inf)
            out = np.clip(ins[0], np.float32(lo), np.float32(hi))
        elif op == "MaxPool":
            k, s = a["kernel_shape"], a.get("strides", [1, 1])
            n, c, h, wd = ins[0].shape
            ho, wo = (h - k[0]) // s[0] + 1, (wd - k[1]) // s[1] + 1
            out = np.full((n, c, ho, wo), -np.inf, dtype=np.float32)
            for i in range(k[0]):
                for j in range(k[1]):
                    out = np.maximum(out, ins[0][:, :, i:i + s[0] * ho:s[0], j:j + s[1] * wo:s[1]])
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True, dtype=np.float32)
        elif op in ("Flatten", "Reshape"):
            out = ins[0].reshape(ins[0].shape[0], -1)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return env[model.graph.output[0].name]

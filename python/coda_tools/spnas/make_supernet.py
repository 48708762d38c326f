#!/usr/bin/env python3
"""Write a random (untrained) supernet whose thresholds select a given
architecture, with ONNX Runtime's output as a reference.

Usage: make_supernet.py --out DIR [--width W] [--resolution R] [--classes N]
                        [--seed S] [--norm l2|l2sq]
                        [--arch 'k3_e6,skip,...' | --arch FILE.json | --rotate K]

--rotate K gives searchable block i the choice CHOICES[(i + K) % 5] (four
choices where the block cannot be skipped), so K = 0..4 covers all five
choices at every position. Writes

  DIR/supernet.onnx                          the supernet (docs/Supernet.md)
  DIR/arch.json                              the encoded choices, per block
  DIR/supernet/test_data_set_0/{input_0,output_0}.pb
                                             a random input and ORT's output
                                             (PyTorch's where ORT is absent)

Run with an interpreter that has torch and onnx (.venv/bin/python also has
onnxruntime). Deterministic for a given seed.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from coda_tools.spnas import child, export, space, supernet  # noqa: E402


def rotated(sp, k):
    out = []
    for i, b in enumerate(sp.searchable()):
        n = 5 if b.skippable else 4
        out.append(space.CHOICES[(i + k) % n])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--norm", choices=supernet.NORMS, default="l2")
    ap.add_argument("--child-onnx", help="also export the child network of the "
                    "encoded choices (random weights, torch.onnx) to this path")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--arch")
    group.add_argument("--rotate", type=int)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    sp = space.make_space(args.width, args.resolution, args.classes)
    model = supernet.Supernet(sp, args.norm)
    supernet.randomize_bn(model, gen)
    if args.arch:
        text = open(args.arch).read() if os.path.exists(args.arch) else args.arch
        choices = space.parse_arch(text, sp)
    else:
        choices = rotated(sp, args.rotate or 0)
    model.encode(choices)
    model.eval()

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "supernet.onnx")
    export.export_supernet(model, path)
    blocks = [{"block": b.index, "choice": c, "block_string": space.mnasnet_string(c, b)}
              for c, b in zip(choices, sp.searchable())]
    with open(os.path.join(args.out, "arch.json"), "w") as f:
        json.dump({"choices": choices, "blocks": blocks}, f, indent=1)

    x = torch.randn(1, 3, args.resolution, args.resolution, generator=gen)
    with torch.no_grad():
        y = model(x).numpy()
    try:
        import onnxruntime as ort
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        y_ort = sess.run(None, {"input": x.numpy()})[0]
        diff = float(np.abs(y_ort - y).max())
        if diff > 1e-4:
            sys.exit(f"error: ONNX Runtime and PyTorch differ by {diff}")
        y = y_ort
    except ImportError:
        pass
    data = os.path.join(args.out, "supernet", "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for name, value in (("input_0", x.numpy()), ("output_0", y)):
        with open(os.path.join(data, name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32)).SerializeToString())
    if args.child_onnx:
        net = child.build_child(sp, choices).eval()
        torch.onnx.export(net, x, args.child_onnx, input_names=["input"],
                          output_names=["output"], opset_version=13)
    print(",".join(choices))


if __name__ == "__main__":
    main()

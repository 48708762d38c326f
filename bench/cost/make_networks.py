#!/usr/bin/env python3
"""Random networks of the Single-Path NAS / MobileNetV2 space for the cost
model benchmark, exported to ONNX (opset 13, batch 1, BN folded by torch).

  train-NN.onnx    width 0.75/1.0/1.3 x resolution 160/192/224, except the
                   held-out configuration: the layers to fit on
  heldout-NN.onnx  the paper's space (width 1.0, 224x224): networks to predict,
                   whose layer shapes the training networks never have

Uses python/coda_tools/spnas (space + child builder). Deterministic per seed.
"""
import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import torch  # noqa: E402

from coda_tools.spnas.child import build_child  # noqa: E402
from coda_tools.spnas.space import CHOICES, make_space  # noqa: E402


def random_choices(space, rng):
    return [rng.choice(CHOICES if b.skippable else CHOICES[:4]) for b in space.searchable()]


def export(net, resolution, path):
    net.eval()
    torch.manual_seed(0)
    # Keep activations well scaled (no denormals) in the random network.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_var.fill_(1.0)
            m.weight.data.uniform_(0.5, 1.0)
    x = torch.randn(1, 3, resolution, resolution)
    torch.onnx.export(net, x, str(path), opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--train", type=int, default=16)
    ap.add_argument("--heldout", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    jobs = []
    configs = [(w, r) for w in (0.75, 1.0, 1.3) for r in (160, 192, 224)
               if (w, r) != (1.0, 224)]
    for i in range(args.train):
        width, res = configs[i % len(configs)]
        jobs.append((f"train-{i:02d}", width, res))
    for i in range(args.heldout):
        jobs.append((f"heldout-{i:02d}", 1.0, 224))
    for name, width, res in jobs:
        path = args.out / f"{name}.onnx"
        space = make_space(width=width, resolution=res, num_classes=1000)
        choices = random_choices(space, rng)  # drawn even when cached: same sequence
        if path.exists():
            continue
        export(build_child(space, choices), res, path)
        (args.out / f"{name}.arch").write_text(
            f"width={width} resolution={res} choices={','.join(choices)}\n")
        print(f"{name}: width {width}, {res}x{res}", flush=True)


if __name__ == "__main__":
    main()

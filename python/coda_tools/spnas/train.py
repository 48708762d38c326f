#!/usr/bin/env python3
"""A small end-to-end Single-Path NAS search on scikit-learn's digits.

Usage: train.py --out DIR [--epochs 15] [--width 0.25] [--resolution 32]
                [--lam 0.5] [--threshold-lr 0.1] [--latency-table FILE] [--fixed-ms MS] [--seed 0]

Trains the supernet (weights and thresholds together) with
CE + lam * ln(R), R the differentiable runtime from a per-block latency table
(default: the published Pixel-1 table; or one exported for any platform by
`coda-opt supernet.onnx --coda-export-latency-table=platform=P`), then writes

  DIR/supernet.onnx                         Coda's supernet format
  DIR/supernet/test_data_set_0/*.pb         one held-out digit, ORT/PyTorch output
  DIR/train.json                            accuracy, choices, predicted R

The 1797 8x8 digits are upsampled to RESOLUTION x RESOLUTION (bilinear, the
grey level copied to 3 channels); 80 % train, 20 % held out. A few minutes on
2 cores (run it under nice). Needs /usr/bin/python3 (torch, sklearn, onnx).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from coda_tools.spnas import export, space, supernet  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def digits(resolution, seed):
    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    x = torch.nn.functional.interpolate(x, size=(resolution, resolution), mode="bilinear",
                                        align_corners=False)
    x = ((x - 0.3) / 0.4).repeat(1, 3, 1, 1)
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n = int(0.8 * len(y))
    return (x[perm[:n]], y[perm[:n]]), (x[perm[n:]], y[perm[n:]])


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return float((model(x).argmax(1) == y).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--lam", type=float, default=0.5)
    ap.add_argument("--latency-table", default=os.path.join(DATA, "pixel1_runtime_model.json"))
    ap.add_argument("--fixed-ms", type=float, default=19.5999)
    ap.add_argument("--threshold-lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    table = json.load(open(args.latency_table))
    if table.get("schema") == "coda.latency-table/1":  # coda-export-latency-table
        args.fixed_ms = table["fixed_ms"]
        table = {str(b["block"]): {key: b[c] for c, key in space.TABLE_KEYS.items()}
                 for b in table["blocks"]}
    sp = space.make_space(args.width, args.resolution, 10)
    model = supernet.Supernet(sp)
    (xtr, ytr), (xte, yte) = digits(args.resolution, args.seed)

    opt = torch.optim.Adam([{"params": model.weights(), "lr": 3e-3, "weight_decay": 1e-4},
                            {"params": model.thresholds(), "lr": args.threshold_lr}])
    steps = args.epochs * ((len(ytr) + 63) // 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[3e-3, args.threshold_lr], total_steps=steps)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(ytr))
        for i in range(0, len(ytr), 64):
            idx = perm[i:i + 64]
            r = model.latency_ms(table, args.fixed_ms)
            loss = supernet.loss(model(xtr[idx]), ytr[idx], r, args.lam)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            r = float(model.latency_ms(table, args.fixed_ms))
        print(f"epoch {epoch + 1:2d}: loss {float(loss):.3f} held-out accuracy "
              f"{accuracy(model, xte, yte):.4f} R {r:.2f} ms  "
              f"{','.join(model.choices())}  ({time.time() - start:.0f} s)", flush=True)

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "supernet.onnx")
    export.export_supernet(model, path)
    x = xte[:1]
    with torch.no_grad():
        y = model(x).numpy()
    data = os.path.join(args.out, "supernet", "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for name, value in (("input_0", x.numpy()), ("output_0", y)):
        with open(os.path.join(data, name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32)).SerializeToString())
    choices = model.choices()
    summary = {
        "data": "sklearn digits, upsampled to %dx%d, 80/20 split (seed %d)"
                % (args.resolution, args.resolution, args.seed),
        "width": args.width, "resolution": args.resolution, "epochs": args.epochs,
        "lambda": args.lam, "threshold_lr": args.threshold_lr, "latency_table": os.path.basename(args.latency_table),
        "heldout_accuracy": accuracy(model, xte, yte),
        "heldout_samples": len(yte),
        "choices": choices,
        "predicted_ms_table": space.table_latency_ms(table, args.fixed_ms, choices, sp),
        "train_seconds": round(time.time() - start, 1),
    }
    with open(os.path.join(args.out, "train.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()

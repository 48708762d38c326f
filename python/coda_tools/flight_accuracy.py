#!/usr/bin/env python3
"""FLightNN accuracy and energy: writes docs/benchmarks/flight-accuracy.md.

Usage (repository root, after scripts/test.sh built build/models):

  /usr/bin/python3 python/coda_tools/flight_accuracy.py [--build build]
      [--models resnet18,mobilenet_v2,...] [--samples 16] [--out FILE]

1. Trains a small CNN on scikit-learn's digits with Debian's torch (fixed
   seed, 1437 train / 360 held-out 8x8 images, a few seconds), exports it to
   ONNX with the held-out set as one batch, and compiles and runs it with
   Coda in fp32 and with coda-assign-precision in several modes (uniform
   k=1 / k=2, first and last layers pinned to fp32; budget modes when a
   platform is given), calibrated on 360 training images. Reports held-out
   accuracy, the share of filters with two terms and, when the module has
   `coda.cost` (coda-predict-cost), the predicted energy.
2. On the torchvision models (random weights, build/models): per-layer
   relative weight error ||w - q|| / ||w|| of k=1 and k=2 (from the pass's
   report) and top-1 agreement of the quantized with the fp32 model on
   random standard-normal inputs.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}:\n{p.stderr[-3000:]}")
    return p.stdout + p.stderr


def train_digits(out_dir, seed=0):
    import torch
    from sklearn.datasets import load_digits
    torch.manual_seed(seed)
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None]
    y = d.target.astype(np.int64)
    idx = np.random.default_rng(seed).permutation(len(x))
    train, test = idx[:1437], idx[1437:]
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10))
    opt = torch.optim.Adam(net.parameters(), 3e-3)
    xt, yt = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    for _ in range(40):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt[b]), yt[b]).backward()
            opt.step()
    net.eval()
    model = os.path.join(out_dir, "digits.onnx")
    torch.onnx.export(net, torch.from_numpy(x[test]), model, opset_version=13,
                      input_names=["image"], output_names=["logits"])
    np.save(os.path.join(out_dir, "test_x.npy"), x[test])
    # Calibration: one batch of training digits (the model takes 360 at once).
    np.save(os.path.join(out_dir, "cal.npy"), x[train[:len(test)]])
    with torch.no_grad():
        torch_acc = float((net(torch.from_numpy(x[test])).argmax(1).numpy() == y[test]).mean())
    return model, y[test], torch_acc


def compile_and_run(tools, src, inp, work, tag):
    lib = os.path.join(work, tag + ".so")
    run([os.path.join(tools, "coda-compile"), src, "-o", lib])
    out = os.path.join(work, tag + ".out")
    run([os.path.join(tools, "coda-run"), lib, f"--input={inp}", f"--output-dir={out}"])
    return np.load(os.path.join(out, "output_0.npy"))


def quantize(tools, model, options, out, report):
    run([os.path.join(tools, "coda-opt"), model,
         f"--coda-assign-precision={options} report={report}", "-o", out])
    with open(report) as f:
        return json.load(f)


def predicted_energy(tools, src, platform):
    """The module's predicted energy in mJ (coda-predict-cost)."""
    text = run([os.path.join(tools, "coda-opt"), src,
                f"--coda-predict-cost=platform={platform}",
                "--mlir-elide-resource-strings-if-larger=16"])
    import re
    m = re.search(r"module attributes \{coda.cost = #coda.cost<[^>]*?energy = ([-0-9.eE+]+)", text)
    return float(m.group(1))


def digits_table(tools, work, configs, platform, budget_fractions):
    model, labels, torch_acc = train_digits(work)
    x = os.path.join(work, "test_x.npy")
    cal = os.path.join(work, "cal.npy")
    fp32 = compile_and_run(tools, model, x, work, "fp32")
    e_fp32 = predicted_energy(tools, model, platform)
    rows = [["fp32", f"{(fp32.argmax(1) == labels).mean() * 100:.1f}", "-", "-", "-",
             f"{e_fp32 * 1e6:.1f}", "1.00"]]
    energies = {}

    def add(name, options):
        mlir = os.path.join(work, "".join(c if c.isalnum() else "_" for c in name) + ".mlir")
        layers = quantize(tools, model, f"{options} calibration={cal}", mlir, mlir + ".json")
        y = compile_and_run(tools, mlir, x, work, os.path.basename(mlir))
        e = predicted_energy(tools, mlir, platform)
        energies[name] = e
        filters = sum(l["filters"] for l in layers)
        two = sum(l["filters_k2"] for l in layers)
        err = max(l["weight_rel_error"] for l in layers)
        rows.append([name, f"{(y.argmax(1) == labels).mean() * 100:.1f}",
                     f"{(y.argmax(1) == fp32.argmax(1)).mean() * 100:.1f}",
                     f"{two}/{filters}", f"{err:.3f}", f"{e * 1e6:.1f}",
                     f"{e_fp32 / e:.1f}"])

    for name, options in configs:
        add(name, options)
    lo, hi = energies["k=1"], energies["k=2"]
    for f in budget_fractions:
        budget = lo + f * (hi - lo)
        add(f"budget {budget * 1e6:.1f} nJ", f"mode=budget platform={platform} "
            f"energy-budget={budget:.6g}")
    return torch_acc, rows


def torchvision_tables(tools, build, work, models, samples):
    summary, detail = [], {}
    rng = np.random.default_rng(0)
    for name in models:
        model = os.path.join(build, "models", name + ".onnx")
        inputs = []
        for i in range(samples):
            p = os.path.join(work, f"{name}_in{i}.npy")
            np.save(p, rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
            inputs.append(p)
        libs = {"fp32": os.path.join(work, name + ".fp32.so")}
        run([os.path.join(tools, "coda-compile"), model, "-o", libs["fp32"]])
        reports = {}
        for k in (1, 2):
            mlir = os.path.join(work, f"{name}.k{k}.mlir")
            reports[k] = quantize(tools, model, f"k={k}", mlir, mlir + ".json")
            libs[k] = os.path.join(work, f"{name}.k{k}.so")
            run([os.path.join(tools, "coda-compile"), mlir, "-o", libs[k]])
        top1 = {"fp32": [], 1: [], 2: []}
        for i, p in enumerate(inputs):
            for key, lib in libs.items():
                out = os.path.join(work, f"{name}_{key}_{i}")
                run([os.path.join(tools, "coda-run"), lib, f"--input={p}", f"--output-dir={out}"])
                top1[key].append(int(np.load(os.path.join(out, "output_0.npy")).argmax()))
        agree = {k: np.mean(np.array(top1[k]) == np.array(top1["fp32"])) * 100 for k in (1, 2)}
        errs = {k: np.array([l["weight_rel_error"] for l in reports[k]]) for k in (1, 2)}
        summary.append([name, str(len(errs[1])),
                        f"{np.median(errs[1]):.3f}", f"{errs[1].max():.3f}",
                        f"{np.median(errs[2]):.3f}", f"{errs[2].max():.3f}",
                        f"{agree[1]:.0f}", f"{agree[2]:.0f}"])
        detail[name] = [(l1["name"], l1["macs"], l1["weight_rel_error"], l2["weight_rel_error"])
                        for l1, l2 in zip(reports[1], reports[2])]
        print(f"{name}: done", file=sys.stderr)
    return summary, detail


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--models", default="mobilenet_v2,mnasnet1_0,efficientnet_b0,resnet18,"
                                        "resnet50,squeezenet1_1,shufflenet_v2_x1_0")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--detail", default="resnet18")
    ap.add_argument("--out", default="docs/benchmarks/flight-accuracy.md")
    ap.add_argument("--platform", default="test/Transforms/inputs/flight-platform.json",
                    help="platform for predicted energy (without a power model the "
                         "energy is the analytical Horowitz model either way)")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
    from benchlib import markdown_table
    tools = os.path.join(args.build, "bin")
    configs = [("k=1", "k=1"), ("k=2", "k=2"),
               ("k=1, first/last fp32", "k=1 pinned=first,last"),
               ("k=2, 16-bit activations", "k=2 activation-bits=16")]
    with tempfile.TemporaryDirectory() as work:
        torch_acc, digits = digits_table(tools, work, configs, args.platform,
                                         (0.25, 0.5, 0.75))
        summary, detail = torchvision_tables(tools, args.build, work,
                                             args.models.split(","), args.samples)
    lines = [
        "# FLightNN accuracy",
        "",
        "Produced by `/usr/bin/python3 python/coda_tools/flight_accuracy.py`.",
        "",
        "## A trained CNN: scikit-learn digits",
        "",
        "Conv 3x3 (16) → conv 3x3 s2 (32) → conv 3x3 (32) → global average → dense (10), "
        "trained with torch (40 epochs, Adam); 360 held-out digits in one batch, "
        f"PyTorch's own held-out accuracy {torch_acc * 100:.1f} %. Quantized with "
        "`coda-assign-precision` (3-bit exponents, 8-bit activations unless stated, "
        "calibrated on 360 training digits), compiled and run by Coda.",
        "",
        markdown_table(["precision", "accuracy %", "top-1 = fp32 %", "filters with k=2",
                        "max layer weight error", "predicted energy nJ", "fp32 / this"],
                       digits),
        "",
        f"Predicted energy: `coda-predict-cost` with `{args.platform}`, whose layers have no "
        "power model, so energy is the analytical Horowitz 45 nm estimate (fp32 MACs vs "
        "shift-add MACs with 1/2 terms, memory traffic at the stored widths); budget rows "
        "use `mode=budget` with targets between the k=1 and k=2 predictions.",
        "",
        "## torchvision models (random weights)",
        "",
        "Relative weight error ||w − q|| / ||w|| per conv/gemm layer (median and max over "
        f"the layers), and top-1 agreement of the quantized model with fp32 on {args.samples} "
        "random standard-normal inputs (8-bit activations, default calibration). With random "
        "weights the logits are close together, so agreement is a harsh test of small "
        "perturbations, not a proxy for accuracy.",
        "",
        markdown_table(["model", "layers", "k=1 median", "k=1 max", "k=2 median", "k=2 max",
                        "top-1 agree k=1 %", "top-1 agree k=2 %"], summary),
    ]
    if args.detail in detail:
        lines += ["", f"Per layer, {args.detail}:", "",
                  markdown_table(["layer", "MACs", "k=1 error", "k=2 error"],
                                 [[n, str(m), f"{a:.4f}", f"{b:.4f}"]
                                  for n, m, a, b in detail[args.detail]])]
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Single-Path NAS benchmark: collapse speed, the shipped example's accuracy,
and its collapsed network's latency (measured vs predicted).

Usage (repository root): .venv/bin/python bench/spnas_bench.py
    [--build build] [--example examples/spnas-digits] [--runs 200]
    [--platform host-cpu] [--out docs/benchmarks/spnas.md]

1. Collapse time. Makes the full-size (224x224, width 1.0, 1000 classes)
   22-block supernet whose thresholds encode the published Pixel-1 network
   (make_supernet.py) and runs `coda-opt supernet.onnx
   --coda-collapse-supernet --mlir-timing` five times: the pass's own wall
   time from MLIR's timing report, and the whole command (import included).
2. Accuracy. The example supernet and its collapsed network (exported with
   coda-translate --export-onnx), both run by ONNX Runtime over the
   held-out digits the example was trained without (same split as
   python/coda_tools/spnas/train.py).
3. Latency, batch 1, one thread: the collapsed network compiled by Coda
   (coda-run --bench) and ONNX Runtime on the exported collapsed ONNX in the
   same run, and the platform's prediction for the collapsed network
   (coda-opt --coda-predict-cost) where the platform exists.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import markdown_table  # noqa: E402


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode:
        sys.exit(f"error: {' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return out


def collapse_times(build, work):
    sn = os.path.join(work, "pixel1")
    run([sys.executable, "python/coda_tools/spnas/make_supernet.py", "--out", sn,
         "--width", "1.0", "--resolution", "224", "--classes", "1000", "--arch",
         "python/coda_tools/spnas/data/spnasnet_pixel1_arch.json"])
    model = os.path.join(sn, "supernet.onnx")
    passes, totals = [], []
    for _ in range(5):
        start = time.perf_counter()
        out = run([f"{build}/bin/coda-opt", model, "--coda-collapse-supernet=report=",
                   "--mlir-timing", "-o", os.devnull])
        totals.append(time.perf_counter() - start)
        m = re.search(r"([0-9.]+) \([ 0-9.]+%\)\s+CodaCollapseSupernet", out.stderr)
        if not m:
            sys.exit("error: no CodaCollapseSupernet line in the timing report")
        passes.append(float(m.group(1)))
    return statistics.median(passes), statistics.median(totals), os.path.getsize(model)


def heldout_digits(train_json):
    from coda_tools.spnas.train import digits
    info = json.load(open(train_json))
    seed = int(re.search(r"seed (\d+)", info["data"]).group(1))
    _, (x, y) = digits(info["resolution"], seed)
    return x.numpy(), y.numpy(), info


def accuracy(model, x, y):
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    hits = sum(int(sess.run(None, {name: x[i:i + 1]})[0].argmax() == y[i]) for i in range(len(y)))
    return hits / len(y)


def ort_latency_ms(model, x, runs):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    for _ in range(20):
        sess.run(None, {name: x})
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        sess.run(None, {name: x})
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--example", default="examples/spnas-digits")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--platform", default="host-cpu")
    ap.add_argument("--out")
    args = ap.parse_args()
    tools = f"{args.build}/bin"

    with tempfile.TemporaryDirectory() as work:
        pass_s, total_s, size = collapse_times(args.build, work)

        ex = args.example
        collapsed = os.path.join(work, "collapsed.mlir")
        run([f"{tools}/coda-opt", f"{ex}/supernet.onnx", "--coda-collapse-supernet=report=",
             "-canonicalize", "-o", collapsed])
        exported = os.path.join(work, "collapsed.onnx")
        run([f"{tools}/coda-translate", "--export-onnx", collapsed, "-o", exported])
        x, y, info = heldout_digits(f"{ex}/train.json")
        acc_super = accuracy(f"{ex}/supernet.onnx", x, y)
        acc_collapsed = accuracy(exported, x, y)

        lib = os.path.join(work, "collapsed.so")
        run([f"{tools}/coda-compile", collapsed, "-o", lib])
        inp = os.path.join(work, "x.npy")
        np.save(inp, x[:1])
        env = dict(os.environ, OMP_NUM_THREADS="1", CODA_NUM_THREADS="1")
        out = run([f"{tools}/coda-run", lib, f"--input={inp}", f"--bench={args.runs}",
                   "--warmup=20"], env=env)
        coda_ms = float(re.search(r"median_ms=([0-9.]+)", out.stdout).group(1))
        ort_ms = ort_latency_ms(exported, x[:1], args.runs)
        predicted = None
        pred = subprocess.run([f"{tools}/coda-opt", collapsed, "--mlir-elide-elementsattrs-if-larger=1",
                               "--mlir-elide-resource-strings-if-larger=1",
                               f"--coda-predict-cost=platform={args.platform}"],
                              capture_output=True, text=True)
        m = re.search(r"module attributes \{coda.cost = #coda.cost<latency = ([0-9.e+-]+)",
                      pred.stdout)
        if pred.returncode == 0 and m:
            predicted = float(m.group(1))
        else:
            print(f"note: no prediction on '{args.platform}': {pred.stderr.strip()[:300]}",
                  file=sys.stderr)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "unknown CPU")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    lines = [f"Single-Path NAS benchmark: {cpu}, {datetime.date.today()}, "
             f"ONNX Runtime {ort.__version__}, Coda {commit}", ""]
    lines.append(markdown_table(
        ["collapse (full-size Pixel-1 supernet, 22 blocks, 224x224)", "value"],
        [["supernet ONNX size MB", f"{size / 1e6:.1f}"],
         ["coda-collapse-supernet pass, median of 5 (s)", f"{pass_s:.3f}"],
         ["coda-opt import + collapse, whole command (s)", f"{total_s:.3f}"]]))
    lines.append("")
    lines.append(markdown_table(
        [f"example {ex} ({info['heldout_samples']} held-out digits)", "value"],
        [["architecture", ",".join(info["choices"])],
         ["accuracy, supernet (ONNX Runtime)", f"{acc_super:.4f}"],
         ["accuracy, collapsed + exported (ONNX Runtime)", f"{acc_collapsed:.4f}"]]))
    lines.append("")
    pred_cell = f"{predicted:.4f}" if predicted is not None else "n/a (no platform)"
    ratio = f"{coda_ms / predicted:.2f}" if predicted else "n/a"
    lines.append(markdown_table(
        ["collapsed example, batch 1, 1 thread", "ms"],
        [["Coda measured (coda-run median)", f"{coda_ms:.4f}"],
         ["ONNX Runtime measured (median, same run)", f"{ort_ms:.4f}"],
         ["Coda / ONNX Runtime", f"{coda_ms / ort_ms:.2f}"],
         [f"predicted ({args.platform})", pred_cell],
         ["Coda measured / predicted", ratio]]))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

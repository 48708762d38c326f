#!/usr/bin/env python3
"""How long coda-predict-cost takes to annotate a large model.

Writes a chain of N ops (3x3 conv, ReLU, 1x1 conv, residual add, repeated;
N = 1000 by default) and times the pass with `coda-opt --mlir-timing`
(wall time of the pass alone, platform file loading included), median of 5.

  /usr/bin/python3 bench/cost_annotate_bench.py [--ops 1000] [--platform host-cpu]
"""
import argparse
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODA_OPT = ROOT / "build" / "bin" / "coda-opt"


def make_module(ops):
    t = "tensor<1x16x14x14xf32>"
    lines = ["func.func @main(%x: " + t + ") -> " + t + " {",
             "  %w3 = coda.constant dense<0.01> : tensor<16x16x3x3xf32>",
             "  %w1 = coda.constant dense<0.01> : tensor<16x16x1x1xf32>",
             "  %b = coda.constant dense<0.1> : tensor<16xf32>"]
    prev, n = "%x", 0
    while n < ops:
        i = n
        lines += [
            f"  %c{i} = coda.conv2d {prev}, %w3, %b {{pads = array<i64: 1, 1, 1, 1>}} : "
            f"({t}, tensor<16x16x3x3xf32>, tensor<16xf32>) -> {t}",
            f"  %r{i} = coda.relu %c{i} : {t}",
            f"  %p{i} = coda.conv2d %r{i}, %w1, %b : ({t}, tensor<16x16x1x1xf32>, tensor<16xf32>) -> {t}",
            f"  %a{i} = coda.add %p{i}, {prev} : ({t}, {t}) -> {t}"]
        prev, n = f"%a{i}", n + 4
    lines += [f"  return {prev} : {t}", "}"]
    return "\n".join(lines) + "\n", n


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--platform", default="host-cpu")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    text, n = make_module(args.ops)
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(text)
        f.flush()
        times = []
        for _ in range(args.repeats):
            out = subprocess.run([str(CODA_OPT), f.name, "--mlir-timing",
                                  f"--coda-predict-cost=platform={args.platform}",
                                  "-o", "/dev/null"], capture_output=True, text=True,
                                 check=True).stderr
            m = re.search(r"([0-9.]+) \(\s*[0-9.]+%\)\s+CodaPredictCost", out)
            times.append(float(m.group(1)) * 1000)
    ms = statistics.median(times)
    print("| ops | platform | coda-predict-cost ms (median of %d) | budget ms |" % args.repeats)
    print("|---:|---|---:|---:|")
    print(f"| {n} | {args.platform} | {ms:.1f} | 100 |")


if __name__ == "__main__":
    main()

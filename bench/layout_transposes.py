#!/usr/bin/env python3
"""Count the transposes that coda-propagate-layout leaves in each model.

Usage (from the repository root):

  python3 bench/layout_transposes.py [--build build] [--models a,b,...]

For every model BUILD/models/NAME.onnx this imports it with coda-translate,
lowers it with `coda-opt --canonicalize --coda-lower-to-linalg=channels-last
--canonicalize` (the NHWC lowering wraps every convolution and pooling in
transposes), then runs `coda-propagate-layout` on the result, and counts the
`linalg.transpose` ops before and after, together with the elements they
move (the sum of their result sizes: the bytes they copy, over 4). The pass
time is coda-opt's own `--mlir-timing` figure for it. Prints a Markdown
table.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

from benchlib import markdown_table

TRANSPOSE = re.compile(r"linalg\.transpose .*outs\(%\S+ : tensor<([0-9x]+)x\w+>\)")
PASS_TIME = re.compile(r"([0-9.]+) \(\s*[0-9.]+%\)\s+CodaPropagateLayout")


def transposes(text):
    """(count, elements moved) of the linalg.transpose ops in `text`."""
    sizes = []
    for match in TRANSPOSE.finditer(text):
        elements = 1
        for dim in match.group(1).split("x"):
            elements *= int(dim)
        sizes.append(elements)
    return len(sizes), sum(sizes)


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr}")
    return result


def measure(build, name, tmp):
    bin_dir = os.path.join(build, "bin")
    model = os.path.join(build, "models", name + ".onnx")
    imported = os.path.join(tmp, name + ".mlir")
    lowered = os.path.join(tmp, name + "-nhwc.mlir")
    run([os.path.join(bin_dir, "coda-translate"), "--import-onnx", model,
         "-o", imported])
    run([os.path.join(bin_dir, "coda-opt"), "--canonicalize",
         "--coda-lower-to-linalg=channels-last", "--canonicalize", imported,
         "-o", lowered])
    propagated = run([os.path.join(bin_dir, "coda-opt"), "--mlir-timing",
                      "--mlir-elide-resource-strings-if-larger=1",
                      "--pass-pipeline=builtin.module(func.func("
                      "coda-propagate-layout))", lowered])
    with open(lowered) as f:
        before = transposes(f.read())
    after = transposes(propagated.stdout)
    seconds = PASS_TIME.search(propagated.stderr)
    return before, after, float(seconds.group(1)) if seconds else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--models", default="efficientnet_b0,mnasnet1_0,"
                        "mobilenet_v2,resnet18,resnet50,shufflenet_v2_x1_0,"
                        "squeezenet1_1")
    args = parser.parse_args()
    rows = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="coda-layout-") as tmp:
        for name in args.models.split(","):
            try:
                (n0, e0), (n1, e1), seconds = measure(args.build, name, tmp)
            except RuntimeError as err:
                print(err, file=sys.stderr)
                rows.append([name] + ["fail"] * 5)
                status = 1
                continue
            rows.append([name, str(n0), str(n1), f"{e0 / 1e6:.2f}",
                         f"{e1 / 1e6:.2f}",
                         f"{seconds:.3f}" if seconds is not None else "n/a"])
    print(markdown_table(["model", "transposes (NHWC lowering)",
                          "after coda-propagate-layout",
                          "M elements moved before", "after",
                          "pass s"], rows))
    return status


if __name__ == "__main__":
    sys.exit(main())

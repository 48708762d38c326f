#!/usr/bin/env python3
"""Benchmark FLightNN integer code against fp32 on this CPU.

Usage (repository root, project venv):

  .venv/bin/python bench/flight_bench.py [--models resnet18,mobilenet_v2]
      [--runs 20] [--warmup 5] [--build build] [--out docs/benchmarks/flight.md]

For every model BUILD/models/NAME.onnx (made by scripts/test.sh):

1. `coda-opt --coda-assign-precision="k=2"` quantizes every conv/gemm
   (int8 weights, 8-bit activations, default calibration) and
   `coda-translate --export-onnx` writes the QDQ model;
2. `coda-compile` builds the fp32 model and the quantized one;
3. on one thread (OMP_NUM_THREADS=1), alternately, `coda-run --bench` times
   both libraries and ONNX Runtime (all optimisations, 1 thread) times the
   fp32 model and the QDQ model, on BUILD/models/NAME/test_data_set_0/input_0.pb;
4. compares the quantized outputs of Coda and ONNX Runtime.

Prints a Markdown table of medians (ms) with the ratios int/fp32 for each
runtime.
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import markdown_table

import numpy as np
import onnxruntime as ort
from onnx import numpy_helper
import onnx


def run(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout + proc.stderr


def coda_median(tools, lib, inp, runs, warmup, env):
    out = run([os.path.join(tools, "coda-run"), lib, f"--input={inp}",
               f"--bench={runs}", f"--warmup={warmup}"], env)
    return float(re.search(r"median_ms=([0-9.]+)", out).group(1))


def ort_session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def ort_median(path, feed, runs, warmup):
    s = ort_session(path)
    for _ in range(warmup):
        s.run(None, feed)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        s.run(None, feed)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="resnet18,mobilenet_v2,squeezenet1_1")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--build", default="build")
    ap.add_argument("--out")
    args = ap.parse_args()
    tools = os.path.join(args.build, "bin")
    env = dict(os.environ, OMP_NUM_THREADS="1", CODA_NUM_THREADS="1")
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            model = os.path.join(args.build, "models", name + ".onnx")
            inp = os.path.join(args.build, "models", name, "test_data_set_0", "input_0.pb")
            try:
                q_mlir = os.path.join(tmp, name + ".k2.mlir")
                q_onnx = os.path.join(tmp, name + ".k2.onnx")
                fp_lib = os.path.join(tmp, name + ".fp32.so")
                q_lib = os.path.join(tmp, name + ".k2.so")
                t = time.perf_counter()
                run([os.path.join(tools, "coda-opt"), model,
                     "--coda-assign-precision=k=2", "-o", q_mlir])
                quantize_s = time.perf_counter() - t
                run([os.path.join(tools, "coda-translate"), "--export-onnx", q_mlir, "-o", q_onnx])
                run([os.path.join(tools, "coda-compile"), model, "-o", fp_lib])
                run([os.path.join(tools, "coda-compile"), q_mlir, "-o", q_lib])
                tensor = onnx.TensorProto()
                with open(inp, "rb") as f:
                    tensor.ParseFromString(f.read())
                x = numpy_helper.to_array(tensor)
                sess_in = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).get_inputs()[0].name
                feed = {sess_in: x}
                # Alternate the four measurements.
                c_fp = coda_median(tools, fp_lib, inp, args.runs, args.warmup, env)
                o_fp = ort_median(model, feed, args.runs, args.warmup)
                c_q = coda_median(tools, q_lib, inp, args.runs, args.warmup, env)
                o_q = ort_median(q_onnx, feed, args.runs, args.warmup)
                # The QDQ export computes what the integer code computes.
                out = os.path.join(tmp, name + ".out")
                run([os.path.join(tools, "coda-run"), q_lib, f"--input={inp}",
                     f"--output-dir={out}"], env)
                y_coda = np.load(os.path.join(out, "output_0.npy"))
                y_ort = ort_session(q_onnx).run(None, feed)[0]
                rows.append([name, f"{c_fp:.2f}", f"{c_q:.2f}", f"{c_q / c_fp:.2f}",
                             f"{o_fp:.2f}", f"{o_q:.2f}", f"{o_q / o_fp:.2f}",
                             f"{c_q / o_q:.2f}", f"{np.abs(y_coda - y_ort).max():.2g}",
                             f"{quantize_s:.1f}"])
            except Exception as e:  # report and continue
                print(f"{name}: {e}", file=sys.stderr)
                rows.append([name] + ["fail"] * 9)
                failed = True
    header = ["model", "Coda fp32", "Coda k=2 int8", "int/fp32",
              "ORT fp32", "ORT QDQ int8", "int/fp32 ", "Coda int / ORT QDQ",
              "max abs(Coda int - ORT QDQ)", "quantize s"]
    text = "\n".join([
        f"FLightNN integer code vs fp32, batch 1, one thread, median ms of {args.runs} runs; "
        f"{platform.processor() or platform.machine()}, {datetime.date.today()}, "
        f"onnxruntime {ort.__version__}.",
        "",
        markdown_table(header, rows),
        "",
        "Quantized: every conv/gemm with k=2 power-of-two terms per weight (int8 codes), "
        "8-bit activations (default calibration); ORT runs the exported QDQ model; "
        "the outputs column compares the two on the benchmark input. `quantize s` is "
        "coda-assign-precision including calibration on the host evaluator.",
    ])
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"# FLightNN integer code on the CPU\n\nProduced by `.venv/bin/python bench/flight_bench.py`.\n\n{text}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

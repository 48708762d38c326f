#!/usr/bin/env python3
"""Where a whole compiled network spends its time, layer by layer, next to
ONNX Runtime's per-node profile.

Usage (from the repository root, with onnxruntime: .venv/bin/python):

  .venv/bin/python bench/layer_profile.py [--build build] [--models a,b,...]
      [--runs 30] [--rounds 3] [--threads 1] [--top 10]

For every model BUILD/models/NAME.onnx this compiles it twice with
coda-compile, with and without --profile-layers, and in each of --rounds
rounds runs, one after the other:
  * coda-run on the plain library (--bench RUNS: the end-to-end median),
  * coda-run on the instrumented one (--bench RUNS --layer-profile-csv),
  * RUNS runs of an ONNX Runtime session with enable_profiling (CPU provider,
    intra_op_num_threads=THREADS, all graph optimizations), and RUNS timed
    runs of a session without profiling (its end-to-end median).
Both sides get OMP_NUM_THREADS=THREADS and the same input.

Layers are compared per layer group: every node of the ONNX graph belongs to
the group of a compute node (Conv, Gemm, MaxPool, Concat, ...); elementwise
followers (Relu, Clip, Add, Mul, Sigmoid, BatchNormalization, Flatten, ...)
join the group of their latest-produced input, since both compilers fuse them
into that node. Coda names its layers after ONNX nodes; ONNX Runtime names
fused nodes after a node or after one of the original graph's tensors (with
suffixes such as `_nchwc`), and both map to a group. ONNX Runtime's layout
conversions (ReorderInput/ReorderOutput) count under `(ort reorder)`.

The per-layer figure is the fastest run (Coda: coda_layer_stats.min_ns,
ONNX Runtime: the shortest `*_kernel_time` event of the node), the minimum
over all rounds: this machine is shared, and interference only adds time.
Prints, per model, the end-to-end medians, the instrumentation overhead and
the summed layer minima, then the --top groups in which Coda loses the most
time against ONNX Runtime over all models, and the top of each model.
"""

import argparse
import collections
import csv
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
import onnx
import onnxruntime as ort

from benchlib import cpu_name, markdown_table

DEFAULT_MODELS = "resnet50,squeezenet1_1,mobilenet_v2,efficientnet_b0"

# Nodes that fuse into the producer of their (latest) input.
FOLLOWERS = {
    "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish",
    "Tanh", "Mul", "Add", "Sub", "Div", "BatchNormalization", "Flatten",
    "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout",
}
BENCH = re.compile(r"median_ms=([0-9.eE+-]+)")


def layer_groups(model):
    """ONNX node name -> group, and tensor name -> group."""
    producer = {}
    order = {}
    node_group = {}
    tensor_group = {}
    for index, node in enumerate(model.graph.node):
        name = node.name or f"{node.op_type}_{index}"
        order[name] = index
        if node.op_type == "Constant":
            continue
        inputs = [t for t in node.input if t in producer]
        group = name
        if node.op_type in FOLLOWERS and inputs:
            latest = max(inputs, key=lambda t: order[producer[t]])
            group = node_group[producer[latest]]
        node_group[name] = group
        for tensor in node.output:
            producer[tensor] = name
            tensor_group[tensor] = group
    return node_group, tensor_group


def ort_group(name, op, node_group, tensor_group):
    if name in node_group:
        return node_group[name]
    if op in ("ReorderInput", "ReorderOutput"):
        return "(ort reorder)"
    candidates = [name]
    for suffix in ("_nchwc", "_token", "_fused"):
        if name.endswith(suffix):
            candidates.append(name[: -len(suffix)])
    for candidate in candidates:
        if candidate in tensor_group:
            return tensor_group[candidate]
        if candidate in node_group:
            return node_group[candidate]
    return f"(ort {op})"


def run(cmd, env):
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}"
                           f"{result.stderr}")
    return result.stdout


def bench_median(stdout):
    match = BENCH.search(stdout)
    if not match:
        raise RuntimeError("no median_ms in coda-run's output:\n" + stdout)
    return float(match.group(1))


def ort_sessions(path, threads, prefix):
    def options(profile):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.enable_profiling = profile
        so.profile_file_prefix = prefix
        return so
    make = lambda profile: ort.InferenceSession(
        path, options(profile), providers=["CPUExecutionProvider"])
    return make(True), make(False)


def ort_node_minima(profiled, warmup):
    """Per (node, op): the shortest kernel time in ms, after `warmup` runs."""
    events = json.load(open(profiled.end_profiling()))
    durations = collections.defaultdict(list)
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith(
                "_kernel_time"):
            continue
        key = (event["name"][: -len("_kernel_time")],
               event["args"].get("op_name", "?"))
        durations[key].append(event["dur"] / 1000.0)
    return {key: min(d[warmup:] or d) for key, d in durations.items()}


def profile_model(args, name, tmp):
    bin_dir = os.path.join(args.build, "bin")
    path = os.path.join(args.build, "models", name + ".onnx")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    plain = os.path.join(tmp, name + ".so")
    instrumented = os.path.join(tmp, name + "-layers.so")
    compile_cmd = [os.path.join(bin_dir, "coda-compile"), path]
    run(compile_cmd + ["-o", plain], env)
    run(compile_cmd + ["--profile-layers", "-o", instrumented], env)

    model = onnx.load(path)
    node_group, tensor_group = layer_groups(model)
    profiled, timed = ort_sessions(path, args.threads,
                                   os.path.join(tmp, name + "-ort"))
    # coda-run's generated input, so that both see the same data.
    inputs_dir = os.path.join(tmp, name + "-io")
    coda_run = os.path.join(bin_dir, "coda-run")
    run([coda_run, plain, "--output-dir", inputs_dir], env)
    x = np.load(os.path.join(inputs_dir, "input_0.npy"))
    feed = {profiled.get_inputs()[0].name: x}

    coda_plain, coda_instr, ort_e2e = [], [], []
    coda_min = {}
    layer_info = {}
    warmup = 5
    for _ in range(warmup):
        profiled.run(None, feed)
        timed.run(None, feed)
    for round_index in range(args.rounds):
        coda_plain.append(bench_median(run(
            [coda_run, plain, f"--bench={args.runs}"], env)))
        table = os.path.join(tmp, f"{name}-{round_index}.csv")
        coda_instr.append(bench_median(run(
            [coda_run, instrumented, f"--bench={args.runs}",
             "--layer-profile", f"--layer-profile-csv={table}"], env)))
        with open(table) as f:
            for row in csv.DictReader(f):
                layer = int(row["id"])
                layer_info[layer] = (row["layer"], row["kind"])
                coda_min[layer] = min(coda_min.get(layer, float("inf")),
                                      float(row["min_ms"]))
        for _ in range(args.runs):
            profiled.run(None, feed)
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            timed.run(None, feed)
            samples.append((time.perf_counter() - start) * 1000)
        ort_e2e.append(statistics.median(samples))
    ort_min = ort_node_minima(profiled, warmup)

    groups = collections.defaultdict(lambda: {"coda": 0.0, "ort": 0.0,
                                              "coda_kinds": collections.Counter(),
                                              "ort_ops": collections.Counter()})
    for layer, ms in coda_min.items():
        layer_name, kind = layer_info[layer]
        unnamed = f"(coda unnamed {kind})"
        group = node_group.get(layer_name,
                               unnamed if layer_name == "-" else layer_name)
        groups[group]["coda"] += ms
        groups[group]["coda_kinds"][kind] += 1
    for (node, op), ms in ort_min.items():
        group = ort_group(node, op, node_group, tensor_group)
        groups[group]["ort"] += ms
        groups[group]["ort_ops"][op] += 1
    return {
        "coda_plain": min(coda_plain),
        "coda_instr": min(coda_instr),
        "ort_e2e": min(ort_e2e),
        "coda_sum": sum(coda_min.values()),
        "ort_sum": sum(ort_min.values()),
        "layers": len(coda_min),
        "groups": groups,
    }


def describe(group):
    kinds = "+".join(f"{k}" if n == 1 else f"{n}x{k}"
                     for k, n in sorted(group["coda_kinds"].items()))
    ops = "+".join(f"{k}" if n == 1 else f"{n}x{k}"
                   for k, n in sorted(group["ort_ops"].items()))
    return kinds or "-", ops or "-"


def loss_rows(model_name, groups, top):
    ranked = sorted(groups.items(),
                    key=lambda item: item[1]["ort"] - item[1]["coda"])
    rows = []
    for group, g in ranked[:top]:
        kinds, ops = describe(g)
        ratio = f"{g['coda'] / g['ort']:.2f}" if g["ort"] > 0 else "-"
        rows.append([model_name, group, kinds, ops, f"{g['coda']:.3f}",
                     f"{g['ort']:.3f}", f"{g['coda'] - g['ort']:+.3f}", ratio])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--models", default=DEFAULT_MODELS)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    results = {}
    with tempfile.TemporaryDirectory(prefix="coda-layer-profile") as tmp:
        for name in args.models.split(","):
            print(f"profiling {name} ...", file=sys.stderr, flush=True)
            results[name] = profile_model(args, name, tmp)

    print(f"CPU: {cpu_name()} · load average {load} at start · date: "
          f"{started} · ONNX Runtime {ort.__version__} · threads="
          f"{args.threads} runs={args.runs} rounds={args.rounds} (end-to-end: "
          f"the best round's median; layers: the fastest run)\n")
    rows = []
    for name, r in results.items():
        overhead = 100 * (r["coda_instr"] / r["coda_plain"] - 1)
        rows.append([name, str(r["layers"]), f"{r['coda_plain']:.3f}",
                     f"{r['coda_instr']:.3f}", f"{overhead:+.1f}%",
                     f"{r['coda_sum']:.3f}", f"{r['ort_e2e']:.3f}",
                     f"{r['ort_sum']:.3f}",
                     f"{r['coda_plain'] / r['ort_e2e']:.2f}"])
    print(markdown_table(
        ["model", "layers", "coda ms", "coda+profile ms", "overhead",
         "coda layer sum", "ort ms", "ort node sum", "coda/ort"], rows))
    header = ["model", "layer group", "coda kinds", "ort ops", "coda ms",
              "ort ms", "loss ms", "coda/ort"]
    everything = []
    for name, r in results.items():
        everything += loss_rows(name, r["groups"], len(r["groups"]))
    everything.sort(key=lambda row: -float(row[6]))
    print(f"\nThe {args.top} layer groups where Coda loses the most time "
          f"against ONNX Runtime:\n")
    print(markdown_table(header, everything[: args.top]))
    for name, r in results.items():
        print(f"\n{name}:\n")
        print(markdown_table(header, loss_rows(name, r["groups"], args.top)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark models compiled by Coda against ONNX Runtime on the CPU.

Usage (from the repository root, with the project's virtual environment):

  .venv/bin/python bench/cpu_bench.py [--models mobilenet_v2,resnet50,...]
      [--runs 20] [--warmup 5] [--threads 1,2] [--build build]
      [--out docs/benchmarks/cpu.md]

For every model BUILD/models/NAME.onnx this script

1. compiles it with BUILD/bin/coda-compile into a temporary directory,
   recording the wall time and the peak RSS of the compile;
2. for each thread count T, alternately, times the library with
   `coda-run LIB --input=... --bench=RUNS --warmup=WARMUP` (with
   OMP_NUM_THREADS=CODA_NUM_THREADS=T in its environment) and an ONNX Runtime
   InferenceSession in this process (CPUExecutionProvider, all graph
   optimisations, intra_op_num_threads=T, inter_op_num_threads=1, sequential
   execution) on the same input, BUILD/models/NAME/test_data_set_0/input_0.pb;
3. computes from the ONNX file the MACs of the Conv/Gemm/MatMul nodes, the
   weight bytes (initializers) and the largest activation set of one node
   (the sum of its activation inputs and outputs), and from those the memory
   budget  weights + 2 * largest activation set + 20 MiB,  which it compares
   with coda-run's peak RSS minus the RSS of coda-run on a one-op model.

It prints Markdown: a header line (CPU, date, ORT version, Coda commit), a
summary table (medians), a note on how it measured, a table of
median/min/p90 per measurement and a memory table; --out also writes it to a
file.
A model that fails to compile or run gets "fail" cells, the error goes to
stderr, the benchmark continues and the exit status is 1.

Memory figures are in MiB (2**20 bytes), as coda-run's peak_rss_mb is.
"""

import argparse
import dataclasses
import datetime
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, Optional

from benchlib import cpu_name, find_gnu_time, kill_after, markdown_table

import numpy as np
import onnx
import onnxruntime as ort
from google.protobuf.message import DecodeError
from onnx import numpy_helper

MIB = float(2 ** 20)
BUDGET_SLACK_BYTES = 20 * 2 ** 20
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "CODA_NUM_THREADS")
FAIL = "fail"
NA = "n/a"

# Runs argv[2:], writes its peak RSS in KiB to argv[1] and exits with its
# status; the fallback where GNU time is not installed.
RUSAGE_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(code if code >= 0 else 128 - code)
"""


class BenchError(Exception):
    """A measurement that failed; the message says why."""


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Latency:
    """Latency statistics in milliseconds."""
    median_ms: float
    min_ms: float
    p90_ms: float
    runs: int

    @staticmethod
    def from_samples(samples_ms):
        """Median, minimum and nearest-rank 90th percentile, like coda-run."""
        ordered = sorted(samples_ms)
        p90_index = max(0, -(-9 * len(ordered) // 10) - 1)  # ceil(0.9 n) - 1
        return Latency(statistics.median(ordered), ordered[0],
                       ordered[p90_index], len(ordered))


@dataclasses.dataclass
class ModelStats:
    """Static figures computed from the ONNX file."""
    macs: int
    weight_bytes: int
    largest_live_bytes: int
    all_activation_bytes: int  # every activation at once: no buffer reuse

    @property
    def budget_bytes(self):
        return (self.weight_bytes + 2 * self.largest_live_bytes +
                BUDGET_SLACK_BYTES)


@dataclasses.dataclass
class ModelResult:
    """All measurements of one model; None where a step failed (or, for
    the compile's peak RSS, could not be read)."""
    name: str
    stats: Optional[ModelStats] = None
    compile_s: Optional[float] = None
    compile_peak_kib: Optional[int] = None
    compile_failed: bool = False
    coda: Dict[int, Optional[Latency]] = dataclasses.field(default_factory=dict)
    ort: Dict[int, Optional[Latency]] = dataclasses.field(default_factory=dict)
    run_peak_rss_mib: Optional[float] = None

    @property
    def failed(self):
        return (self.stats is None or self.compile_failed or
                None in self.coda.values() or None in self.ort.values())


@dataclasses.dataclass
class ModelInput:
    """The reference input of a model: its .pb file and its contents."""
    path: str
    name: str
    array: np.ndarray


@dataclasses.dataclass
class RunResult:
    """Outcome of one child process."""
    wall_s: float
    peak_rss_kib: Optional[int]
    returncode: int
    stdout: str
    stderr: str


# ---------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------




class Runner:
    """Runs commands under a small wrapper that measures their peak RSS.

    The wrapper matters for more than the compile's RSS: on Linux a process's
    ru_maxrss survives exec(2), so coda-run started directly from this Python
    process (which holds ONNX Runtime sessions) would report at least this
    process's peak as its own peak_rss_mb.  GNU time (or a minimal Python
    interpreter) forks the command afresh.  The peak RSS reported for a
    command that starts children (coda-compile runs clang) is the largest of
    the process and its children, not their sum.
    """

    def __init__(self, timeout_s):
        self.timeout_s = timeout_s
        self.gnu_time = find_gnu_time()

    def describe(self):
        if self.gnu_time:
            return f"`{self.gnu_time} -f %M`"
        return "getrusage(RUSAGE_CHILDREN) in a wrapper interpreter"

    def run(self, cmd, env=None):
        """Runs `cmd` with `env`; returns wall time, peak RSS and output."""
        with tempfile.TemporaryDirectory(prefix="coda-bench-") as tmp:
            rss_path = os.path.join(tmp, "rss")
            if self.gnu_time:
                wrapper = [self.gnu_time, "-f", "%M", "-o", rss_path]
            else:
                wrapper = [sys.executable, "-c", RUSAGE_WRAPPER, rss_path]
            start = time.perf_counter()
            proc = subprocess.Popen(wrapper + cmd, env=env,
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE,
                                    start_new_session=True)
            stdout, stderr, returncode = self._communicate(proc)
            wall_s = time.perf_counter() - start
            rss = read_last_int(rss_path) if returncode == 0 else None
        return RunResult(wall_s, rss, returncode,
                         stdout.decode(errors="replace"),
                         stderr.decode(errors="replace"))

    def _communicate(self, proc):
        """Waits for `proc`, killing its process group after the timeout."""
        with kill_after(proc, self.timeout_s) as timed_out:
            stdout, stderr = proc.communicate()
        if timed_out.is_set():
            stderr += f"\nkilled after {self.timeout_s:g} s".encode()
        return stdout, stderr, proc.returncode


def read_last_int(path):
    """The last line of `path` as an integer (GNU time may print a
    "Command exited with non-zero status" line before it), else None."""
    try:
        with open(path) as f:
            words = f.read().split()
    except OSError:
        return None
    return int(words[-1]) if words and words[-1].isdigit() else None


def progress(message):
    print(message, file=sys.stderr, flush=True)


def tail(text, lines=8):
    return "\n".join(text.rstrip().splitlines()[-lines:])


def excerpt(text, head=12, last=3):
    """The start and end of a child's output: diagnostics come first, and
    the innermost frames of a crash's stack dump too."""
    lines = text.rstrip().splitlines()
    if len(lines) <= head + last + 1:
        return "\n".join(lines)
    skipped = len(lines) - head - last
    return "\n".join(lines[:head] + [f"[... {skipped} lines ...]"] +
                     lines[-last:])


def check_run(cmd, run):
    """Raises BenchError describing a failed `run` of `cmd`."""
    if run.returncode == 0:
        return
    message = f"'{shlex.join(cmd)}' exited with {run.returncode}"
    output = excerpt(run.stderr + run.stdout)
    raise BenchError(message + (":\n" + output if output else ""))


# ---------------------------------------------------------------------------
# Static model figures
# ---------------------------------------------------------------------------


def element_size(elem_type):
    """Bytes per element of an ONNX TensorProto data type."""
    if hasattr(onnx.helper, "tensor_dtype_to_np_dtype"):
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type)).itemsize
    return np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type]).itemsize


def tensor_types(model):
    """Maps every typed tensor name of the (shape-inferred) graph to
    (static shape or None, element size or None)."""
    graph = model.graph
    types = {}
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        tensor = info.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in tensor.shape.dim]
        known = tensor.HasField("shape") and None not in dims
        size = element_size(tensor.elem_type) if tensor.elem_type else None
        types[info.name] = (dims if known and size else None, size)
    for init in graph.initializer:
        types[init.name] = (list(init.dims), element_size(init.data_type))
    return types


def weight_names(model):
    """Initializers and Constant outputs: weights, not activations."""
    names = {init.name for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            names.update(node.output)
    return names


def activation_names(model):
    """Every tensor a node reads or writes that is not a weight."""
    weights = weight_names(model)
    return {name for node in model.graph.node
            for name in list(node.input) + list(node.output)
            if name and name not in weights}


def observe_types(model, names, feed):
    """(shape, element size) of the tensors `names`, observed by running
    the model once in ONNX Runtime with them as extra outputs.  For shapes
    that ONNX shape inference cannot derive (e.g. Slice bounds computed
    from Shape, as in ShuffleNet's channel split)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    outputs = {info.name for info in model.graph.output}
    extra = sorted(set(names) - outputs)
    model.graph.output.extend(
        onnx.helper.make_empty_tensor_value_info(n) for n in extra)
    options = ort.SessionOptions()
    # Unoptimised, so that every ONNX tensor still exists.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    arrays = session.run(list(names), feed)
    return {n: (list(a.shape), a.dtype.itemsize)
            for n, a in zip(names, arrays)}


def fix_input_shape(model, name, shape):
    """Replaces the graph input `name`'s shape by the concrete `shape`."""
    for info in model.graph.input:
        if info.name == name:
            dims = info.type.tensor_type.shape.dim
            del dims[:]
            for d in shape:
                dims.add().dim_value = d


def node_macs(node, types):
    """Multiply-accumulates of a Conv, Gemm or MatMul node, else 0."""
    def shape(name):
        found = types.get(name, (None, 0))[0]
        if found is None:
            raise BenchError(f"no static shape for '{name}' ({node.op_type})")
        return found

    if node.op_type == "Conv":
        # Each output element reads (C / group) * kH * kW weights.
        return int(np.prod(shape(node.output[0]))) * int(
            np.prod(shape(node.input[1])[1:]))
    if node.op_type == "Gemm":
        trans_a = any(a.name == "transA" and a.i for a in node.attribute)
        a = shape(node.input[0])
        return int(np.prod(shape(node.output[0]))) * a[0 if trans_a else 1]
    if node.op_type == "MatMul":
        return int(np.prod(shape(node.output[0]))) * shape(node.input[0])[-1]
    return 0


def activation_bytes(model, types):
    """(largest, total): the max over nodes of the bytes of the node's
    activation inputs and outputs, and the bytes of all activations."""
    activations = activation_names(model)

    def nbytes(name):
        shape, size = types.get(name, (None, None))
        if shape is None:
            raise BenchError(f"no static shape for activation '{name}'")
        return int(np.prod(shape)) * size

    largest = 0
    for node in model.graph.node:
        names = {n for n in list(node.input) + list(node.output)
                 if n in activations}
        largest = max(largest, sum(nbytes(n) for n in names))
    return largest, sum(nbytes(n) for n in activations)


def model_stats(model_path, input_name, input_array):
    """MACs, weight bytes and largest activation set of the model for the
    input `input_array`, from ONNX shape inference (completed by one ORT
    run where it leaves shapes unknown)."""
    model = onnx.load(model_path)
    fix_input_shape(model, input_name, list(input_array.shape))
    weight_bytes = sum(numpy_helper.to_array(init).nbytes
                       for init in model.graph.initializer)
    model = onnx.shape_inference.infer_shapes(model)
    types = tensor_types(model)
    unknown = sorted(n for n in activation_names(model)
                     if types.get(n, (None,))[0] is None)
    if unknown:
        progress(f"{os.path.basename(model_path)}: {len(unknown)} tensor "
                 "shapes unknown to ONNX shape inference; taking them from "
                 "an ONNX Runtime run")
        types.update(observe_types(model, unknown, {input_name: input_array}))
    macs = sum(node_macs(node, types) for node in model.graph.node)
    return ModelStats(macs, weight_bytes, *activation_bytes(model, types))


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def load_input(model_dir):
    """The reference input MODEL_DIR/test_data_set_0/input_0.pb."""
    path = os.path.join(model_dir, "test_data_set_0", "input_0.pb")
    if not os.path.isfile(path):
        raise BenchError(f"no reference input {path}")
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return ModelInput(path, tensor.name, numpy_helper.to_array(tensor))


def compile_model(runner, tools, model_path, library):
    """Runs coda-compile; returns (wall seconds, peak RSS in KiB)."""
    cmd = [tools["coda-compile"], model_path, "-o", library]
    run = runner.run(cmd)
    check_run(cmd, run)
    return run.wall_s, run.peak_rss_kib


def parse_bench_line(stdout):
    """The key=value fields of coda-run's `median_ms=...` line."""
    for line in stdout.splitlines():
        if line.startswith("median_ms="):
            return dict(field.split("=", 1) for field in line.split())
    raise BenchError("coda-run printed no median_ms= line:\n" + tail(stdout))


def child_env(threads):
    env = dict(os.environ)
    for var in THREAD_ENV_VARS:
        env[var] = str(threads)
    return env


def run_coda(runner, tools, library, input_path, threads, args):
    """Times the compiled model with coda-run; returns (Latency, peak RSS
    MiB as coda-run reports it)."""
    cmd = [tools["coda-run"], library, f"--input={input_path}",
           f"--bench={args.runs}", f"--warmup={args.warmup}"]
    run = runner.run(cmd, env=child_env(threads))
    check_run(cmd, run)
    fields = parse_bench_line(run.stdout)
    try:
        latency = Latency(float(fields["median_ms"]), float(fields["min_ms"]),
                          float(fields["p90_ms"]), int(fields["runs"]))
        return latency, float(fields["peak_rss_mb"])
    except (KeyError, ValueError) as err:
        raise BenchError(f"cannot parse coda-run's bench line {fields}: {err}")


def ort_session(model_path, threads):
    """An ORT CPU session with all graph optimisations and T intra-op
    threads, run sequentially."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model_path, sess_options=options,
                                providers=["CPUExecutionProvider"])


def run_ort(model_path, input_array, threads, args):
    """Times ONNX Runtime on `input_array`; returns a Latency."""
    try:
        session = ort_session(model_path, threads)
        feed = {session.get_inputs()[0].name: input_array}
        for _ in range(args.warmup):
            session.run(None, feed)
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            session.run(None, feed)
            samples.append((time.perf_counter() - start) * 1e3)
    except Exception as err:  # ORT raises its own exception types.
        raise BenchError(f"onnxruntime: {err}") from err
    return Latency.from_samples(samples)


def measure_baseline(runner, tools, tmp):
    """coda-run's peak RSS (MiB) on a one-op (Relu, 1x1x1x1) model: the
    memory any coda-run process has, whatever the model."""
    value = onnx.helper.make_tensor_value_info
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Relu", ["x"], ["y"])], "baseline",
        [value("x", onnx.TensorProto.FLOAT, [1, 1, 1, 1])],
        [value("y", onnx.TensorProto.FLOAT, [1, 1, 1, 1])])
    model = onnx.helper.make_model(
        graph, opset_imports=[onnx.helper.make_opsetid("", 13)])
    model_path = os.path.join(tmp, "baseline.onnx")
    library = os.path.join(tmp, "baseline.so")
    onnx.save(model, model_path)
    compile_model(runner, tools, model_path, library)
    cmd = [tools["coda-run"], library, "--bench=3", "--warmup=1"]
    run = runner.run(cmd, env=child_env(1))
    check_run(cmd, run)
    return float(parse_bench_line(run.stdout)["peak_rss_mb"])


def report_error(name, what, err):
    print(f"error: {name}: {what}: {err}", file=sys.stderr, flush=True)


def analyse_model(result, model_path, model_input):
    """Fills result.stats from the ONNX file."""
    try:
        name = model_input.name or onnx.load(
            model_path, load_external_data=False).graph.input[0].name
        result.stats = model_stats(model_path, name, model_input.array)
    except Exception as err:  # onnx raises many types; keep going.
        report_error(result.name, "shape analysis", err)


def compile_into(result, runner, tools, model_path, library):
    """Fills the compile columns of `result`; True if the library exists."""
    progress(f"{result.name}: compiling ...")
    try:
        result.compile_s, result.compile_peak_kib = compile_model(
            runner, tools, model_path, library)
        return True
    except BenchError as err:
        report_error(result.name, "coda-compile", err)
        result.compile_failed = True
        return False


def measure_latencies(result, runner, tools, library, model_path,
                      model_input, args):
    """Fills the latency columns: Coda then ORT at each thread count, so
    that drift affects both.  `library` is None when compiling failed."""
    peaks = []
    for threads in args.threads:
        result.coda[threads] = result.ort[threads] = None
        if library:
            progress(f"{result.name}: coda-run, {threads} thread(s) ...")
            try:
                result.coda[threads], peak = run_coda(
                    runner, tools, library, model_input.path, threads, args)
                peaks.append(peak)
            except BenchError as err:
                report_error(result.name, f"coda-run ({threads}T)", err)
        progress(f"{result.name}: onnxruntime, {threads} thread(s) ...")
        try:
            result.ort[threads] = run_ort(model_path, model_input.array,
                                          threads, args)
        except BenchError as err:
            report_error(result.name, f"ORT ({threads}T)", err)
    result.run_peak_rss_mib = max(peaks) if peaks else None


def bench_model(name, runner, tools, args, tmp):
    """Compiles and measures one model; what fails stays None."""
    result = ModelResult(name)
    model_path = os.path.join(args.build, "models", name + ".onnx")
    try:
        if not os.path.isfile(model_path):
            raise BenchError(f"no such file {model_path}")
        model_input = load_input(os.path.join(args.build, "models", name))
    except (BenchError, OSError, DecodeError) as err:
        report_error(name, "model", err)
        result.compile_failed = True
        return result
    analyse_model(result, model_path, model_input)
    library = os.path.join(tmp, name + ".so")
    compiled = compile_into(result, runner, tools, model_path, library)
    measure_latencies(result, runner, tools, library if compiled else None,
                      model_path, model_input, args)
    if os.path.exists(library):
        os.remove(library)
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def fmt(value, spec, failed=False):
    if value is None:
        return FAIL if failed else NA
    return format(value, spec)


def ms(latency):
    return FAIL if latency is None else format(latency.median_ms, ".2f")


def ratio(coda, ort_latency):
    if coda is None or ort_latency is None:
        return FAIL
    return format(coda.median_ms / ort_latency.median_ms, ".2f")


def summary_header(threads):
    header = ["model", "GMACs"]
    for t in threads:
        header += [f"Coda ms ({t}T)", f"ORT ms ({t}T)", f"Coda/ORT ({t}T)"]
    return header + ["compile s", "compile peak MB", "run peak RSS MB",
                     "memory budget MB", "within budget"]


def net_rss_mib(r, baseline_mib):
    """coda-run's peak RSS minus the baseline, or None."""
    if r.run_peak_rss_mib is None or baseline_mib is None:
        return None
    return r.run_peak_rss_mib - baseline_mib


def within_budget(r, baseline_mib):
    net = net_rss_mib(r, baseline_mib)
    if net is None or r.stats is None:
        return NA
    return "yes" if net * MIB <= r.stats.budget_bytes else "no"


def mib(nbytes):
    return None if nbytes is None else nbytes / MIB


def summary_row(r, threads, baseline_mib):
    stats = r.stats or ModelStats(None, None, None, None)
    row = [r.name, fmt(stats.macs and stats.macs / 1e9, ".3f", True)]
    for t in threads:
        row += [ms(r.coda.get(t)), ms(r.ort.get(t)),
                ratio(r.coda.get(t), r.ort.get(t))]
    compile_mib = mib(r.compile_peak_kib and r.compile_peak_kib * 1024)
    return row + [fmt(r.compile_s, ".1f", r.compile_failed),
                  fmt(compile_mib, ".0f", r.compile_failed),
                  fmt(r.run_peak_rss_mib, ".1f", True),
                  fmt(r.stats and mib(r.stats.budget_bytes), ".1f", True),
                  within_budget(r, baseline_mib)]


def latency_header():
    return ["model", "threads", "Coda median", "Coda min", "Coda p90",
            "ORT median", "ORT min", "ORT p90"]


def latency_rows(r, threads):
    rows = []
    for t in threads:
        cells = [r.name, str(t)]
        for lat in (r.coda.get(t), r.ort.get(t)):
            cells += ([FAIL] * 3 if lat is None else
                      [format(lat.median_ms, ".2f"), format(lat.min_ms, ".2f"),
                       format(lat.p90_ms, ".2f")])
        rows.append(cells)
    return rows


def memory_header():
    return ["model", "weights MB", "largest activation set MB",
            "all activations MB", "memory budget MB", "run peak RSS MB",
            "RSS − baseline MB", "within budget"]


def memory_row(r, baseline_mib):
    s = r.stats or ModelStats(None, None, None, None)
    return [r.name,
            fmt(mib(s.weight_bytes), ".1f", True),
            fmt(mib(s.largest_live_bytes), ".2f", True),
            fmt(mib(s.all_activation_bytes), ".1f", True),
            fmt(r.stats and mib(r.stats.budget_bytes), ".1f", True),
            fmt(r.run_peak_rss_mib, ".1f", True),
            fmt(net_rss_mib(r, baseline_mib), ".1f", True),
            within_budget(r, baseline_mib)]


def git_commit():
    """The short commit of the repository holding this script, marked
    "+modified" when tracked files differ from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*argv):
        return subprocess.run(["git", "-C", root] + list(argv),
                              capture_output=True, text=True,
                              check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += "+modified"
    return commit


def header_line():
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"CPU: {cpu_name()} ({os.cpu_count()} logical cores, load "
            f"average {load} at start) · date: "
            f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · "
            f"ONNX Runtime {ort.__version__} · Coda {git_commit()}")


def how_measured(args, runner, baseline_mib):
    """The one-paragraph note printed under the summary table."""
    base = NA if baseline_mib is None else f"{baseline_mib:.1f} MiB"
    return (
        "How measured: each model is compiled once with `coda-compile` (wall "
        f"time; peak RSS via {runner.describe()}, the largest of coda-compile "
        "and its child processes such as clang). Then, for each thread count "
        "T in turn, Coda and ONNX Runtime are timed back to back so that "
        "machine drift affects both: Coda with `coda-run LIB "
        f"--input=test_data_set_0/input_0.pb --bench={args.runs} "
        f"--warmup={args.warmup}` with OMP_NUM_THREADS=CODA_NUM_THREADS=T in "
        "its environment (Coda runs its convolution and matmul tiles on "
        "OpenMP threads; the rest of its code is single-threaded), ONNX "
        "Runtime with an "
        "InferenceSession in the benchmark process (CPUExecutionProvider, "
        "ORT_ENABLE_ALL, intra_op_num_threads=T, inter_op_num_threads=1, "
        f"sequential execution) on the same input, {args.warmup} untimed then "
        f"{args.runs} timed `session.run` calls. Latencies are medians in ms "
        "(min and nearest-rank p90 below). GMACs count Conv, Gemm and MatMul "
        "from ONNX shape inference. Memory is in MiB (MB in headers): run "
        "peak RSS is coda-run's own peak_rss_mb, the largest over the thread "
        "counts (coda-run is started through the wrapper so that it does not "
        "inherit the benchmark process's RSS); the baseline, coda-run on a "
        f"one-op Relu model, is {base}. The memory budget is weights "
        "(initializer bytes) + 2 × the largest activation set (the max over "
        "nodes of the bytes of the node's activation inputs and outputs) + 20 "
        "MiB; `within budget` compares it with RSS − baseline. `all "
        "activations` is every activation tensor at once, what a run that "
        "never reuses buffers would hold.")


def report_tables(results, threads, baseline_mib):
    """The summary, latency and memory tables, as Markdown."""
    summary = markdown_table(
        summary_header(threads),
        [summary_row(r, threads, baseline_mib) for r in results])
    latency = markdown_table(
        latency_header(),
        [row for r in results for row in latency_rows(r, threads)])
    memory = markdown_table(memory_header(),
                            [memory_row(r, baseline_mib) for r in results])
    return summary, latency, memory


def report_text(header, tables, note):
    summary, latency, memory = tables
    return (f"{header}\n\n{summary}\n\n{note}\n\n"
            f"Latency per measurement (ms):\n\n{latency}\n\n"
            f"Memory (MiB):\n\n{memory}\n")


def write_out(path, text, command):
    """Writes the report as a Markdown file."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w") as f:
        f.write(f"# CPU benchmark: Coda vs ONNX Runtime\n\n{text}\n")
        f.write(f"Regenerate with `{command}`.\n")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def parse_list(text, convert=str):
    return [convert(item) for item in text.split(",") if item.strip()]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Compile models with Coda and compare their CPU latency "
                    "and memory with ONNX Runtime.")
    parser.add_argument("--models", type=parse_list, metavar="A,B,...",
                        help="model names in BUILD/models (default: every "
                             "*.onnx there)")
    parser.add_argument("--runs", type=int, default=20,
                        help="timed runs per measurement (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed runs before them (default: %(default)s)")
    parser.add_argument("--threads", type=lambda s: parse_list(s, int),
                        default=[1, 2], metavar="T1,T2,...",
                        help="thread counts (default: 1,2)")
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="build directory with bin/ and models/ "
                             "(default: %(default)s)")
    parser.add_argument("--out", metavar="FILE",
                        help="also write the report as Markdown to FILE")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        metavar="SECONDS",
                        help="limit per child process (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    if not args.threads or min(args.threads) < 1:
        parser.error("--threads needs positive thread counts")
    if not args.models:
        models_dir = os.path.join(args.build, "models")
        if not os.path.isdir(models_dir):
            parser.error(f"no directory {models_dir}")
        args.models = sorted(f[:-len(".onnx")] for f in os.listdir(models_dir)
                             if f.endswith(".onnx"))
    return args


def find_tools(build):
    """Paths of coda-compile and coda-run; raises BenchError if missing."""
    tools = {}
    for tool in ("coda-compile", "coda-run"):
        path = os.path.join(build, "bin", tool)
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is not an executable file")
        tools[tool] = os.path.abspath(path)
    return tools


def main(argv=None):
    args = parse_args(argv)
    try:
        tools = find_tools(args.build)
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    runner = Runner(args.timeout)
    header = header_line()
    results = []
    with tempfile.TemporaryDirectory(prefix="coda-cpu-bench-") as tmp:
        try:
            baseline_mib = measure_baseline(runner, tools, tmp)
        except BenchError as err:
            report_error("baseline", "coda-run on a one-op model", err)
            baseline_mib = None
        for name in args.models:
            results.append(bench_model(name, runner, tools, args, tmp))
    tables = report_tables(results, args.threads, baseline_mib)
    text = report_text(header, tables, how_measured(args, runner, baseline_mib))
    print(text)
    if args.out:
        command = shlex.join([".venv/bin/python", "bench/cpu_bench.py"] +
                             (sys.argv[1:] if argv is None else list(argv)))
        write_out(args.out, text, command)
    return 1 if any(r.failed for r in results) or baseline_mib is None else 0


if __name__ == "__main__":
    sys.exit(main())

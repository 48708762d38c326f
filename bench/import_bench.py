#!/usr/bin/env python3
"""Benchmark Coda's ONNX importer: wall time and peak memory per model.

Usage:
  import_bench.py --coda-opt PATH --models DIR [--repeat 5]

For every *.onnx file in DIR (or the single file DIR names) this runs

  PATH MODEL -o /dev/null  (import, verify, print with weights elided via --coda-arg)

--repeat times and reports the median wall time and the largest peak resident
set size of the coda-opt process (measured with GNU time's %M, or with
getrusage(RUSAGE_CHILDREN) in a wrapper interpreter where GNU time is absent).

As a reference it also measures, in this Python process, onnx.load() and
onnxruntime.InferenceSession() creation (with ORT's default graph
optimisations), plus the peak-RSS growth that creating an ORT session causes
in a fresh interpreter.  The reference columns are "n/a" where onnx or
onnxruntime cannot be imported; run the script with the project's
.venv/bin/python to get both.

The result is printed as a Markdown table.  A missing or failing
coda-opt does not stop the benchmark; its columns read "n/a" / "fail"
and the error goes to stderr.
"""

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Optional

from benchlib import find_gnu_time, kill_after, markdown_table

MB = 1e6

# Measures the peak-RSS growth caused by creating an ORT session; printed in
# bytes.  Runs in a fresh interpreter so earlier work does not hide it.
ORT_RSS_SNIPPET = """
import resource, sys
import onnxruntime
def peak():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024
before = peak()
onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
print(peak() - before)
"""

# Runs argv[2:], writes its peak RSS in KiB to argv[1] and exits with its
# status.  Used to measure peak RSS where GNU time is not installed.
RUSAGE_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    rss //= 1024
with open(sys.argv[1], "w") as f:
    f.write(f"{rss}\\n")
sys.exit(code if code >= 0 else 128 - code)
"""


@dataclasses.dataclass
class RunResult:
    """Outcome of one child process run."""
    wall_s: float
    peak_rss_bytes: Optional[int]
    returncode: int
    stdout: str
    stderr: str


@dataclasses.dataclass
class ModelResult:
    """All measurements for one model; None means not measured."""
    name: str
    file_bytes: int
    coda_s: Optional[float] = None
    coda_rss_bytes: Optional[int] = None
    coda_failed: bool = False
    onnx_load_s: Optional[float] = None
    ort_session_s: Optional[float] = None
    ort_rss_bytes: Optional[int] = None




class Runner:
    """Runs commands and measures their wall time and peak RSS.

    A child's ru_maxrss is not its own: exec(2) keeps the high-water mark of
    the image it replaces, and subprocess spawns via vfork(2), so a command
    started directly from this (large) Python process would report at least
    this process's peak.  The command therefore runs under a small wrapper
    that forks it afresh: GNU time if available, else a minimal Python
    interpreter reading getrusage(RUSAGE_CHILDREN).  The wrapper adds a floor
    of a few MB (GNU time) or about 10 MB (Python) to tiny measurements.
    """

    def __init__(self, timeout_s):
        self.timeout_s = timeout_s
        self.gnu_time = find_gnu_time()

    def describe(self):
        if self.gnu_time:
            return f"{self.gnu_time} -f %M"
        return "getrusage(RUSAGE_CHILDREN) in a wrapper interpreter"

    def _wrapper(self, rss_path):
        if self.gnu_time:
            return [self.gnu_time, "-f", "%M", "-o", rss_path]
        return [sys.executable, "-c", RUSAGE_WRAPPER, rss_path]

    def run(self, cmd):
        """Runs `cmd`; returns its wall time, peak RSS, exit code, output."""
        with tempfile.TemporaryDirectory() as tmp:
            rss_path = os.path.join(tmp, "rss")
            out_path = os.path.join(tmp, "stdout")
            err_path = os.path.join(tmp, "stderr")
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                start = time.perf_counter()
                proc = subprocess.Popen(self._wrapper(rss_path) + cmd,
                                        stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=err, start_new_session=True)
                returncode = self._wait(proc)
                wall_s = time.perf_counter() - start
            return RunResult(wall_s, read_rss_kib(rss_path) * 1024
                             if returncode == 0 else None, returncode,
                             read_text(out_path), read_text(err_path))

    def _wait(self, proc):
        """Waits for `proc`, killing its process group after the timeout."""
        with kill_after(proc, self.timeout_s) as timed_out:
            returncode = proc.wait()
        if timed_out.is_set():
            print(f"error: killed after {self.timeout_s} s", file=sys.stderr)
        return returncode


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def read_rss_kib(path):
    """Parses the peak RSS in KiB, the last line the wrapper wrote."""
    lines = read_text(path).split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else 0


def time_call(fn, repeat):
    """Returns the median wall time of `repeat` calls of `fn`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def try_import(module_name):
    try:
        return __import__(module_name)
    except ImportError:
        return None


def tail(text, lines=5):
    return "\n".join(text.rstrip().splitlines()[-lines:])


def bench_coda(result, runner, coda, path, args):
    """Fills the Coda columns of `result`."""
    cmd = [coda, path, "-o", os.devnull] + args.coda_arg
    runs = []
    for _ in range(args.repeat):
        run = runner.run(cmd)
        if run.returncode != 0:
            message = f"error: '{' '.join(cmd)}' exited with {run.returncode}"
            if run.stderr.strip():
                message += ":\n" + tail(run.stderr)
            print(message, file=sys.stderr)
            result.coda_failed = True
            return
        runs.append(run)
    result.coda_s = statistics.median(r.wall_s for r in runs)
    result.coda_rss_bytes = max(r.peak_rss_bytes for r in runs)


def bench_onnx_load(result, onnx, path, repeat):
    """Fills the onnx.load reference column of `result`."""
    try:
        result.onnx_load_s = time_call(lambda: onnx.load(path), repeat)
    except Exception as err:  # DecodeError, OSError, ValidationError, ...
        print(f"warning: onnx.load cannot load {path}: {err}",
              file=sys.stderr)


def bench_ort(result, runner, ort, path, repeat):
    """Fills the ONNX Runtime reference columns of `result`."""
    providers = ["CPUExecutionProvider"]
    try:
        result.ort_session_s = time_call(
            lambda: ort.InferenceSession(path, providers=providers), repeat)
    except Exception as err:  # ORT raises its own exception types.
        print(f"warning: onnxruntime cannot load {path}: {err}",
              file=sys.stderr)
        return
    run = runner.run([sys.executable, "-c", ORT_RSS_SNIPPET, path])
    if run.returncode == 0 and run.stdout.strip().isdigit():
        result.ort_rss_bytes = int(run.stdout.strip())


def find_models(path):
    """Returns the .onnx files named by `path` (a file or a directory)."""
    if os.path.isfile(path):
        return [path]
    return sorted(os.path.join(path, f) for f in os.listdir(path)
                  if f.endswith(".onnx"))


def coda_usable(coda):
    if os.path.isfile(coda) and os.access(coda, os.X_OK):
        return True
    print(f"warning: '{coda}' is not an executable file; Coda columns will "
          "read n/a", file=sys.stderr)
    return False


def fmt(value, spec, scale=1.0):
    return "n/a" if value is None else format(value / scale, spec)


def table_row(r):
    coda_s = "fail" if r.coda_failed else fmt(r.coda_s, ".3f")
    rss_ratio = None
    if r.coda_rss_bytes is not None and r.file_bytes:
        rss_ratio = r.coda_rss_bytes / r.file_bytes
    time_ratio = None
    if r.coda_s is not None and r.ort_session_s:
        time_ratio = r.coda_s / r.ort_session_s
    return [r.name, fmt(r.file_bytes, ".1f", MB), coda_s,
            fmt(r.coda_rss_bytes, ".0f", MB), fmt(rss_ratio, ".2f"),
            fmt(r.onnx_load_s, ".3f"), fmt(r.ort_session_s, ".3f"),
            fmt(r.ort_rss_bytes, ".0f", MB), fmt(time_ratio, ".2f")]


HEADER = ["model", "file MB", "coda import s", "coda peak RSS MB",
          "RSS / file", "onnx.load s", "ORT session s", "ORT session RSS MB",
          "coda / ORT time"]


def results_table(results):
    return markdown_table(HEADER, [table_row(r) for r in results])


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Measure coda-opt wall time and peak "
                    "RSS, with onnx.load and ONNX Runtime as references.")
    parser.add_argument("--coda-opt", required=True, metavar="PATH",
                        help="coda-opt binary")
    parser.add_argument("--models", required=True, metavar="DIR",
                        help="directory of .onnx files (or one .onnx file)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs per model and tool (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        metavar="SECONDS",
                        help="time limit per measured subprocess "
                             "(default: %(default)s)")
    parser.add_argument("--coda-arg", action="append", default=[],
                        metavar="ARG",
                        help="extra argument for coda-opt (repeatable)")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the onnx.load and ONNX Runtime columns")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not os.path.exists(args.models):
        parser.error(f"'{args.models}' does not exist")
    return args


def main(argv=None):
    args = parse_args(argv)
    models = find_models(args.models)
    if not models:
        print(f"error: no .onnx files in '{args.models}'", file=sys.stderr)
        return 1
    coda = args.coda_opt if coda_usable(args.coda_opt) else None
    onnx = ort = None
    if not args.no_reference:
        onnx = try_import("onnx")
        ort = try_import("onnxruntime")
        if ort is None:
            print("warning: onnxruntime is not importable; run with "
                  ".venv/bin/python for the ORT columns", file=sys.stderr)
    runner = Runner(args.timeout)
    results = []
    for path in models:
        name = os.path.splitext(os.path.basename(path))[0]
        print(f"benchmarking {name} ...", file=sys.stderr, flush=True)
        result = ModelResult(name, os.path.getsize(path))
        if coda:
            bench_coda(result, runner, coda, path, args)
        if onnx:
            bench_onnx_load(result, onnx, path, args.repeat)
        if ort:
            bench_ort(result, runner, ort, path, args.repeat)
        results.append(result)
    print(results_table(results))
    print(f"\nPeak RSS measured with {runner.describe()}; times are medians "
          f"over {args.repeat} run(s).")
    return 1 if any(r.coda_failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The GPU device check (run by bench/gpu-check.sh on a machine with an
NVIDIA GPU; it has not run on one yet).

For each of the seven torchvision models in build/models it compiles a CUDA
library (coda-compile --target=cuda, PTX JIT-compiled for this GPU) and a CPU
library, then:
  1. checks the GPU outputs against PyTorch's recorded outputs
     (--test-dir, the CPU test's tolerances) and against Coda's CPU outputs;
  2. times both (coda-run --bench: median of runs after a warm-up);
  3. profiles every kernel launch (CUDA events, median of runs) and maps it
     to its layer (the ONNX node);
  4. samples NVML board power while the most expensive launches are
     replayed alone, each long enough for NVML's ~1 s averaging window,
     within a total time budget.
It writes, under the output directory:
  <model>.launches.csv  per launch (coda-run --profile)
  gpu-layers.csv        per layer: op, shape, MACs, latency, power, energy
  coda-layers.csv       the same launches as coda-fit rows (coda-profile
                        --launch-profile: layer signatures, median_ms, power_w)
  platform.json         coda-fit's GPU platform: latency models from all rows,
                        power models from the rows whose power was measured
  summary.md            the table printed at the end
"""
import json
import re
import argparse
import concurrent.futures
import csv
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MODELS = ["mobilenet_v2", "mnasnet1_0", "efficientnet_b0", "resnet18",
          "resnet50", "squeezenet1_1", "shufflenet_v2_x1_0"]
# test/Compile/torchvision.test's tolerances (ResNet-50: atol 1e-4).
ATOL = {"resnet50": 1e-4}


def run(cmd, timeout=600, check=True):
    print("+ " + " ".join(cmd), flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True,
                         timeout=timeout, check=False)
    if check and out.returncode != 0:
        sys.exit(f"gpu_check: failed ({out.returncode}): {' '.join(cmd)}\n"
                 f"{out.stdout}{out.stderr}")
    return out


def field(text, key):
    """The value of key=value in coda-run's output, or None."""
    for token in text.split():
        if token.startswith(key + "="):
            return token.split("=", 1)[1]
    return None


def gpu_chip():
    """sm_XY of GPU 0 from nvidia-smi (compute capability X.Y)."""
    out = run(["nvidia-smi", "--query-gpu=compute_cap,name",
               "--format=csv,noheader"])
    cap, name = [s.strip() for s in out.stdout.splitlines()[0].split(",", 1)]
    return "sm_" + cap.replace(".", ""), name


def layer_table(bin_dir, model_path):
    """ONNX node name -> (op, shape, macs, params) from coda-op-summary."""
    out = run([os.path.join(bin_dir, "coda-opt"), model_path, "-canonicalize",
               "--coda-op-summary=format=csv", "-o", os.devnull])
    rows = list(csv.DictReader(out.stdout.splitlines()))
    return {r["name"]: r for r in rows if "op" in r}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--out", default="build/gpu-check")
    parser.add_argument("--models", nargs="*", default=MODELS)
    parser.add_argument("--bench-runs", type=int, default=50)
    parser.add_argument("--power-seconds", type=float, default=1.3,
                        help="replay time per sampled launch (> 1 s)")
    parser.add_argument("--power-budget", type=float, default=120,
                        help="seconds of power sampling for all models")
    args = parser.parse_args()

    bin_dir = os.path.join(args.build, "bin")
    models_dir = os.path.join(args.build, "models")
    os.makedirs(args.out, exist_ok=True)
    chip, gpu_name = gpu_chip()
    print(f"gpu_check: {gpu_name} ({chip})", flush=True)
    compile_ = os.path.join(bin_dir, "coda-compile")
    coda_run = os.path.join(bin_dir, "coda-run")

    # All libraries first, in parallel (compiling is CPU work).
    def build(job):
        m, target = job
        start = time.time()
        extra = ["--target=cuda", "--gpu-chip=" + chip] if target == "cuda" else []
        run([compile_, os.path.join(models_dir, m + ".onnx"), *extra, "-o",
             os.path.join(args.out, f"{m}.{target}.so")])
        return job, time.time() - start
    jobs = [(m, t) for m in args.models for t in ("cuda", "cpu")]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        compile_s = dict(pool.map(build, jobs))

    results, launches = {}, {}
    for m in args.models:
        gpu_so = os.path.join(args.out, m + ".cuda.so")
        cpu_so = os.path.join(args.out, m + ".cpu.so")
        r = {"compile_s": compile_s[(m, "cuda")]}
        atol = str(ATOL.get(m, 1e-5))
        # 1. GPU vs PyTorch's outputs, and GPU vs Coda's CPU outputs.
        ref = run([coda_run, gpu_so, "--device=cuda", "--test-dir=" +
                   os.path.join(models_dir, m), "--rtol=1e-4",
                   "--atol=" + atol], check=False)
        r["vs_pytorch"] = "PASS" if ref.returncode == 0 else "FAIL"
        print(ref.stdout + ref.stderr, flush=True)
        cpu_dir = os.path.join(args.out, m + ".cpu-out")
        run([coda_run, cpu_so, "--output-dir=" + cpu_dir])
        gpu_vs_cpu = run([coda_run, gpu_so, "--input=" +
                          os.path.join(cpu_dir, "input_0.npy"), "--expected=" +
                          os.path.join(cpu_dir, "output_0.npy"), "--rtol=1e-4",
                          "--atol=" + atol], check=False)
        r["vs_cpu"] = "PASS" if gpu_vs_cpu.returncode == 0 else "FAIL"
        r["max_abs_vs_cpu"] = field(gpu_vs_cpu.stdout, "max_abs") or "?"
        # 2. Latency (inputs, outputs and the copies between host and GPU
        # included: coda_run uploads inputs and downloads outputs).
        for device, so in (("gpu", gpu_so), ("cpu", cpu_so)):
            out = run([coda_run, so, "--bench=" + str(args.bench_runs)])
            r[device + "_ms"] = float(field(out.stdout, "median_ms"))
        # 3. Per-launch latency.
        profile = os.path.join(args.out, m + ".launches.csv")
        run([coda_run, gpu_so, "--profile=" + profile, "--profile-runs=10"])
        with open(profile) as f:
            launches[m] = list(csv.DictReader(f))
        results[m] = r

    # 4. Power. Launches that do the same work (same op, shapes, MACs and
    # weights, same position among their layer's launches; ResNet blocks
    # repeat) share one measurement; the groups that take the most time in
    # all models are replayed first, within the budget (each replay costs
    # about --power-seconds plus a model run).
    ops = {m: layer_table(bin_dir, os.path.join(models_dir, m + ".onnx"))
           for m in launches}
    groups = launch_groups(ops, launches)
    per_launch = args.power_seconds + 0.2
    ranked = sorted(groups.values(),
                    key=lambda g: -sum(float(r["ms"]) for _, r in g))
    ranked = ranked[:int(args.power_budget / per_launch)]
    chosen = {}
    for group in ranked:
        m, row = group[0]
        chosen.setdefault(m, []).append(int(row["launch"]))
    for m, indices in chosen.items():
        profile = os.path.join(args.out, m + ".launches.csv")
        run([coda_run, os.path.join(args.out, m + ".cuda.so"),
             "--profile=" + profile, "--profile-runs=10",
             "--power-seconds=" + str(args.power_seconds),
             "--power-launches=" + ",".join(map(str, sorted(indices)))],
            timeout=len(indices) * (per_launch + 5) + 60)
        with open(profile) as f:
            measured = {r["launch"]: r for r in csv.DictReader(f)}
        for row in launches[m]:
            row["power_w"] = measured[row["launch"]]["power_w"]
            row["idle_w"] = measured[row["launch"]]["idle_w"]
    for group in ranked:
        m, rep = group[0]
        for _, row in group[1:]:
            row["power_w"] = rep["power_w"]
    print(f"gpu_check: power measured for {len(ranked)} of {len(groups)} "
          f"distinct launches", flush=True)

    write_layers(args, ops, launches, gpu_name)
    # coda-run rewrote the launch CSVs with power; write the merged rows back
    # so that coda-profile sees the shared measurements too.
    for m, rows in launches.items():
        with open(os.path.join(args.out, m + ".launches.csv"), "w",
                  newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    fit_platform(args, bin_dir, models_dir, launches, gpu_name, chip)
    write_summary(args, results, launches, gpu_name)


def launch_groups(ops, launches):
    """Launches that do the same work: same op, shapes, MACs and weights,
    and the same position among their layer's launches. Unknown layers are
    groups of their own."""
    groups = {}
    for m, rows in launches.items():
        position = {}
        for row in rows:
            op = ops[m].get(row["layer"])
            n = position[row["layer"]] = position.get(row["layer"], -1) + 1
            key = ((op["op"], op["shape"], op["macs"], op["params"], n)
                   if op else (m, row["launch"]))
            groups.setdefault(key, []).append((m, row))
    return groups


def write_layers(args, ops, launches, gpu_name):
    """One row per layer: its launches' latency summed; power the
    time-weighted mean of its sampled launches (empty if none was)."""
    path = os.path.join(args.out, "gpu-layers.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "layer", "op", "shape", "macs", "params",
                    "launches", "latency_ms", "power_w", "energy_mj",
                    "power_coverage", "idle_w", "device"])
        idle = next((r["idle_w"] for rows in launches.values() for r in rows
                     if r["idle_w"]), "")
        for m, rows in launches.items():
            layers = {}
            for row in rows:
                layers.setdefault(row["layer"], []).append(row)
            for layer, lrows in layers.items():
                ms = sum(float(r["ms"]) for r in lrows)
                sampled = [r for r in lrows if r["power_w"]]
                sampled_ms = sum(float(r["ms"]) for r in sampled)
                power = (sum(float(r["ms"]) * float(r["power_w"])
                             for r in sampled) / sampled_ms
                         if sampled_ms > 0 else None)
                op = ops[m].get(layer, {})
                w.writerow([m, layer, op.get("op", ""), op.get("shape", ""),
                            op.get("macs", ""), op.get("params", ""),
                            len(lrows), f"{ms:.6f}",
                            f"{power:.3f}" if power else "",
                            f"{ms * power:.6f}" if power else "",
                            f"{sampled_ms / ms:.3f}" if ms > 0 else "",
                            idle, gpu_name])
    print(f"gpu_check: wrote {path}")


def fit_platform(args, bin_dir, models_dir, launches, gpu_name, chip):
    """coda-profile --launch-profile per model, then coda-fit: latency on all
    rows, power on the rows with measured power, merged into one file."""
    rows_csv = os.path.join(args.out, "coda-layers.csv")
    if os.path.exists(rows_csv):
        os.remove(rows_csv)
    for m in launches:
        run([os.path.join(bin_dir, "coda-profile"),
             os.path.join(models_dir, m + ".onnx"), "--launch-profile=" +
             os.path.join(args.out, m + ".launches.csv"), "-o", rows_csv])
    with open(rows_csv) as f:
        lines = f.read().splitlines()
    power_csv = os.path.join(args.out, "coda-layers-power.csv")
    with open(power_csv, "w") as f:
        f.write("\n".join([lines[0]] + [l for l in lines[1:]
                                         if not l.endswith(",")]) + "\n")
    name = re.sub(r"[^a-z0-9]+", "-", gpu_name.lower()).strip("-") + "-coda"
    meta = ["--meta=hardware=" + gpu_name, "--meta=chip=" + chip,
            "--meta=measured=bench/gpu-check.sh (coda-run --profile, NVML)"]
    fit = os.path.join(bin_dir, "coda-fit")
    latency_json = os.path.join(args.out, "platform-latency.json")
    power_json = os.path.join(args.out, "platform-power.json")
    print(run([fit, rows_csv, "--name=" + name, "-o", latency_json,
               *meta]).stdout)
    fitted = run([fit, power_csv, "--name=" + name, "--power-column=power_w",
                  "-o", power_json, *meta], check=False)
    print(fitted.stdout + fitted.stderr)
    with open(latency_json) as f:
        platform = json.load(f)
    power = {}
    if fitted.returncode == 0:
        with open(power_json) as f:
            power = json.load(f)
    for kind, model in power.get("kinds", {}).items():
        if kind in platform.get("kinds", {}) and "power" in model:
            platform["kinds"][kind]["power"] = model["power"]
            platform["kinds"][kind]["power_fit"] = model["power_fit"]
    out = os.path.join(args.out, "platform.json")
    with open(out, "w") as f:
        json.dump(platform, f, indent=1)
    print(f"gpu_check: wrote {out} (platform '{name}')")


def write_summary(args, results, launches, gpu_name):
    header = ["model", "GPU ms", "CPU ms", "CPU/GPU", "vs PyTorch", "vs CPU",
              "max abs vs CPU", "launches", "kernels ms", "GPU compile s"]
    rows = []
    for m, r in results.items():
        kernels_ms = sum(float(row["ms"]) for row in launches[m])
        rows.append([m, f"{r['gpu_ms']:.3f}", f"{r['cpu_ms']:.2f}",
                     f"{r['cpu_ms'] / r['gpu_ms']:.2f}", r["vs_pytorch"],
                     r["vs_cpu"], r["max_abs_vs_cpu"], str(len(launches[m])),
                     f"{kernels_ms:.3f}", f"{r['compile_s']:.1f}"])
    text = (f"GPU: {gpu_name}; batch 1, fp32, median ms "
            f"(bench/gpu-check.sh)\n\n" + benchlib.markdown_table(header, rows))
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    if any(r["vs_pytorch"] != "PASS" or r["vs_cpu"] != "PASS"
           for r in results.values()):
        sys.exit("gpu_check: some GPU outputs do not match")


if __name__ == "__main__":
    main()

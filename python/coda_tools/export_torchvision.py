#!/usr/bin/env python3
"""Export randomly initialised torchvision CNNs to ONNX for Coda's tests.

For every requested model this writes

  OUT/<name>.onnx                              ONNX opset 13, batch 1
  OUT/<name>/test_data_set_0/input_0.pb        one random input (TensorProto)
  OUT/<name>/test_data_set_0/output_0.pb       PyTorch's eval-mode output

which is the layout of the ONNX backend test suite.  The graph input is named
"input" (1x3x224x224, float32) and the graph output "output".

No pretrained weights are downloaded.  A freshly initialised deep network
produces nearly the same output for every input, which makes numerical
comparisons meaningless, so before export each model is conditioned:

  1. BatchNorm affine parameters and Conv/Linear biases are randomised
     (gamma ~ U(0.5, 1.5), beta ~ N(0, 0.1), bias += N(0, 0.02)),
  2. BatchNorm running statistics are calibrated with a few train-mode
     forward passes on random inputs (cumulative average, momentum=None),
     so that eval-mode activations stay well scaled with the new parameters,
  3. the model is switched to eval mode and checked to map two different
     random inputs to clearly different outputs.

Everything is deterministic for a given --seed; each model gets its own seed
derived from --seed and its name, so exporting a subset gives the same files.

Requires torch 1.13, torchvision 0.14 and onnx (Debian's /usr/bin/python3 or
the project's .venv/bin/python).  If onnxruntime is importable as well, the
exported file is also run with it and the deviation is reported.
"""

import argparse
import os
import sys
import time
import zlib

try:
    import numpy as np
    import onnx
    import onnx.numpy_helper
    import torch
    import torchvision
except ImportError as err:
    sys.exit(f"error: {err}; run this script with /usr/bin/python3 "
             "(Debian's python3-torch, python3-torchvision, python3-onnx)")

DEFAULT_MODELS = (
    "mobilenet_v2",
    "mnasnet1_0",
    "resnet18",
    "resnet50",
    "squeezenet1_1",
    "shufflenet_v2_x1_0",
    "efficientnet_b0",
)

OPSET = 13
INPUT_SHAPE = (1, 3, 224, 224)
INPUT_NAME = "input"
OUTPUT_NAME = "output"

CALIBRATION_PASSES = 4
CALIBRATION_BATCH = 8

# Two random inputs must give outputs at least this far apart (relative L2).
MIN_RELATIVE_DIFFERENCE = 1e-3


def model_seed(seed, name):
    """Returns a per-model seed that does not depend on the model list."""
    return zlib.crc32(f"{seed}:{name}".encode()) & 0x7FFFFFFF


def is_batchnorm(module):
    return isinstance(module, torch.nn.modules.batchnorm._BatchNorm)


def build_model(name):
    """Constructs torchvision model `name`, randomly initialised."""
    constructor = getattr(torchvision.models, name, None)
    if constructor is None:
        raise ValueError(f"unknown torchvision model '{name}'")
    return constructor(weights=None)


@torch.no_grad()
def randomize_parameters(model, gen):
    """Randomises BatchNorm gamma/beta and perturbs Conv/Linear biases."""
    for module in model.modules():
        if is_batchnorm(module) and module.affine:
            module.weight.uniform_(0.5, 1.5, generator=gen)
            module.bias.normal_(0.0, 0.1, generator=gen)
        elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            if module.bias is not None:
                noise = torch.empty_like(module.bias).normal_(
                    0.0, 0.02, generator=gen)
                module.bias.add_(noise)


@torch.no_grad()
def calibrate_batchnorm(model, gen):
    """Recomputes BatchNorm running statistics from random inputs."""
    batchnorms = [m for m in model.modules() if is_batchnorm(m)]
    if not batchnorms:
        return
    saved_momenta = [m.momentum for m in batchnorms]
    for module in batchnorms:
        module.reset_running_stats()
        module.momentum = None  # Cumulative moving average.
    model.train()
    shape = (CALIBRATION_BATCH,) + INPUT_SHAPE[1:]
    for _ in range(CALIBRATION_PASSES):
        model(torch.randn(shape, generator=gen))
    for module, momentum in zip(batchnorms, saved_momenta):
        module.momentum = momentum


def relative_difference(a, b):
    """Returns ||a - b|| / ||a|| (L2 norms over all elements)."""
    denominator = max(torch.linalg.vector_norm(a).item(), 1e-30)
    return torch.linalg.vector_norm(a - b).item() / denominator


def prepare_model(name, seed):
    """Builds and conditions model `name`.

    Returns (model, input, output, relative_difference), where `input` is a
    random input, `output` the eval-mode model's result for it, and the
    relative difference is measured against the output for a second input.
    """
    seed = model_seed(seed, name)
    torch.manual_seed(seed)  # torchvision's initialisers use the global RNG.
    gen = torch.Generator().manual_seed(seed)
    model = build_model(name)
    randomize_parameters(model, gen)
    calibrate_batchnorm(model, gen)
    model.eval()
    x1 = torch.randn(INPUT_SHAPE, generator=gen)
    x2 = torch.randn(INPUT_SHAPE, generator=gen)
    with torch.no_grad():
        y1 = model(x1)
        y2 = model(x2)
    difference = relative_difference(y1, y2)
    if not difference > MIN_RELATIVE_DIFFERENCE:
        raise RuntimeError(
            f"{name}: outputs for different inputs differ by only "
            f"{difference:.3g} (relative); the model is input-independent")
    return model, x1, y1, difference


def write_tensor(path, array, name):
    tensor = onnx.numpy_helper.from_array(np.ascontiguousarray(array), name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def write_test_data(out_dir, name, x, y):
    data_dir = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    write_tensor(os.path.join(data_dir, "input_0.pb"), x.numpy(), INPUT_NAME)
    write_tensor(os.path.join(data_dir, "output_0.pb"), y.numpy(), OUTPUT_NAME)


def export_onnx(model, x, path):
    """Exports `model` to `path` atomically and checks the result."""
    tmp_path = path + ".tmp"
    torch.onnx.export(
        model, x, tmp_path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME])
    onnx.checker.check_model(tmp_path)
    os.replace(tmp_path, path)


def onnxruntime_deviation(path, x, y):
    """Returns max |ORT - PyTorch|, or None if onnxruntime is unavailable."""
    try:
        import onnxruntime
    except ImportError:
        return None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = onnxruntime.InferenceSession(
        path, options, providers=["CPUExecutionProvider"])
    (result,) = session.run([OUTPUT_NAME], {INPUT_NAME: x.numpy()})
    return float(np.max(np.abs(result - y.numpy())))


def is_up_to_date(out_dir, name):
    """True if OUT/<name>.onnx and its test data are newer than this script."""
    onnx_path = os.path.join(out_dir, name + ".onnx")
    data_dir = os.path.join(out_dir, name, "test_data_set_0")
    paths = [onnx_path, os.path.join(data_dir, "input_0.pb"),
             os.path.join(data_dir, "output_0.pb")]
    if not all(os.path.isfile(p) for p in paths):
        return False
    return os.path.getmtime(onnx_path) > os.path.getmtime(__file__)


def export_one(out_dir, name, seed):
    """Exports one model and prints a one-line summary."""
    start = time.monotonic()
    model, x, y, difference = prepare_model(name, seed)
    write_test_data(out_dir, name, x, y)
    path = os.path.join(out_dir, name + ".onnx")
    export_onnx(model, x, path)
    deviation = onnxruntime_deviation(path, x, y)
    elapsed = time.monotonic() - start
    size_mb = os.path.getsize(path) / 1e6
    line = (f"{name:<20} {size_mb:7.2f} MB {elapsed:6.1f} s  "
            f"rel-diff {difference:.3g}")
    if deviation is not None:
        line += f"  ort-max-abs-err {deviation:.3g}"
    print(line, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export randomly initialised torchvision CNNs to ONNX "
                    "with ONNX-backend-style test data.")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output directory (created if missing)")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        metavar="M1,M2,...",
                        help="comma-separated torchvision model names "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="base random seed (default: %(default)s)")
    parser.add_argument("--force", action="store_true",
                        help="re-export models that are up to date")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch intra-op threads (default: %(default)s)")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not args.models:
        parser.error("--models is empty")
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    total_start = time.monotonic()
    failures = 0
    for name in args.models:
        if not args.force and is_up_to_date(args.out, name):
            print(f"{name:<20} up to date, skipped (use --force)")
            continue
        try:
            export_one(args.out, name, args.seed)
        except (ValueError, RuntimeError) as err:
            print(f"error: {err}", file=sys.stderr)
            failures += 1
    print(f"total {time.monotonic() - total_start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

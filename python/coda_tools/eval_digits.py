#!/usr/bin/env python3
"""Held-out accuracy of compiled Coda models on scikit-learn's digits.

Usage (repository root):

  /usr/bin/python3 python/coda_tools/eval_digits.py [--resolution 32]
      [--calibration OUT.npy --calibration-samples 64] [NAME=LIB.so ...]

The digits are prepared exactly as python/coda_tools/spnas/train.py prepares
them (same split, same seed), so the accuracy of the compiled example supernet
is comparable with the one training recorded. Each library is loaded through
its C ABI (include/coda/Runtime/CodaModel.h) and run once per held-out image.
--calibration writes the first training images as a .npy batch for
coda-assign-precision's calibration option.
"""

import argparse
import ctypes
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

MAX_RANK = 8


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK)]


class CodaModel:
    """One instance of a library made by coda-compile (one input, one output)."""

    def __init__(self, path):
        lib = ctypes.CDLL(os.path.abspath(path))
        lib.coda_input_info.restype = ctypes.POINTER(TensorInfo)
        lib.coda_output_info.restype = ctypes.POINTER(TensorInfo)
        lib.coda_init.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.coda_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.POINTER(ctypes.c_void_p)]
        lib.coda_free.argtypes = [ctypes.c_void_p]
        if lib.coda_num_inputs() != 1 or lib.coda_num_outputs() != 1:
            raise ValueError(f"{path}: expected one input and one output")

        def shape(info):
            return tuple(info.contents.shape[:info.contents.rank])

        self.input_shape = shape(lib.coda_input_info(0))
        self.output_shape = shape(lib.coda_output_info(0))
        self.handle = ctypes.c_void_p()
        status = lib.coda_init(ctypes.byref(self.handle))
        if status != 0:
            raise RuntimeError(f"{path}: coda_init failed with status {status}")
        self.lib = lib

    def __call__(self, x):
        x = np.ascontiguousarray(x, dtype=np.float32).reshape(self.input_shape)
        y = np.empty(self.output_shape, dtype=np.float32)
        ins = (ctypes.c_void_p * 1)(x.ctypes.data)
        outs = (ctypes.c_void_p * 1)(y.ctypes.data)
        status = self.lib.coda_run(self.handle, ins, outs)
        if status != 0:
            raise RuntimeError(f"coda_run failed with status {status}")
        return y

    def __del__(self):
        if getattr(self, "handle", None):
            self.lib.coda_free(self.handle)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calibration", help="write training images here (.npy)")
    ap.add_argument("--calibration-samples", type=int, default=64)
    ap.add_argument("models", nargs="*", metavar="NAME=LIB.so")
    args = ap.parse_args()

    from coda_tools.spnas.train import digits
    (x_train, _), (x_test, y_test) = digits(args.resolution, args.seed)
    if args.calibration:
        np.save(args.calibration, x_train[:args.calibration_samples].numpy())
    x_test, y_test = x_test.numpy(), y_test.numpy()
    for spec in args.models:
        name, _, path = spec.partition("=")
        model = CodaModel(path)
        correct = sum(int(model(x).argmax() == y) for x, y in zip(x_test, y_test))
        print(f"{name}: held-out accuracy {correct / len(y_test):.4f} "
              f"({correct}/{len(y_test)} digits)")


if __name__ == "__main__":
    main()

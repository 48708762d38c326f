#!/usr/bin/env python3
"""Records ONNX Runtime's outputs next to PyTorch's for exported models.

For each MODEL.onnx in --models with a MODEL/test_data_set_0/ (PyTorch's
reference, written at export), runs ONNX Runtime (CPU, default optimizations)
on the same inputs and writes MODEL/test_data_set_1/{input,output}_K.pb, so
`coda-run MODEL.onnx --test-dir=MODEL` checks Coda against both.
Run with the project venv's python (.venv/bin/python has onnxruntime).
"""
import argparse
import glob
import os
import shutil

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", required=True)
    args = parser.parse_args()
    for path in sorted(glob.glob(os.path.join(args.models, "*.onnx"))):
        base = path[:-len(".onnx")]
        pytorch = os.path.join(base, "test_data_set_0")
        if not os.path.isdir(pytorch):
            continue
        out_dir = os.path.join(base, "test_data_set_1")
        os.makedirs(out_dir, exist_ok=True)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        feeds = {}
        for k, meta in enumerate(session.get_inputs()):
            src = os.path.join(pytorch, f"input_{k}.pb")
            tensor = onnx.load_tensor(src)
            feeds[meta.name] = numpy_helper.to_array(tensor)
            shutil.copyfile(src, os.path.join(out_dir, f"input_{k}.pb"))
        for k, value in enumerate(session.run(None, feeds)):
            tensor = numpy_helper.from_array(np.asarray(value),
                                             session.get_outputs()[k].name)
            onnx.save_tensor(tensor, os.path.join(out_dir, f"output_{k}.pb"))
        print(f"{os.path.basename(path)}: ONNX Runtime {ort.__version__} reference written")


if __name__ == "__main__":
    main()

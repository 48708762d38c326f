#!/usr/bin/env python3
"""Builds platforms/pixel1-tflite.json from the published Single-Path NAS
Pixel 1 block table (platforms/data/pixel1/)."""
import argparse
import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "platforms" / "data" / "pixel1"
# Keys of the table's choices: "0" = k3e3, "1" = k3e6, "2" = k5e3, "3" = k5e6.
CHOICES = {"0": (3, 3), "1": (3, 6), "2": (5, 3), "3": (5, 6)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", default=ROOT / "platforms" / "pixel1-tflite.json")
    args = ap.parse_args()
    table = json.loads((DATA / "pixel1_runtime_model.json").read_text())
    blocks = []
    with open(DATA / "pixel1_runtime_model_labeled.csv") as f:
        for row in csv.DictReader(f):
            b = row["block"]
            for choice, (kernel, expand) in sorted(CHOICES.items()):
                blocks.append({"block": int(b), "cin": int(row["cin"]),
                               "cout": int(row["cout"]), "hin": int(row["input_res"]),
                               "stride": int(row["stride"]), "kernel": kernel,
                               "expand": expand, "ms": table[b][choice]})
    platform = {
        "schema": "coda.platform/1",
        "name": "pixel1-tflite",
        "description": "Google Pixel 1 CPU, TensorFlow Lite, 1 thread: the per-block "
                       "latency table published with Single-Path NAS (MBConv blocks of "
                       "its MobileNetV2-like space).",
        "metadata": {
            "hardware": "Google Pixel 1 (Snapdragon 821), CPU",
            "runtime": "TensorFlow Lite",
            "threads": 1,
            "source": "enyac-group/single-path-nas nas-search/pixel1_runtime_model.json "
                      "@21c1f3e9c790e591749c0fb861bff3737b6d5fc7 (Apache-2.0)",
            "measured_by": "the Single-Path NAS authors",
        },
        "fixed_ms": 19.5999,
        "blocks": blocks,
    }
    Path(args.output).write_text(json.dumps(platform, indent=1) + "\n")


if __name__ == "__main__":
    main()

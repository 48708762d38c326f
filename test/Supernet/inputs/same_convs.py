#!/usr/bin/env python3
"""same_convs.py A.json B.json: two coda-op-summary JSON tables have the same
convolutions (shape, MACs, parameters) in the same order."""
import json
import sys


def convs(path):
    return [(r["shape"], r["macs"], r["params"]) for r in json.load(open(path))
            if r["op"] == "conv2d"]


a, b = convs(sys.argv[1]), convs(sys.argv[2])
print(f"convolutions {'MATCH' if a == b else 'DIFFER'}: {len(a)} vs {len(b)}")
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("first difference:", x, y)
            break
sys.exit(0 if a == b else 1)

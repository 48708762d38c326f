#!/usr/bin/env python3
"""check_pixel1.py ARCH.json REPORT.json: the collapse report lists, block
by block, the published network (choice, kernel, expand, stride, widths)."""
import json
import sys

arch = [b for b in json.load(open(sys.argv[1]))["blocks"] if b["choice"] != "fixed"]
report = json.load(open(sys.argv[2]))["blocks"]
ok = len(arch) == len(report)
for a, r in zip(arch, report):
    for key in ("choice", "kernel", "expand", "stride", "cin", "cout"):
        if a[key] != r[key]:
            print(f"block {a['block']}: {key} {a[key]} != {r[key]}")
            ok = False
print("pixel1 arch", "MATCH" if ok else "DIFFERS")
sys.exit(0 if ok else 1)

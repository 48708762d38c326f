#!/usr/bin/env python3
"""same_arch.py ARCH.json REPORT.json: the collapse chose the encoded arch."""
import json
import sys

want = json.load(open(sys.argv[1]))["choices"]
got = json.load(open(sys.argv[2]))["arch"].split(",")
print("arch", "MATCH" if want == got else f"DIFFERS: want {want} got {got}")
sys.exit(0 if want == got else 1)

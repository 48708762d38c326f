#!/usr/bin/env python3
"""same_table.py PUBLISHED.json EXPORTED.json: the exported per-block table
(coda-export-latency-table) equals the published one (searchable blocks
1..20) to 1e-9 ms."""
import json
import sys

KEYS = {"k3_e3": "0", "k3_e6": "1", "k5_e3": "2", "k5_e6": "3"}
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
ok = len(got["blocks"]) == 20
for row in got["blocks"]:
    for choice, key in KEYS.items():
        if abs(want[str(row["block"])][key] - row[choice]) > 1e-9:
            print(f"block {row['block']} {choice}: {row[choice]} != {want[str(row['block'])][key]}")
            ok = False
print(f"table {'MATCH' if ok else 'DIFFERS'}: {len(got['blocks'])} blocks, "
      f"fixed {got['fixed_ms']} ms")
sys.exit(0 if ok else 1)

#!/usr/bin/env python3
"""same_table.py PUBLISHED.json EXPORTED.json: the exported per-block table
equals the published one (searchable blocks 1..20) to 1e-9 ms."""
import json
import sys

want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
ok = len(got["blocks"]) == 20
for block, row in got["blocks"].items():
    for key, ms in row.items():
        if abs(want[block][key] - ms) > 1e-9:
            print(f"block {block} choice {key}: {ms} != {want[block][key]}")
            ok = False
print(f"table {'MATCH' if ok else 'DIFFERS'}: {len(got['blocks'])} blocks, "
      f"fixed {got['fixed_ms']} ms")
sys.exit(0 if ok else 1)

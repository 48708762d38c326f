"""The Single-Path NAS search space and architecture strings.

The paper's MobileNetV2-like space: stem 3x3/s2 -> 32, block 0 fixed
(k3 e1, 32 -> 16), five searchable stages of four MBConv blocks
(24/s2, 40/s2, 80/s2, 96/s1, 192/s2), block 21 fixed (k3 e6, 192 -> 320),
head 1x1 -> 1280, global pool, classifier. Every searchable block chooses a
kernel (3 or 5) and an expansion (3 or 6); the blocks that are stride 1 and
not the first of their stage (15 of 20) may also be skipped.
"""

import dataclasses
import json
import re

CHOICES = ("k3_e3", "k3_e6", "k5_e3", "k5_e6", "skip")
# Keys of the per-block latency tables (pixel1_runtime_model.json).
TABLE_KEYS = {"k3_e3": "0", "k3_e6": "1", "k5_e3": "2", "k5_e6": "3"}
STAGES = ((24, 4, 2), (40, 4, 2), (80, 4, 2), (96, 4, 1), (192, 4, 2))
NUM_BLOCKS = 22


@dataclasses.dataclass(frozen=True)
class Block:
    index: int
    stage: int
    cin: int
    cout: int
    stride: int
    resolution: int  # input height/width of the block
    searchable: bool
    skippable: bool  # stride 1, not first of its stage: has a residual

    @property
    def residual(self):
        return self.skippable


@dataclasses.dataclass(frozen=True)
class Space:
    width: float
    resolution: int
    num_classes: int
    stem: int
    head: int
    blocks: tuple

    def searchable(self):
        return [b for b in self.blocks if b.searchable]


def scale(channels, width):
    """Channels scaled by `width`, a multiple of 4 (at least 4)."""
    return max(4, int(round(channels * width / 4.0)) * 4)


def make_space(width=1.0, resolution=224, num_classes=1000):
    res = (resolution + 1) // 2  # after the stem
    blocks = [Block(0, 0, scale(32, width), scale(16, width), 1, res, False, False)]
    cin = scale(16, width)
    for stage, (cout, repeats, stride) in enumerate(STAGES, start=1):
        for i in range(repeats):
            s = stride if i == 0 else 1
            c = scale(cout, width)
            blocks.append(Block(len(blocks), stage, cin, c, s, res, True, i > 0))
            res = (res - 1) // s + 1
            cin = c
    blocks.append(Block(len(blocks), 6, cin, scale(320, width), 1, res, False, False))
    assert len(blocks) == NUM_BLOCKS
    return Space(width, resolution, num_classes, scale(32, width),
                 max(scale(1280, width), 16), tuple(blocks))


def kernel_expand(choice):
    """(kernel, expand) of a choice; (None, None) for skip."""
    if choice == "skip":
        return None, None
    m = re.fullmatch(r"k([35])_e([36])", choice)
    if not m:
        raise ValueError(f"unknown choice '{choice}' (expected one of {', '.join(CHOICES)})")
    return int(m.group(1)), int(m.group(2))


def parse_arch(text, space):
    """Per-searchable-block choices from 'k3_e6,skip,...' or a JSON file's text.

    JSON: a list of choice strings, or {"blocks": [{"choice": ...}, ...]}
    (spnasnet_pixel1_arch.json), fixed blocks ignored."""
    text = text.strip()
    if text.startswith("[") or text.startswith("{"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = [b["choice"] for b in data["blocks"] if b.get("choice") != "fixed"]
        choices = list(data)
    else:
        choices = [c.strip() for c in text.split(",")]
    searchable = space.searchable()
    if len(choices) != len(searchable):
        raise ValueError(f"{len(choices)} choices for {len(searchable)} searchable blocks")
    for c, b in zip(choices, searchable):
        kernel_expand(c)
        if c == "skip" and not b.skippable:
            raise ValueError(f"block {b.index} cannot be skipped")
    return choices


def mnasnet_string(choice, block):
    """MnasNet/timm block string, e.g. 'ir_r1_k5_s2_e6_c40' ('skip' for skip)."""
    if choice == "skip":
        return "skip"
    k, e = kernel_expand(choice)
    return f"ir_r1_k{k}_s{block.stride}_e{e}_c{block.cout}"


def table_latency_ms(table, fixed_ms, choices, space):
    """Latency of an architecture from a per-block table (keys '0'..'21')."""
    total = fixed_ms
    for c, b in zip(choices, space.searchable()):
        if c != "skip":
            total += table[str(b.index)][TABLE_KEYS[c]]
    return total

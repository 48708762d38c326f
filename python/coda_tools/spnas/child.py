"""A plain PyTorch network of the search space from a per-block choice list.

    net = build_child(make_space(width=0.5, resolution=64, num_classes=10),
                      ["k3_e3", "k5_e6", "skip", ...])  # 20 searchable choices

The collapsed form of a supernet: MBConv blocks (expand 1x1 -> BN -> ReLU ->
depthwise kxk -> BN -> ReLU -> project 1x1 -> BN, residual where the block
keeps resolution and width), skipped blocks are identities.
"""

import torch
from torch import nn

from .space import kernel_expand


def conv_bn(cin, cout, kernel, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=False))
    return layers


class MBConv(nn.Module):
    def __init__(self, cin, cout, kernel, expand, stride, residual):
        super().__init__()
        mid = cin * expand
        layers = [] if expand == 1 else conv_bn(cin, mid, 1)
        layers += conv_bn(mid, mid, kernel, stride, groups=mid)
        layers += conv_bn(mid, cout, 1, relu=False)
        self.body = nn.Sequential(*layers)
        self.residual = residual

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class Stem(nn.Sequential):
    def __init__(self, space):
        super().__init__(*conv_bn(3, space.stem, 3, 2))


class Head(nn.Module):
    def __init__(self, space):
        super().__init__()
        self.conv = nn.Sequential(*conv_bn(space.blocks[-1].cout, space.head, 1))
        self.fc = nn.Linear(space.head, space.num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.conv(x), 1), 1))


def fixed_block(block, expand):
    return MBConv(block.cin, block.cout, 3, expand, block.stride, False)


def build_child(space, choices):
    """nn.Sequential: stem, 22 blocks (skips are nn.Identity), head."""
    searchable = space.searchable()
    if len(choices) != len(searchable):
        raise ValueError(f"{len(choices)} choices for {len(searchable)} searchable blocks")
    layers = [Stem(space), fixed_block(space.blocks[0], 1)]
    for choice, b in zip(choices, searchable):
        if choice == "skip":
            if not b.skippable:
                raise ValueError(f"block {b.index} cannot be skipped")
            layers.append(nn.Identity())
            continue
        k, e = kernel_expand(choice)
        layers.append(MBConv(b.cin, b.cout, k, e, b.stride, b.residual))
    layers += [fixed_block(space.blocks[-1], 6), Head(space)]
    return nn.Sequential(*layers)

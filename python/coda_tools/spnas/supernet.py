"""The Single-Path supernet: one superkernel per searchable block.

Each searchable block holds a 5x5 depthwise kernel over the e=6 expanded
channels C; its inner 3x3 core is the k=3 choice and its first C/2 channels
the e=3 choice. Three trainable thresholds per block decide, in this order
(the published code's rule; `norm` is "l2" there, "l2sq" as in the paper):

  d_k5 = [|W * ring| >= t_k5]          ring: the 5x5 taps outside the 3x3
  W_k  = W_core + d_k5 * W_ring
  d_e6 = [|W_k[C/2:]| >= t_e6]
  d_e3 = [|W_k[:C/2]| >= t_e3]         skippable blocks only, else 1
  W'   = d_e3 * (W_k[:C/2] + d_e6 * W_k[C/2:])

Forward uses the hard 0/1 indicators, backward the sigmoid's gradient
(straight-through). Only the depthwise kernel is masked.
"""


import torch
from torch import nn

from . import child
from .space import TABLE_KEYS, kernel_expand

NORMS = ("l2", "l2sq")


def norm(x, kind):
    sq = (x * x).sum()
    return sq if kind == "l2sq" else torch.sqrt(sq)


def indicator(x):
    """1[x >= 0] forward, sigmoid'(x) backward."""
    soft = torch.sigmoid(x)
    return (x >= 0).to(x.dtype) + soft - soft.detach()


class SuperBlock(nn.Module):
    def __init__(self, block, norm_kind="l2"):
        super().__init__()
        self.block = block
        self.norm_kind = norm_kind
        c = 6 * block.cin
        self.channels = c
        self.expand = nn.Sequential(*child.conv_bn(block.cin, c, 1))
        self.dw_weight = nn.Parameter(torch.empty(c, 1, 5, 5))
        nn.init.kaiming_normal_(self.dw_weight, mode="fan_out")
        self.dw_bn = nn.BatchNorm2d(c)
        self.project = nn.Sequential(*child.conv_bn(c, block.cout, 1, relu=False))
        self.t_k5 = nn.Parameter(torch.zeros(()))
        self.t_e3 = nn.Parameter(torch.zeros(()))
        self.t_e6 = nn.Parameter(torch.zeros(()))
        ring = torch.ones(1, 1, 5, 5)
        ring[:, :, 1:4, 1:4] = 0
        lo = torch.zeros(c, 1, 1, 1)
        lo[: c // 2] = 1
        self.register_buffer("ring_mask", ring)
        self.register_buffer("lo_mask", lo)

    def indicators(self):
        """(d_k5, d_e6, d_e3) as straight-through 0/1 tensors."""
        w = self.dw_weight
        ring = w * self.ring_mask
        d5 = indicator(norm(ring, self.norm_kind) - self.t_k5)
        wk = w * (1 - self.ring_mask) + d5 * ring
        lo = wk * self.lo_mask
        hi = wk * (1 - self.lo_mask)
        d6 = indicator(norm(hi, self.norm_kind) - self.t_e6)
        if self.block.skippable:
            d3 = indicator(norm(lo, self.norm_kind) - self.t_e3)
        else:
            d3 = torch.ones((), dtype=w.dtype)
        return d5, d6, d3, lo, hi

    def masked_weight(self):
        d5, d6, d3, lo, hi = self.indicators()
        return d3 * (lo + d6 * hi)

    def choice(self):
        with torch.no_grad():
            d5, d6, d3, _, _ = self.indicators()
        if d3.item() < 0.5:
            return "skip"
        return f"k{5 if d5.item() > 0.5 else 3}_e{6 if d6.item() > 0.5 else 3}"

    def latency(self, table):
        """The paper's differentiable block runtime from a table row."""
        d5, d6, d3, _, _ = self.indicators()
        r = {c: table[TABLE_KEYS[c]] for c in TABLE_KEYS}
        rho = r["k3_e6"] / r["k5_e6"]
        return d3 * (r["k5_e3"] + d6 * (r["k5_e6"] - r["k5_e3"])) * (rho + (1 - rho) * d5)

    def forward(self, x):
        h = self.expand(x)
        h = nn.functional.conv2d(h, self.masked_weight(), None, self.block.stride, 2,
                                 groups=self.channels)
        y = self.project(torch.relu(self.dw_bn(h)))
        return x + y if self.block.residual else y

    @torch.no_grad()
    def encode(self, choice, margin=2.0):
        """Set the thresholds so that the decision rule selects `choice`."""
        if choice == "skip" and not self.block.skippable:
            raise ValueError(f"block {self.block.index} cannot be skipped")
        k, e = kernel_expand(choice)

        def threshold(n, on):  # a clear margin either side of the norm
            return n / margin if on else n * margin + 1e-3

        w = self.dw_weight
        ring = w * self.ring_mask
        self.t_k5.fill_(threshold(norm(ring, self.norm_kind), k == 5))
        wk = w * (1 - self.ring_mask) + (ring if k == 5 else 0)
        self.t_e6.fill_(threshold(norm(wk * (1 - self.lo_mask), self.norm_kind), e == 6))
        on = choice != "skip"
        self.t_e3.fill_(threshold(norm(wk * self.lo_mask, self.norm_kind), on)
                        if self.block.skippable else 0.0)
        assert self.choice() == choice, (self.choice(), choice)


class Supernet(nn.Module):
    def __init__(self, space, norm_kind="l2"):
        super().__init__()
        if norm_kind not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}")
        self.space = space
        self.norm_kind = norm_kind
        self.stem = child.Stem(space)
        self.first = child.fixed_block(space.blocks[0], 1)
        self.blocks = nn.ModuleList(SuperBlock(b, norm_kind) for b in space.searchable())
        self.last = child.fixed_block(space.blocks[-1], 6)
        self.head = child.Head(space)

    def forward(self, x):
        x = self.first(self.stem(x))
        for b in self.blocks:
            x = b(x)
        return self.head(self.last(x))

    def choices(self):
        return [b.choice() for b in self.blocks]

    def encode(self, choices):
        for b, c in zip(self.blocks, choices, strict=True):
            b.encode(c)

    def latency_ms(self, table, fixed_ms):
        """Differentiable runtime R (ms): fixed part + sum of block models."""
        return fixed_ms + sum(b.latency(table[str(b.block.index)]) for b in self.blocks)

    def thresholds(self):
        return [p for n, p in self.named_parameters() if n.split(".")[-1].startswith("t_")]

    def weights(self):
        return [p for n, p in self.named_parameters() if not n.split(".")[-1].startswith("t_")]


def loss(logits, labels, latency_ms, lam):
    """CE + lam * ln(R), R the differentiable runtime in ms."""
    return nn.functional.cross_entropy(logits, labels) + lam * torch.log(latency_ms)


def randomize_bn(model, generator):
    """Random BN statistics and affine parameters, so that eval-mode outputs
    of an untrained net vary (numerical tests)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=generator) + 0.5
            m.bias.data = torch.randn(n, generator=generator) * 0.2
            m.running_mean.data = torch.randn(n, generator=generator) * 0.2
            m.running_var.data = torch.rand(n, generator=generator) + 0.5



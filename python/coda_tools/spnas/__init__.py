"""Single-Path NAS reference (Stamoulis et al., 2019) for Coda.

* ``space``     the MobileNetV2-like search space (22 MBConv blocks, width and
                resolution scalable) and the architecture string formats;
* ``child``     a plain PyTorch network from a per-block choice list;
* ``supernet``  the single-path supernet: one 5x5, e=6 superkernel per
                searchable block, straight-through indicators, latency loss;
* ``export``    writes a supernet in Coda's supernet ONNX format
                (docs/Supernet.md), which ONNX Runtime runs as is;
* ``train``     a small end-to-end search on scikit-learn's digits.

All modules need Debian's /usr/bin/python3 (torch 1.13, onnx 1.12).
"""

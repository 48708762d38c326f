"""Helper scripts for the Coda CNN compiler.

The modules in this package are standalone command-line tools (run them with
``python3 -m coda_tools.<tool>`` from ``python/`` or directly by path).  Tools
that need PyTorch or ONNX must run under an interpreter that has them, i.e.
Debian's ``/usr/bin/python3`` or the project's ``.venv/bin/python``.
"""

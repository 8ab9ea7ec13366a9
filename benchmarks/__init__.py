"""pyscoop benchmark suite: 19 programs, each in several versions side by side.

Run from the repository root with ``python -m benchmarks`` (see benchmarks/README.md).
"""

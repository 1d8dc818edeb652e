"""Benchmarks: speed, memory and F1 figures, collected in benchmarks/README.md with their commands.

What the scripts share (data and results folders, timing, peak memory) is in ``_common``.
"""

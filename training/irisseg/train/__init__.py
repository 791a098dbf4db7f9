"""Episodic training of Iris: losses, optimisers, the loop with exact resume, checkpoints, DDP and the CLI.

Run ``python -m irisseg.train --help``; the run directory layout is described in ``checkpoint.py``.
"""

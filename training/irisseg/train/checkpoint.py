"""Checkpoint files of a training run, written atomically (temp file, fsync, ``os.replace``).

``<run_dir>/last.pt`` -- everything needed to resume exactly::

    {"format": 1, "iteration": int, "config": dict (config_to_dict), "model": state_dict (float32),
     "optimizer": ..., "scheduler": ..., "weight_ema": {...} | None, "memory_bank": {...},
     "rng": [per-rank RNG states, rank order], "elapsed_s": float (training wall time so far)}

``<run_dir>/model.pt`` -- the weights to export, in the format of ``irisseg.weights`` (read it with
``irisseg.weights.load_model``): the weight EMA when it is kept, else the trained weights; no
optimiser state; ``meta`` holds the training summary (iterations, hardware, wall time, ...).

``<run_dir>/memory_bank.pt`` -- the class-embedding memory bank (see ``memory_bank.py``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

CHECKPOINT_FORMAT = 1
LAST = "last.pt"
MODEL = "model.pt"
MEMORY_BANK = "memory_bank.pt"


def atomic_save(obj: Any, path: str | os.PathLike) -> Path:
    """``torch.save`` to ``path`` so that a reader (or a kill) never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a ``last.pt`` written by the trainer (a trusted local file: RNG states need full unpickling)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: unknown checkpoint format {state.get('format')!r}")
    return state


def cpu_float_state(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A CPU copy of a state dict; floating-point tensors as float32 (contiguous, no shared storage)."""
    out = {}
    for name, value in state_dict.items():
        value = value.detach().to("cpu")
        if value.is_floating_point():
            value = value.float()
        out[name] = value.clone().contiguous()
    return out

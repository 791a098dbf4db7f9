"""Optimiser choice: AdamW (default) or LAMB (the Iris paper's)."""
from __future__ import annotations

from typing import Iterable

import torch
from torch import Tensor
from torch.optim import Optimizer

from irisseg.train.lamb import Lamb

OPTIMIZERS = ("adamw", "lamb")


def build_optimizer(params: Iterable[Tensor], name: str, lr: float, weight_decay: float, device: torch.device) -> Optimizer:
    """``name`` in :data:`OPTIMIZERS`; AdamW uses its fused kernel (CUDA and CPU)."""
    name = name.lower()
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=(0.9, 0.999), fused=True)
    if name == "lamb":
        return Lamb(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")

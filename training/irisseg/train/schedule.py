"""Learning-rate schedule: linear warm-up, then cosine decay to a floor."""
from __future__ import annotations

import math

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


class WarmupCosine:
    """Multiplier of the base learning rate at iteration ``step`` (0-based).

    Rises linearly from ``1/warmup`` to 1 over ``warmup`` iterations, then follows a half cosine
    from 1 down to ``min_ratio`` at ``total`` iterations (and stays there beyond).
    A callable object rather than a lambda so that ``LambdaLR.state_dict()`` records it.
    """

    def __init__(self, warmup: int, total: int, min_ratio: float = 0.01) -> None:
        if warmup < 0 or total < 1:
            raise ValueError(f"need warmup >= 0 and total >= 1, got {warmup}, {total}")
        self.warmup = int(warmup)
        self.total = int(total)
        self.min_ratio = float(min_ratio)

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        decay_steps = max(1, self.total - self.warmup)
        progress = min(1.0, (step - self.warmup) / decay_steps)
        return self.min_ratio + (1.0 - self.min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


class WarmupCosineLR(LambdaLR):
    """A ``LambdaLR`` stepping once per iteration with :class:`WarmupCosine`, whose planned total can move.

    Its state dict is ``LambdaLR``'s: the :class:`WarmupCosine` settings, the planned total included.
    """

    def set_total(self, total: int) -> None:
        """Plan the end of the cosine decay at ``total`` iterations (it takes effect from the next ``step``)."""
        for schedule in self.lr_lambdas:
            schedule.total = int(total)


def warmup_cosine_scheduler(optimizer: Optimizer, warmup: int, total: int, min_ratio: float = 0.01) -> WarmupCosineLR:
    """A :class:`WarmupCosineLR` from ``warmup`` to ``total`` iterations, ending at ``min_ratio`` of the base rate."""
    return WarmupCosineLR(optimizer, WarmupCosine(warmup, total, min_ratio))

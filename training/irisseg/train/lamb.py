"""LAMB optimiser (You et al., 2020, "Large Batch Optimization for Deep Learning"), the Iris paper's choice.

Per parameter tensor ``p`` with gradient ``g`` at step ``t``::

    m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
    u = (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + weight_decay * p
    r = ||p|| / ||u||   (1 when either norm is 0; then clamped to ``max_trust``)
    p = p - lr * r * u
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch import Tensor
from torch.optim import Optimizer


class Lamb(Optimizer):
    """Layer-wise adaptive moments with decoupled weight decay folded into the update."""

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        max_trust: float = 10.0,
    ) -> None:
        if lr <= 0.0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, max_trust=max_trust)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.float()
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, dtype=torch.float32)
                    state["exp_avg_sq"] = torch.zeros_like(p, dtype=torch.float32)
                state["step"] += 1
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=1.0 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                m_hat = exp_avg / (1.0 - beta1**step)
                v_hat = exp_avg_sq / (1.0 - beta2**step)
                update = m_hat / (v_hat.sqrt() + group["eps"])
                weights = p.float()
                if group["weight_decay"] != 0.0:
                    update = update + group["weight_decay"] * weights
                weight_norm = weights.norm()
                update_norm = update.norm()
                # Trust ratio kept on the device (no host sync per tensor).
                trust = torch.where(
                    (weight_norm > 0) & (update_norm > 0),
                    (weight_norm / update_norm).clamp(max=group["max_trust"]),
                    torch.ones_like(weight_norm),
                )
                p.add_((update * (-group["lr"] * trust)).to(p.dtype))
        return loss

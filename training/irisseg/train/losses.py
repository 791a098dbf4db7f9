"""Segmentation losses for episodic training: soft Dice + binary cross-entropy per class.

Shapes: ``B`` episodes, ``K`` class slots, spatial ``X, Y, Z`` (``G^3`` at the model grid).
Every class slot is an independent binary problem (sigmoid per class, as the decoder outputs).
Slots that are padding or were dropped in the episode are masked out with ``class_valid [B, K]``.
Voxels of unseen structures carry zero weight: ``weight [B, 1, *spatial]`` in ``[0, 1]`` (1 - ignore mask),
so the model is taught neither to find them nor to suppress them.
All losses are computed in float32, also when the logits come out of a bf16 autocast region.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

DEEP_SUPERVISION_WEIGHTS: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4, 0.2)
"""Weights of the full-resolution output and the auxiliary outputs, finest first (the paper's)."""


def soft_dice_loss(logits: Tensor, target: Tensor, smooth: float = 1.0, weight: Optional[Tensor] = None) -> Tensor:
    """``1 - soft Dice`` per class over the (weighted) volume.

    logits: ``[B, K, *spatial]``; target: same shape, values in ``[0, 1]``; weight: ``[B, 1, *spatial]``
    or None. Returns ``[B, K]``. ``smooth`` keeps an empty target with an empty prediction at loss 0.
    """
    probs = torch.sigmoid(logits.float())
    target = target.float()
    if weight is not None:
        probs = probs * weight
        target = target * weight
    dims = tuple(range(2, logits.dim()))
    intersection = (probs * target).sum(dims)
    total = probs.sum(dims) + target.sum(dims)
    return 1.0 - (2.0 * intersection + smooth) / (total + smooth)


def bce_loss(logits: Tensor, target: Tensor, weight: Optional[Tensor] = None) -> Tensor:
    """Binary cross-entropy with logits, averaged over the (weighted) voxels. Shapes as
    :func:`soft_dice_loss`; returns ``[B, K]``."""
    per_voxel = F.binary_cross_entropy_with_logits(logits.float(), target.float(), reduction="none")
    dims = tuple(range(2, logits.dim()))
    if weight is None:
        return per_voxel.mean(dim=dims)
    return (per_voxel * weight).sum(dim=dims) / weight.sum(dim=dims).clamp_min(1.0)


def per_class_loss(logits: Tensor, target: Tensor, weight: Optional[Tensor] = None) -> Tensor:
    """Dice + BCE per class slot ``[B, K]``."""
    return soft_dice_loss(logits, target, weight=weight) + bce_loss(logits, target, weight)


def dice_bce_loss(logits: Tensor, target: Tensor, class_valid: Tensor, weight: Optional[Tensor] = None) -> Tensor:
    """Mean of (Dice + BCE) over the valid class slots; a scalar.

    logits, target: ``[B, K, *spatial]``; class_valid: ``[B, K]`` bool; weight: ``[B, 1, *spatial]`` or None.
    With no valid slot the result is a zero that still depends on ``logits`` (so the backward pass
    reaches every parameter, which DDP requires).
    """
    per_class = per_class_loss(logits, target, weight)
    valid = class_valid.to(device=per_class.device, dtype=torch.bool)
    if not bool(valid.any()):
        return per_class.sum() * 0.0
    return per_class[valid].mean()


def per_episode_loss(logits: Tensor, target: Tensor, class_valid: Tensor, weight: Optional[Tensor] = None) -> Tensor:
    """Mean Dice + BCE over each episode's valid slots, ``[B]`` (NaN for an episode without one); for logs."""
    per_class = per_class_loss(logits, target, weight)
    valid = class_valid.to(device=per_class.device, dtype=per_class.dtype)
    return (per_class * valid).sum(1) / valid.sum(1)


def downsample_target(target: Tensor, size: Sequence[int]) -> Tensor:
    """Area down-sampling of a mask ``[B, K, X, Y, Z]`` to ``size`` (soft targets in ``[0, 1]``)."""
    if tuple(target.shape[2:]) == tuple(size):
        return target
    return F.adaptive_avg_pool3d(target.float(), tuple(int(s) for s in size))


def deep_supervision_loss(
    logits: Tensor,
    aux: Sequence[Tensor],
    target: Tensor,
    class_valid: Tensor,
    weights: Sequence[float] = DEEP_SUPERVISION_WEIGHTS,
    voxel_weight: Optional[Tensor] = None,
) -> Tensor:
    """Weighted Dice + BCE on the final logits and the auxiliary (coarser) logits.

    logits: ``[B, K, G, G, G]``; aux: list of ``[B, K, G/2^i, ...]``, finest first (may be empty);
    target: ``[B, K, G, G, G]``; class_valid: ``[B, K]``. ``weights[0]`` weighs ``logits``,
    ``weights[i]`` weighs ``aux[i-1]``; outputs beyond ``len(weights)`` are ignored. The weighted sum
    is divided by the sum of the weights used, so the loss has the scale of a single Dice + BCE
    whether deep supervision is on or off. ``voxel_weight [B, 1, G, G, G]`` (1 - ignore mask) is
    area-pooled to each output's size.
    """
    outputs = [logits, *aux][: len(weights)]
    total = logits.new_zeros((), dtype=torch.float32)
    weight_sum = 0.0
    for weight, output in zip(weights, outputs):
        scaled_target = downsample_target(target, output.shape[2:])
        scaled_weight = None if voxel_weight is None else downsample_target(voxel_weight, output.shape[2:])
        total = total + weight * dice_bce_loss(output, scaled_target, class_valid, scaled_weight)
        weight_sum += weight
    return total / weight_sum

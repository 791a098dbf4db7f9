"""Augmentation of one subject on the model grid (torch only, vectorised).

Spatial: a random affine (small rotation about a random axis, anisotropic scaling, translation)
applied with one ``affine_grid`` / ``grid_sample`` to the image (trilinear, border padding) and the
class masks (trilinear, zero padding, thresholded at 0.5), plus mirroring along the permitted axes.
Intensity: contrast, gamma, multiplicative bias field and Gaussian noise on the raw image.
Strengths are :class:`irisseg.config.AugmentStrength` (``DataConfig.augment``).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..config import AugmentStrength
from .fields import random_rotation, smooth_noise, uniform


NO_AUGMENTATION = AugmentStrength(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def random_theta(gen: torch.Generator, strength: AugmentStrength) -> torch.Tensor:
    """[3, 4] affine for ``affine_grid`` (output -> input normalised coordinates)."""
    rotation = random_rotation(gen, strength.rotate_deg)
    zoom = 1 + strength.scale * (2 * torch.rand(3, generator=gen) - 1)
    shift = strength.translate * (2 * torch.rand(3, generator=gen) - 1)
    return torch.cat([rotation * zoom[None, :], shift[:, None]], dim=1)


def spatial(image: torch.Tensor, masks: torch.Tensor, gen: torch.Generator, strength: AugmentStrength,
            flip_axes=()) -> tuple[torch.Tensor, torch.Tensor]:
    """image [1, G, G, G], masks [K, G, G, G] float -> the same, moved together."""
    for axis in flip_axes:
        if torch.rand((), generator=gen).item() < strength.flip_prob:
            image = image.flip(1 + axis)
            masks = masks.flip(1 + axis)
    if strength.prob_spatial <= 0 or torch.rand((), generator=gen).item() >= strength.prob_spatial:
        return image, masks
    return warp(image, masks, random_theta(gen, strength))


def warp(image: torch.Tensor, masks: torch.Tensor, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Resample image [1, G, G, G] (trilinear, border) and masks [K, G, G, G] (trilinear, zeros, > 0.5)
    at ``theta`` [3, 4]: output voxel at normalised position p (array axes 0, 1, 2) takes the input at
    ``theta[:, :3] @ p + theta[:, 3]``."""
    # affine_grid's (x, y, z) run along the last, middle and first spatial axes: reverse to ours
    perm = torch.tensor([2, 1, 0])
    theta = torch.cat([theta[perm][:, perm], theta[perm][:, 3:]], dim=1)
    grid = F.affine_grid(theta[None], [1, 1, *image.shape[1:]], align_corners=False)
    image = F.grid_sample(image[None], grid, mode="bilinear", padding_mode="border", align_corners=False)[0]
    if masks.shape[0]:
        masks = F.grid_sample(masks[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
        masks = (masks > 0.5).to(image.dtype)
    return image, masks


def intensity(image: torch.Tensor, gen: torch.Generator, strength: AugmentStrength) -> torch.Tensor:
    """Contrast, gamma, bias field and noise on a raw image [1, G, G, G] (any intensity scale)."""
    if strength.prob_intensity <= 0 or torch.rand((), generator=gen).item() >= strength.prob_intensity:
        return image
    lo, hi = image.min(), image.max()
    span = (hi - lo).clamp_min(1e-6)
    x = (image - lo) / span  # [0, 1]
    if strength.bias > 0:
        x = x * torch.exp(uniform(gen, 0.0, strength.bias) * smooth_noise(x.shape[-1], 4, gen))
    if strength.gamma_std > 0:
        x = x.clamp_min(0) ** float(torch.exp(strength.gamma_std * torch.randn((), generator=gen)))
    if strength.contrast > 0:
        mean = x.mean()
        x = (x - mean) * (1 + uniform(gen, -strength.contrast, strength.contrast)) + mean
    if strength.noise_std > 0:
        x = x + uniform(gen, 0.0, strength.noise_std) * x.std() * torch.randn(x.shape, generator=gen)
    return x * span + lo

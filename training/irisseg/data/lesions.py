"""Synthetic lesions in real images: location-independent targets.

A lesion class has one appearance in both subjects of a task (brighter or darker than the tissue, a
contrast, a texture, with or without a rim of the opposite sign) and a typical size; in each subject it
is drawn anew: its own shape, a size within 40 % of the class's, and a place of its own inside the
tissue (a voxel above the image's background level). Nothing ties the query's lesion to where the
reference's was, so only the reference's appearance tells the model what to find. With
``empty_prob`` the query holds no lesion of a class (the right answer is empty).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .fields import gaussian_blur, identity_grid, random_rotation, smooth_noise

RADIUS_RANGE = (1.5, 7.0)  # grid voxels (about 2 mm to 2 cm at the pack's spacings)
CONTRAST_RANGE = (0.25, 0.9)  # of the image's 1-99 percentile span
RIM_PROB = 0.3


def _foreground(image: torch.Tensor) -> tuple[torch.Tensor, float, float]:
    lo, hi = torch.quantile(image.flatten()[:: max(1, image.numel() // 65536)].float(),
                            torch.tensor([0.01, 0.99])).tolist()
    span = max(hi - lo, 1e-6)
    return image > lo + 0.05 * span, lo, span


def _blob(grid: int, centre: torch.Tensor, radius: float, gen: torch.Generator) -> torch.Tensor:
    """bool [G, G, G]: a rough ellipsoid of about ``radius`` voxels around ``centre`` (voxel indices)."""
    axes = radius * (0.6 + 0.8 * torch.rand(3, generator=gen))
    rotation = random_rotation(gen, 180.0)
    coords = (identity_grid(grid) + 1) * grid / 2 - 0.5  # voxel indices [G, G, G, 3]
    local = ((coords - centre) @ rotation) / axes
    r = (local * local).sum(-1).sqrt()
    rough = smooth_noise(grid, 6, gen)[0]
    return (r + 0.3 * rough) <= 1.0


def _place(mask: torch.Tensor, radius: float, gen: torch.Generator) -> torch.Tensor | None:
    """A voxel of ``mask`` at least ``radius`` from the grid's faces (None when there is none)."""
    g = mask.shape[0]
    inner = mask.clone()
    edge = int(np.ceil(radius)) + 1
    if 2 * edge >= g:
        return None
    inner[:edge] = inner[-edge:] = False
    inner[:, :edge] = inner[:, -edge:] = False
    inner[:, :, :edge] = inner[:, :, -edge:] = False
    points = inner.nonzero()
    if len(points) == 0:
        return None
    return points[int(torch.randint(len(points), (1,), generator=gen))].float()


def lesion_task(k: int, ref_image: torch.Tensor, query_image: torch.Tensor, rng: np.random.Generator,
                gen: torch.Generator, empty_prob: float = 0.0):
    """K lesion classes painted into two images [G, G, G] (raw intensities):
    ``((ref_image, ref_masks [k, G, G, G] bool), (query_image, query_masks))``."""
    classes = []
    for _ in range(k):
        classes.append(dict(
            sign=1.0 if rng.random() < 0.5 else -1.0,
            contrast=float(rng.uniform(*CONTRAST_RANGE)),
            radius=float(np.exp(rng.uniform(np.log(RADIUS_RANGE[0]), np.log(RADIUS_RANGE[1])))),
            rim=bool(rng.random() < RIM_PROB),
            texture=float(rng.uniform(0.0, 0.3)),
        ))
    out = []
    for side, image in (("ref", ref_image), ("query", query_image)):
        g = image.shape[0]
        tissue, _, span = _foreground(image)
        image = image.clone().float()
        owner = torch.full(image.shape, -1, dtype=torch.int64)
        for j, c in enumerate(classes):
            if side == "query" and rng.random() < empty_prob:
                continue
            radius = c["radius"] * float(rng.uniform(0.6, 1.4))
            centre = _place(tissue, radius, gen)
            if centre is None:
                continue
            blob = _blob(g, centre, radius, gen)
            soft = gaussian_blur(blob.float()[None], 0.7)[0]
            noise = 1 + c["texture"] * torch.randn(image.shape, generator=gen)
            image = image + c["sign"] * c["contrast"] * span * soft * noise
            if c["rim"]:
                ring = (F.max_pool3d(blob.float()[None, None], 3, stride=1, padding=1)[0, 0] > 0.5) & ~blob
                image = image - c["sign"] * 0.6 * c["contrast"] * span * gaussian_blur(ring.float()[None], 0.5)[0]
            owner[blob] = j
        masks = torch.stack([owner == j for j in range(k)])
        out.append((image, masks))
    return out[0], out[1]

"""Supervoxels for label-free tasks (SSL-ALPNet's self-supervised superpixel tasks, in 3D).

Each image item of the pack gets SLIC supervoxels (intensity + position) at a few granularities,
computed once on the model grid at pack time. A training episode then takes one supervoxel, or a
supervoxel merged with some of its neighbours, as a class: a target that no dataset label defines,
so the only way to find it in the query is to read the reference.

Supervoxels live inside the foreground (voxels brighter than a low percentile of the image): air and
padding are never a target. Maps are ``uint8`` (0 = outside the foreground; at most 255 supervoxels).
"""
from __future__ import annotations

import numpy as np

#: Approximate supervoxel counts per map (coarse to fine); the pack stores ``supervoxels_<n>``.
GRANULARITIES: tuple[int, ...] = (24, 96)
COMPACTNESS = 0.1  # SLIC compactness on an image scaled to [0, 1]
FOREGROUND_FRACTION = 0.02  # of the 1-99 percentile span, above the 1st percentile


def unit_scaled(image: np.ndarray) -> np.ndarray:
    """Image clipped to its 1st-99th percentile span and scaled to [0, 1] (float64)."""
    lo, hi = np.percentile(image, [1, 99])
    return np.clip((image.astype(np.float64) - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def foreground(image: np.ndarray) -> np.ndarray:
    """bool mask of voxels above the background level."""
    return unit_scaled(image) > FOREGROUND_FRACTION


def supervoxels(image: np.ndarray, count: int) -> np.ndarray:
    """SLIC supervoxels of a [G, G, G] image: uint8 map, 1..n inside the foreground, 0 outside."""
    from skimage.segmentation import slic  # pack time only: training reads the stored maps

    mask = foreground(image)
    if mask.sum() < count:
        return np.zeros(image.shape, dtype=np.uint8)
    labels = slic(unit_scaled(image), n_segments=count, compactness=COMPACTNESS, channel_axis=None,
                  start_label=1, mask=mask)
    if labels.max() > 255:
        raise ValueError(f"{labels.max()} supervoxels do not fit uint8")
    return labels.astype(np.uint8)

"""Overlap and surface-distance metrics for binary 3D masks, in physical units.

All masks are ``np.ndarray[X, Y, Z]`` (bool, or probabilities thresholded at 0.5) on the same
voxel grid; ``spacing`` is the voxel size in millimetres ``(sx, sy, sz)``.

Definitions
-----------
- Dice = 2|P∩T| / (|P|+|T|), IoU = |P∩T| / |P∪T|.
- Surface of a mask: its voxels minus its binary erosion (6-connected structuring element; voxels
  on the image border count as surface).
- Directed distances P->T: for every surface voxel of P, the Euclidean distance in mm
  (``distance_transform_edt(..., sampling=spacing)``) to the nearest surface voxel of T; T->P alike.
- HD95 = max(95th percentile of P->T, 95th percentile of T->P) (both directions, the conservative
  form of the classical Hausdorff distance, as in MONAI).
- ASD (average symmetric surface distance) = mean of the union of both directed sets,
  (sum P->T + sum T->P) / (|surf P| + |surf T|).

Empty masks
-----------
- both empty: Dice 1, IoU 1, HD95 0, ASD 0, status ``"both_empty"``.
- truth non-empty, prediction empty: Dice 0, IoU 0, HD95/ASD NaN, status ``"missed"``.
- truth empty, prediction non-empty: Dice 0, IoU 0, HD95/ASD NaN, status ``"false_positive"``.
Distance means are taken over the cases where both masks are non-empty; the number of missed and
false-positive cases is reported next to them, never folded into a distance.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
from scipy import ndimage

STATUS_OK = "ok"
STATUS_BOTH_EMPTY = "both_empty"
STATUS_MISSED = "missed"
STATUS_FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True)
class MaskScores:
    """Scores of one predicted mask against one true mask."""

    dice: float
    iou: float
    hd95_mm: float
    asd_mm: float
    status: str

    def as_dict(self) -> dict:
        return asdict(self)


def binarise(mask: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Bool mask from a bool/int mask or from probabilities (``> threshold`` for floats)."""
    mask = np.asarray(mask)
    if mask.dtype == bool:
        return mask
    if np.issubdtype(mask.dtype, np.floating):
        return mask > threshold
    return mask != 0


def dice(pred: np.ndarray, truth: np.ndarray) -> float:
    """Dice of two masks ``[X,Y,Z]``; 1.0 when both are empty."""
    p, t = binarise(pred), binarise(truth)
    total = int(p.sum()) + int(t.sum())
    if total == 0:
        return 1.0
    return 2.0 * int(np.logical_and(p, t).sum()) / total


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two masks ``[X,Y,Z]``; 1.0 when both are empty."""
    p, t = binarise(pred), binarise(truth)
    union = int(np.logical_or(p, t).sum())
    if union == 0:
        return 1.0
    return int(np.logical_and(p, t).sum()) / union


def surface(mask: np.ndarray) -> np.ndarray:
    """Surface voxels ``[X,Y,Z]`` bool: the mask minus its 6-connected erosion (border = outside)."""
    m = binarise(mask)
    eroded = ndimage.binary_erosion(m, structure=ndimage.generate_binary_structure(3, 1), border_value=0)
    return m & ~eroded


def directed_surface_distances(
    source: np.ndarray, target: np.ndarray, spacing: Sequence[float]
) -> np.ndarray:
    """Distances in mm from each surface voxel of ``source`` to the nearest surface voxel of
    ``target``; 1-D array with one entry per source surface voxel. Both masks must be non-empty."""
    s_surf, t_surf = surface(source), surface(target)
    if not s_surf.any() or not t_surf.any():
        raise ValueError("surface distances need two non-empty masks")
    to_target = ndimage.distance_transform_edt(~t_surf, sampling=tuple(float(v) for v in spacing))
    return to_target[s_surf]


def surface_distances(
    pred: np.ndarray, truth: np.ndarray, spacing: Sequence[float]
) -> tuple[float, float]:
    """``(hd95_mm, asd_mm)`` of two non-empty masks (see the module docstring)."""
    d_pt = directed_surface_distances(pred, truth, spacing)
    d_tp = directed_surface_distances(truth, pred, spacing)
    hd95 = max(float(np.percentile(d_pt, 95)), float(np.percentile(d_tp, 95)))
    asd = float((d_pt.sum() + d_tp.sum()) / (d_pt.size + d_tp.size))
    return hd95, asd


def bounding_box(mask: np.ndarray, margin: int = 1) -> tuple[slice, ...]:
    """Slices of the smallest box holding ``mask`` (non-empty), grown by ``margin`` voxels and clipped
    to the array. Surface distances inside the box equal those of the whole array: every surface
    voxel of either mask lies inside, and the border stays background either way."""
    out = []
    for axis in range(mask.ndim):
        hits = np.flatnonzero(mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis)))
        out.append(slice(max(int(hits[0]) - margin, 0), min(int(hits[-1]) + 1 + margin, mask.shape[axis])))
    return tuple(out)


def score_masks(pred: np.ndarray, truth: np.ndarray, spacing: Sequence[float]) -> MaskScores:
    """All metrics of one predicted mask against one true mask, with the empty-mask rules."""
    p, t = binarise(pred), binarise(truth)
    if p.shape != t.shape:
        raise ValueError(f"shape mismatch: prediction {p.shape}, truth {t.shape}")
    p_any, t_any = bool(p.any()), bool(t.any())
    if not p_any and not t_any:
        return MaskScores(1.0, 1.0, 0.0, 0.0, STATUS_BOTH_EMPTY)
    if not p_any:
        return MaskScores(0.0, 0.0, float("nan"), float("nan"), STATUS_MISSED)
    if not t_any:
        return MaskScores(0.0, 0.0, float("nan"), float("nan"), STATUS_FALSE_POSITIVE)
    box = bounding_box(p | t, margin=1)
    hd95, asd = surface_distances(p[box], t[box], spacing)
    return MaskScores(dice(p, t), iou(p, t), hd95, asd, STATUS_OK)

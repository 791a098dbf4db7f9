"""Where the model looks: boxes in physical space around an object (one policy, one place).

A reference is encoded from a box centred on its mask, so that its embedding describes the object at
a consistent scale whatever the reference's field of view; a query is first segmented whole (the
coarse pass, which locates the object) and then again inside a box of the reference box's physical
size around what the coarse pass found (the focused pass). Boxes are cubes in millimetres, so the
model's resampling of a box onto its cubic grid keeps the aspect ratio, unless a volume is smaller
than the box along an axis (the box is then clamped to the volume along that axis).

A multi-class task gets one box around all its classes: the classes of one task are usually parts
or neighbours of one structure, and one box keeps them in one coordinate frame for the decoder.
Measured against one box per class (``reports/finetune/box_choice.md``, iris-small-finetune): per class
loses 0.15 Dice on the thalamus and gains nothing on the hippocampus or the TotalSegmentator organs.

Arrays are ``[X, Y, Z]`` voxel grids with ``spacing`` in mm per axis.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: Box side as a multiple of the object's largest physical extent.
MARGIN_FACTOR = 2.0
#: Smallest box side, in mm (small objects still come with some context).
MIN_SIDE_MM = 48.0
#: Probability above which a coarse-pass voxel counts as found.
FOUND_THRESHOLD = 0.5


@dataclass(frozen=True)
class Box:
    """Voxel box ``[start, stop)`` per axis."""

    start: tuple[int, int, int]
    stop: tuple[int, int, int]

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(b - a for a, b in zip(self.start, self.stop))

    def slices(self) -> tuple[slice, slice, slice]:
        return tuple(slice(a, b) for a, b in zip(self.start, self.stop))

    def covers(self, shape: Sequence[int]) -> bool:
        """Whether the box is the whole volume of ``shape``."""
        return self.start == (0, 0, 0) and tuple(self.stop) == tuple(int(s) for s in shape)


def extent_mm(mask: np.ndarray, spacing: Sequence[float]) -> float:
    """Largest physical extent (mm) of the voxels set in ``mask`` ``[X, Y, Z]`` (non-empty)."""
    where = np.argwhere(mask)
    if where.size == 0:
        raise ValueError("an empty mask has no extent")
    return float(max((where.max(axis=0) - where.min(axis=0) + 1) * np.asarray(spacing, dtype=np.float64)))


def side_mm(mask: np.ndarray, spacing: Sequence[float]) -> float:
    """Box side (mm) for an object: ``MARGIN_FACTOR`` times its extent, at least ``MIN_SIDE_MM``."""
    return max(MIN_SIDE_MM, MARGIN_FACTOR * extent_mm(mask, spacing))


def box_around(centre_vox: Sequence[float], side: float, spacing: Sequence[float], shape: Sequence[int]) -> Box:
    """A cube of ``side`` mm centred on ``centre_vox`` (voxel coordinates), shifted to lie inside the
    volume and clamped where the volume is smaller than the cube."""
    start, stop = [], []
    for c, s, n in zip(centre_vox, spacing, shape):
        length = int(min(n, max(1, round(side / float(s)))))
        a = int(round(float(c) - length / 2))
        a = min(max(a, 0), int(n) - length)
        start.append(a)
        stop.append(a + length)
    return Box(tuple(start), tuple(stop))


def centre(mask: np.ndarray) -> np.ndarray:
    """Centre (voxel coordinates) of the bounding box of ``mask`` (non-empty)."""
    where = np.argwhere(mask)
    return (where.min(axis=0) + where.max(axis=0)) / 2.0


def reference_box(masks: np.ndarray, spacing: Sequence[float]) -> Box:
    """The box a reference is encoded from: around all its classes (``masks`` ``[K, X, Y, Z]``)."""
    union = np.asarray(masks, dtype=bool).any(axis=0)
    return box_around(centre(union), side_mm(union, spacing), spacing, union.shape)


def query_box(coarse: np.ndarray, spacing: Sequence[float], side: float) -> Box | None:
    """The focused pass's box: ``side`` mm (the reference box's) around what the coarse pass found
    (``coarse`` probabilities ``[K, X, Y, Z]``); ``None`` when it found nothing."""
    found = (np.asarray(coarse) > FOUND_THRESHOLD).any(axis=0)
    if not found.any():
        return None
    side = max(side, MARGIN_FACTOR * extent_mm(found, spacing))
    return box_around(centre(found), side, spacing, found.shape)


def paste(coarse: np.ndarray, focused: np.ndarray, box: Box) -> np.ndarray:
    """``coarse`` ``[K, X, Y, Z]`` with the box replaced by ``focused`` ``[K, *box.shape]``."""
    out = np.array(coarse, copy=True)
    out[(slice(None), *box.slices())] = focused
    return out

"""The copy test: a subject's own scan is its reference, and the query is that scan re-cropped and
re-oriented, so the model sees the same anatomy in a different array. A model that reads its
reference segments it almost perfectly (target Dice >= 0.85); one that ignores the reference, or
only copies where the mask was, does not.

A :class:`Reorientation` is a crop box on the source grid, then flips of the cropped axes, then a
permutation of the axes. The crop (:func:`random_crop`) keeps every voxel of the structure. The
orientation (:func:`random_orientation`) is a mirror along at least one axis; where the classes are
left/right structures a mirror would turn one side into the other, so there it is a rotation by 180
degrees about the left-right axis (y and z flipped) instead. With ``permute`` the axes are also
permuted (never the identity) and the flips chosen so that the whole is a proper rotation by
multiples of 90 degrees (handedness kept: left stays left). Arrays may carry leading axes
``[..., X, Y, Z]`` (e.g. masks ``[K, X, Y, Z]``); axis 0 is the left-right axis (canonical RAS+).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from irisseg.evaluation.cases import Subject

AXIS_NAMES = "xyz"
#: Default crop length per axis, as a fraction of the axis (widened where the structure needs it).
CROP_FRACTION = (0.7, 0.9)
#: Voxels kept around the structure inside the crop.
MARGIN_VOXELS = 2
NON_IDENTITY_ORDERS = ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))


@dataclass(frozen=True)
class Reorientation:
    """Crop ``box`` (start, stop) per source axis, then ``flips`` (per cropped source axis), then
    axis ``order``: output axis ``i`` is source axis ``order[i]``."""

    box: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]
    flips: tuple[bool, bool, bool]
    order: tuple[int, int, int]

    def apply(self, array: np.ndarray) -> np.ndarray:
        """``[..., X, Y, Z]`` on the source grid -> ``[..., X', Y', Z']`` (a new contiguous array)."""
        lead = array.ndim - 3
        out = array[(Ellipsis, *(slice(a, b) for a, b in self.box))]
        flip_axes = tuple(lead + i for i in range(3) if self.flips[i])
        if flip_axes:
            out = np.flip(out, axis=flip_axes)
        out = np.transpose(out, (*range(lead), *(lead + o for o in self.order)))
        return np.ascontiguousarray(out)

    def undo(self, array: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`apply` up to the crop: ``[..., X', Y', Z']`` -> ``[..., crop box shape]``
        in source axis order."""
        lead = array.ndim - 3
        inverse = np.argsort(self.order)
        out = np.transpose(array, (*range(lead), *(lead + int(i) for i in inverse)))
        flip_axes = tuple(lead + i for i in range(3) if self.flips[i])
        if flip_axes:
            out = np.flip(out, axis=flip_axes)
        return np.ascontiguousarray(out)

    def undo_to_source(self, array: np.ndarray, source_shape: Sequence[int]) -> np.ndarray:
        """:meth:`undo`, placed into zeros of the source grid ``(X, Y, Z)`` at the crop box."""
        cropped = self.undo(array)
        out = np.zeros((*cropped.shape[:-3], *source_shape), dtype=cropped.dtype)
        out[(Ellipsis, *(slice(a, b) for a, b in self.box))] = cropped
        return out

    def spacing(self, spacing: Sequence[float]) -> tuple[float, float, float]:
        """Voxel size of the output axes."""
        return tuple(float(spacing[o]) for o in self.order)

    @property
    def proper(self) -> bool:
        """Whether the orientation is a rotation (keeps handedness), not a mirror."""
        return _parity(self.order) * (-1) ** sum(self.flips) > 0

    def describe(self) -> str:
        """E.g. ``crop 98x120x131, flip x z, axes zxy`` (crop size in source voxels, source axes in output order)."""
        sizes = "x".join(f"{b - a}" for a, b in self.box)
        flips = " ".join(AXIS_NAMES[i] for i in range(3) if self.flips[i]) or "none"
        return f"crop {sizes}, flip {flips}, axes {''.join(AXIS_NAMES[o] for o in self.order)}"


def described_flips(description: str) -> tuple[bool, bool, bool] | None:
    """The flips of a :meth:`Reorientation.describe` text (also the end of a copy-test case name,
    ``<subject>~crop 98x120x131, flip x z, axes zxy`` -> ``(True, False, True)``); ``None`` where the text
    holds no such description."""
    start = description.rfind("flip ")
    end = description.find(", axes", start)
    if start < 0 or end < 0:
        return None
    named = description[start + len("flip "):end].split()
    if named == ["none"]:
        return False, False, False
    if not named or any(n not in AXIS_NAMES for n in named):
        return None
    return tuple(a in named for a in AXIS_NAMES)


def _crop_axis(n: int, lo: int, hi: int, fraction: float, margin: int, rng: np.random.Generator) -> tuple[int, int]:
    """A crop ``(start, stop)`` of an axis of ``n`` voxels, ``fraction * n`` long (at least the
    structure ``[lo, hi)`` plus ``margin``), containing the structure and its margin."""
    a, b = max(0, lo - margin), min(n, hi + margin)
    length = int(np.clip(round(fraction * n), b - a, n))
    start = int(rng.integers(max(0, b - length), min(a, n - length) + 1))
    return start, start + length


def random_crop(structure: np.ndarray, rng: np.random.Generator, crop_fraction: tuple[float, float] = CROP_FRACTION,
                margin: int = MARGIN_VOXELS) -> tuple[tuple[int, int], ...]:
    """A crop box (start, stop) per axis that keeps every voxel of ``structure`` (bool ``[X, Y, Z]``,
    non-empty) plus ``margin``, each side a random fraction in ``crop_fraction`` of its axis."""
    structure = np.asarray(structure, dtype=bool)
    if not structure.any():
        raise ValueError("the copy test needs a non-empty structure to keep inside the crop")
    where = np.argwhere(structure)
    lo, hi = where.min(axis=0), where.max(axis=0) + 1
    return tuple(_crop_axis(n, int(l), int(h), float(rng.uniform(*crop_fraction)), margin, rng)
                 for n, l, h in zip(structure.shape, lo, hi))


def _parity(order: Sequence[int]) -> int:
    """+1 for an even permutation, -1 for an odd one."""
    inversions = sum(order[i] > order[j] for i in range(3) for j in range(i + 1, 3))
    return -1 if inversions % 2 else 1


def random_orientation(rng: np.random.Generator, lateral: bool = False, permute: bool = False
                       ) -> tuple[tuple[bool, bool, bool], tuple[int, int, int]]:
    """``(flips, order)`` as described in the module docstring."""
    if permute:
        order = NON_IDENTITY_ORDERS[int(rng.integers(len(NON_IDENTITY_ORDERS)))]
        flips = [bool(f) for f in rng.random(3) < 0.5]
        if _parity(order) * (-1) ** sum(flips) < 0:  # make it a proper rotation
            flips[int(rng.integers(3))] ^= True
        return tuple(flips), order
    if lateral:
        return (False, True, True), (0, 1, 2)
    flips = [bool(f) for f in rng.random(3) < 0.5]
    if not any(flips):
        flips[int(rng.integers(3))] = True
    return tuple(flips), (0, 1, 2)


def is_lateral(class_names: Sequence[str]) -> bool:
    """Whether some class names a left or right structure (the mirror would swap it)."""
    return any("left" in n.lower() or "right" in n.lower() for n in class_names)


def copy_query(subject: Subject, transform: Reorientation, suffix: str = "copy") -> Subject:
    """``subject`` seen through ``transform``: image ``[X', Y', Z']``, masks ``[K, X', Y', Z']``,
    spacing permuted alike; named ``<name>~<suffix>``."""
    return Subject(f"{subject.name}~{suffix}", transform.apply(subject.image), transform.apply(subject.masks),
                   transform.spacing(subject.spacing))

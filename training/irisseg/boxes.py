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

The query gets one box around everything the coarse pass found (:func:`query_box`); where the target
is larger than the reference box allows (twice the found extent exceeds its side), overlapping windows
of the reference box's side cover the found region instead (:func:`query_windows`), so the query is
still seen at the reference's scale. Measured against growing the one box to twice the found extent in
``reports/finetune/query_windows.md`` (iris-small-finetune, unseen suite): where the box grew, windows
scored higher on BraTS enhancing tumour (+0.042) and both thalami (+0.044, +0.038), level on whole tumour.
:func:`query_boxes` is an evaluation variant, one box per candidate (connected component of what was
found, boxes that overlap merged), measured against it in ``reports/finetune/query_boxes.md``
(iris-small-finetune, unseen suite): it never split a query, because the candidates lie closer together
than the reference box side, so it gave the one box's Dice in every prediction.

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
#: Overlap of neighbouring windows (:func:`query_windows`), as a fraction of the window side.
WINDOW_OVERLAP = 0.25
#: Most windows :func:`query_windows` places; a found region that needs more gets the one grown box.
MAX_WINDOWS = 8
#: Most candidates :func:`query_boxes` focuses on (the largest by voxel count): each box costs an image
#: encoding, and a coarse pass speckled with false positives should not cost one per speckle.
MAX_CANDIDATES = 4


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


def overlap(a: Box, b: Box) -> bool:
    """Whether boxes ``a`` and ``b`` share a voxel."""
    return all(max(s1, s2) < min(e1, e2) for s1, e1, s2, e2 in zip(a.start, a.stop, b.start, b.stop))


def candidates(coarse: np.ndarray, max_candidates: int | None = MAX_CANDIDATES) -> list[np.ndarray]:
    """What the coarse pass found (``coarse`` probabilities ``[K, X, Y, Z]`` above ``FOUND_THRESHOLD``
    for any class), split into connected components (26-connectivity): boolean masks ``[X, Y, Z]``,
    the largest ``max_candidates`` by voxel count (all with ``None``), in label order."""
    found = (np.asarray(coarse) > FOUND_THRESHOLD).any(axis=0)
    from scipy import ndimage  # evaluation only: training imports this module where scipy may be missing

    labels, n = ndimage.label(found, structure=np.ones((3, 3, 3), dtype=bool))
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.arange(1, n + 1)
    if max_candidates is not None and n > max_candidates:
        keep = np.sort(keep[np.argsort(-sizes, kind="stable")[:max_candidates]])
    return [labels == k for k in keep]


def query_boxes(coarse: np.ndarray, spacing: Sequence[float], side: float,
                max_candidates: int | None = MAX_CANDIDATES) -> list[Box]:
    """One box per candidate (:func:`candidates`): ``max(side, MARGIN_FACTOR x its extent)`` mm around it,
    as :func:`query_box` places its one box; two boxes that overlap are replaced by the box around the
    union of their candidates, until none overlap. Sorted by start; ``[]`` when nothing was found. With
    one candidate it is ``[query_box(coarse, spacing, side)]``."""
    groups = candidates(coarse, max_candidates)

    def around(mask: np.ndarray) -> Box:
        return box_around(centre(mask), max(side, MARGIN_FACTOR * extent_mm(mask, spacing)), spacing, mask.shape)

    placed = [(mask, around(mask)) for mask in groups]
    merged = True
    while merged:
        merged = False
        for i in range(len(placed)):
            for j in range(i + 1, len(placed)):
                if overlap(placed[i][1], placed[j][1]):
                    union = placed[i][0] | placed[j][0]
                    placed = [p for k, p in enumerate(placed) if k not in (i, j)] + [(union, around(union))]
                    merged = True
                    break
            if merged:
                break
    return sorted((box for _, box in placed), key=lambda b: (b.start, b.stop))


def window_starts(lo: int, hi: int, length: int, n: int, overlap: float) -> list[int]:
    """Starts of windows of ``length`` voxels (at most ``n``) that cover ``[lo, hi)`` of an axis of ``n``
    voxels, neighbours overlapping by about ``overlap`` of a window, spread evenly, inside the axis."""
    length = min(length, n)
    if hi - lo <= length:
        return [min(max(int(round((lo + hi - length) / 2)), 0), n - length)]
    stride = max(1.0, length * (1.0 - overlap))
    count = int(np.ceil((hi - lo - length) / stride)) + 1
    return [min(max(int(round(a)), 0), n - length) for a in np.linspace(lo, hi - length, count)]


def query_windows(coarse: np.ndarray, spacing: Sequence[float], side: float, overlap: float = WINDOW_OVERLAP,
                  max_windows: int = MAX_WINDOWS) -> list[Box]:
    """Overlapping windows of the reference box's ``side`` mm over what the coarse pass found (``coarse``
    probabilities ``[K, X, Y, Z]``), for a target larger than the box allows: where twice the found extent
    exceeds ``side``, the found voxels' bounding box, grown by a quarter of ``side`` on every side, is
    covered by cubes of ``side`` overlapping by ``overlap`` (each window sees the object at the
    reference's scale, where :func:`query_box` grows its one box and looks coarser). Otherwise, or when
    more than ``max_windows`` windows would be needed, ``[query_box(...)]``; ``[]`` when nothing was found.
    The service's policy (``FocusPolicy.queryWindows``)."""
    found = (np.asarray(coarse) > FOUND_THRESHOLD).any(axis=0)
    if not found.any():
        return []
    one = [query_box(coarse, spacing, side)]
    if MARGIN_FACTOR * extent_mm(found, spacing) <= side:
        return one
    where = np.argwhere(found)
    per_axis = []
    for lo, hi, s, n in zip(where.min(axis=0), where.max(axis=0) + 1, spacing, found.shape):
        grow = int(round(side / 4 / float(s)))
        length = int(min(n, max(1, round(side / float(s)))))
        per_axis.append((window_starts(max(0, int(lo) - grow), min(int(n), int(hi) + grow), length, int(n), overlap),
                         length))
    if int(np.prod([len(starts) for starts, _ in per_axis])) > max_windows:
        return one
    (xs, lx), (ys, ly), (zs, lz) = per_axis
    return [Box((x, y, z), (x + lx, y + ly, z + lz)) for x in xs for y in ys for z in zs]


def paste_windows(coarse: np.ndarray, windows: Sequence[tuple[Box, np.ndarray]]) -> np.ndarray:
    """``coarse`` ``[K, X, Y, Z]`` with each window's probabilities ``[K, *box.shape]`` in its box, the mean
    of the windows where they overlap; the coarse probabilities outside every window."""
    total = np.zeros(coarse.shape, dtype=np.float64)
    count = np.zeros(coarse.shape[1:], dtype=np.int32)
    for box, probabilities in windows:
        total[(slice(None), *box.slices())] += probabilities
        count[box.slices()] += 1
    covered = count > 0
    out = np.array(coarse, dtype=np.float32, copy=True)
    out[:, covered] = (total[:, covered] / count[covered]).astype(np.float32)
    return out


def paste(coarse: np.ndarray, focused: np.ndarray, box: Box) -> np.ndarray:
    """``coarse`` ``[K, X, Y, Z]`` with the box replaced by ``focused`` ``[K, *box.shape]``."""
    out = np.array(coarse, copy=True)
    out[(slice(None), *box.slices())] = focused
    return out

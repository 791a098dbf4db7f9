"""Focus crops: real tasks seen as the service's locate-then-focus pass sees them (:mod:`irisseg.boxes`).

With ``DataConfig.focus_prob`` a real task's reference is cut to the box the policy gives its object (a
cube in millimetres around all its classes, twice their largest extent and at least
``boxes.MIN_SIDE_MM``, shifted inside and clamped to the volume) and its query to a box of the
reference's side (at least twice the query object's extent) around the query's object, its centre
moved by up to ``LOCATE_JITTER`` of the side (the coarse pass does not find the object's exact centre);
with ``empty_query_prob`` the query box is the one farthest from the object instead (the coarse pass
found something else: the right answer is empty). Each box is zoomed to the model grid, as the exported
image encoder resamples a box.

The boxes are cut from the pack's items, which are already resampled to the grid over their whole field
of view (``spacing_grid`` in ``index.json``), so a small object's box holds fewer voxels than the same box
of the native scan: focus crops are blurrier than what the service encodes, by the ratio of the two
spacings.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import boxes

#: Largest shift of the query box's centre from its object's centre, as a share of the box side.
LOCATE_JITTER = 0.15


def reference_side(masks: torch.Tensor, spacing) -> float:
    """Box side (mm) for the reference's object: masks ``[k, G, G, G]``, not all empty."""
    return boxes.side_mm(masks.bool().any(dim=0).numpy(), spacing)


def reference_theta(masks: torch.Tensor, spacing) -> torch.Tensor:
    """[3, 4] theta for :func:`irisseg.data.augment.warp`: the reference's box (masks not all empty)."""
    union = masks.bool().any(dim=0).numpy()
    box = boxes.box_around(boxes.centre(union), boxes.side_mm(union, spacing), spacing, union.shape)
    return box_theta(box, union.shape)


def query_theta(masks: torch.Tensor, spacing, side: float, rng: np.random.Generator, empty: bool) -> torch.Tensor:
    """[3, 4] theta: a box of ``side`` mm (at least twice the object's extent) around the query's object
    with a random shift, or with ``empty`` the box of that side farthest from it. A query without the
    object keeps its whole field of view."""
    union = masks.bool().any(dim=0).numpy()
    shape = union.shape
    if not union.any():
        return box_theta(boxes.Box((0, 0, 0), tuple(int(s) for s in shape)), shape)
    side = max(side, boxes.MARGIN_FACTOR * boxes.extent_mm(union, spacing))
    centre = boxes.centre(union)
    if empty:
        corners = [np.where(np.array(bits) > 0, np.array(shape) - 1.0, 0.0)
                   for bits in np.ndindex(2, 2, 2)]
        centre = max(corners, key=lambda c: float(np.linalg.norm((c - centre) * np.asarray(spacing))))
    else:
        shift_mm = rng.uniform(-LOCATE_JITTER, LOCATE_JITTER, size=3) * side
        centre = centre + shift_mm / np.asarray(spacing, dtype=np.float64)
    return box_theta(boxes.box_around(centre, side, spacing, shape), shape)


def box_theta(box: boxes.Box, shape) -> torch.Tensor:
    """[3, 4] theta that zooms voxel box ``box`` of a volume of ``shape`` to the whole grid."""
    theta = torch.zeros(3, 4)
    for axis, (a, b, n) in enumerate(zip(box.start, box.stop, shape)):
        theta[axis, axis] = (b - a) / float(n)
        theta[axis, 3] = (a + b) / float(n) - 1.0
    return theta

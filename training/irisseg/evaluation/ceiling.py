"""The grid ceiling: the best Dice any model could reach through the model grid, no model involved.

Every volume is resampled onto the model grid (``G^3``, area averaging down) and the decoder's logits
are resampled back to the native grid (linear), so a structure thinner than a grid cell cannot be
segmented whole whatever the weights. The ceiling is the query's own true mask sent through the same two
resamplings (:func:`irisseg.model.preprocess.resample_to_grid`, then ``resample_from_grid``) and
thresholded at 0.5:
- ``grid_ceiling``: the whole query on the grid (what plain one-shot, ensembles and the copy test see);
- ``focused_grid_ceiling``: the query cut to the box policy's box around its own mask
  (:func:`irisseg.boxes.reference_box`), on the grid, pasted back (what locate, then focus sees at
  best: a box placed exactly, at the reference box's scale).

A target above a structure's ceiling cannot be met by training alone; the report prints the ceilings
beside the scores.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from irisseg import boxes
from irisseg.model.preprocess import resample_from_grid, resample_to_grid


def through_grid(masks: np.ndarray, grid: int) -> np.ndarray:
    """``masks`` ``[K, X, Y, Z]`` resampled onto ``grid^3`` and back, above 0.5: ``bool [K, X, Y, Z]``."""
    m = np.asarray(masks)
    x = torch.from_numpy(np.ascontiguousarray(m, dtype=np.float32))[None]
    with torch.no_grad():
        y = resample_from_grid(resample_to_grid(x, grid), [int(s) for s in m.shape[1:]])
    return y[0].numpy() > 0.5


def grid_ceiling(masks: np.ndarray, grid: int) -> np.ndarray:
    """The whole query's masks ``[K, X, Y, Z]`` through the grid: ``bool [K, X, Y, Z]``."""
    return through_grid(masks, grid)


def focused_grid_ceiling(masks: np.ndarray, spacing: Sequence[float], grid: int) -> np.ndarray:
    """The masks ``[K, X, Y, Z]`` (at least one voxel set) through the grid inside the box policy's box
    around them, nothing outside it: ``bool [K, X, Y, Z]``."""
    m = np.asarray(masks, dtype=bool)
    box = boxes.reference_box(m, spacing)
    out = np.zeros_like(m)
    out[(slice(None), *box.slices())] = through_grid(m[(slice(None), *box.slices())], grid)
    return out

"""Dense correspondence loss: the features of one tissue stay alike when the volume around it moves.

Prototype matching (:mod:`irisseg.model.prototypes`) finds the query voxels whose features resemble the
reference's inside its mask. It can only work if a voxel's features do not depend on the pose, zoom and
contrast of the volume it was seen in; `reports/finetune/prototype_matching.md` measured that they do.
Supervoxel tasks and self-pairs show one volume twice, so for every query voxel the episode knows where
the same tissue lies in the reference (``ref_coords`` / ``query_coords``, :mod:`irisseg.data.episodes`).
This loss (InfoNCE over voxels, as DenseCL / PixPro do for 2D pre-training) makes each sampled query voxel's
features pick out their corresponding reference voxel among all reference voxels.

Shapes: features ``[B, C, n, n, n]`` per scale; coords ``[B, 4, h, h, h]``: three source coordinates of
each voxel (a frame shared by both sides) and a validity channel (1: the voxel lies inside the source),
at ``h`` = half the model grid.
"""
from __future__ import annotations

from typing import List, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

#: Query voxels sampled per episode and scale.
SAMPLES = 256
#: Softmax temperature of the cosine similarities.
TEMPERATURE = 0.1
#: A voxel's coordinates count where at least this share of the finer voxels pooled into it are valid.
MIN_VALID = 0.99


def voxel_positions(coords: Tensor, n: int) -> tuple[Tensor, Tensor]:
    """``coords [4, h, h, h]`` -> (positions ``[n^3, 3]``, valid ``[n^3]`` bool) at ``n`` (h divisible by n)."""
    h = coords.shape[-1]
    if h % n:
        raise ValueError(f"coordinates at {h}^3 cannot be pooled to {n}^3")
    pooled = F.avg_pool3d(coords[None], h // n)[0] if h != n else coords
    valid = pooled[3] >= MIN_VALID
    positions = pooled[:3] / pooled[3:4].clamp_min(1e-6)
    return positions.flatten(1).T, valid.flatten()


def scale_loss(ref: Tensor, query: Tensor, ref_coords: Tensor, query_coords: Tensor,
               generator: torch.Generator | None = None) -> Tensor | None:
    """InfoNCE of one episode at one scale (features ``[C, n, n, n]``, coords ``[4, h, h, h]``), or None
    where no sampled query voxel has a reference voxel within half a voxel diagonal."""
    n = ref.shape[-1]
    ref_pos, ref_valid = voxel_positions(ref_coords, n)
    query_pos, query_valid = voxel_positions(query_coords, n)
    if not bool(ref_valid.any()) or not bool(query_valid.any()):
        return None
    candidates = query_valid.nonzero()[:, 0]
    order = torch.randperm(candidates.numel(), generator=generator, device="cpu").to(candidates.device)
    picked = candidates[order[:SAMPLES]]
    ref_index = ref_valid.nonzero()[:, 0]
    distance, nearest = torch.cdist(query_pos[picked].float(), ref_pos[ref_index].float()).min(dim=1)
    # a voxel of the n-grid spans 2/n of the source's [-1, 1]: half its diagonal is sqrt(3)/n
    matched = distance <= (3.0 ** 0.5) / n
    if not bool(matched.any()):
        return None
    q = F.normalize(query.flatten(1)[:, picked[matched]].T.float(), dim=1)  # [N, C]
    r = F.normalize(ref.flatten(1)[:, ref_index].T.float(), dim=1)  # [M, C]
    return F.cross_entropy(q @ r.T / TEMPERATURE, nearest[matched])


def correspondence_loss(ref_features: List[Tensor], query_features: List[Tensor], ref_coords: Tensor,
                        query_coords: Tensor, scales: Sequence[int], generator: torch.Generator | None = None) -> Tensor:
    """Mean :func:`scale_loss` over the episodes of the batch and ``scales`` (feature scales no finer than the
    coordinates); a zero that still depends on the features where no episode has correspondences."""
    h = ref_coords.shape[-1]
    losses = []
    for s in scales:
        ref, query = ref_features[s], query_features[s]
        if ref.shape[-1] > h:
            continue
        for b in range(ref.shape[0]):
            value = scale_loss(ref[b], query[b], ref_coords[b], query_coords[b], generator)
            if value is not None:
                losses.append(value)
    if not losses:
        return sum(query_features[s].sum() for s in scales) * 0.0
    return torch.stack(losses).mean()

"""Preprocessing that lives inside the exported image encoder, so Python and Java share it.

Every volume, whatever its native size, is resampled to the model grid G^3 and normalised there.
"""
from __future__ import annotations

from typing import List

import torch
import torch.nn.functional as F


def trilinear(x: torch.Tensor, size: List[int]) -> torch.Tensor:
    """Trilinear resize (align_corners=False). [B, C, D, H, W] -> [B, C, *size].

    Calls the aten kernel directly: a scripted ``F.interpolate`` drags every interpolation mode
    into the TorchScript graph, including operators that older libtorch runtimes (the service's)
    do not have.
    """
    return torch._C._nn.upsample_trilinear3d(x, size, False, None)


def _double_axis(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Linear doubling of one axis (align_corners=False): new voxels 2i and 2i+1 lie a quarter of a voxel
    either side of old voxel i, so each is a 3:1 mix of it and its neighbour (the edge voxel repeated)."""
    n = x.shape[dim]
    before = torch.cat([x.narrow(dim, 0, 1), x.narrow(dim, 0, n - 1)], dim)
    after = torch.cat([x.narrow(dim, 1, n - 1), x.narrow(dim, n - 1, 1)], dim)
    shape = [int(v) for v in x.shape]
    shape[dim] = 2 * n
    return torch.stack([torch.lerp(x, before, 0.25), torch.lerp(x, after, 0.25)], dim + 1).reshape(shape)


def upsample_features(x: torch.Tensor, size: List[int]) -> torch.Tensor:
    """Trilinear resize of decoder features (align_corners=False). [B, C, D, H, W] -> [B, C, *size].

    Where every axis doubles and no gradient is needed, one axis at a time by :func:`_double_axis`: three
    times faster on CPU than the aten kernel, equal to it within float rounding (a few 1e-7). Training
    keeps the aten kernel and its backward.
    """
    if not torch.is_grad_enabled() and [2 * int(v) for v in x.shape[2:]] == size:
        return _double_axis(_double_axis(_double_axis(x, 4), 3), 2)
    return trilinear(x, size)


def resample_to_grid(x: torch.Tensor, grid: int) -> torch.Tensor:
    """[B, C, X, Y, Z] -> [B, C, G, G, G].

    Axes longer than G are first area-averaged (adaptive average pooling, anti-aliasing) down to G;
    then trilinear interpolation (align_corners=False) brings every axis to G.
    """
    size = x.shape[2:]
    pooled: List[int] = [min(int(s), grid) for s in size]
    if pooled != [int(s) for s in size]:
        x = F.adaptive_avg_pool3d(x, pooled)
    if pooled != [grid, grid, grid]:
        x = trilinear(x, [grid, grid, grid])
    return x


def resample_from_grid(x: torch.Tensor, size: List[int]) -> torch.Tensor:
    """[B, K, G, G, G] -> [B, K, X, Y, Z] by trilinear interpolation (align_corners=False)."""
    if [int(s) for s in x.shape[2:]] == size:
        return x
    return trilinear(x, size)


def quantile(flat: torch.Tensor, q: float) -> torch.Tensor:
    """Per row, ``torch.quantile(flat, q, dim=1)`` (linear interpolation) without sorting the row.

    flat [B, N] -> [B]. The two order statistics either side of the rank come from a partial sort
    (``topk``) taken from the nearer end of the row: for the 0.5 / 99.5 percentiles of a 64^3 grid that
    is 1,312 values of 262,144, ten times faster on CPU than the full sort ``torch.quantile`` does. The
    rank and its weight are computed in the row's dtype, as ``torch.quantile`` does, so the two agree
    exactly on finite values (``topk`` ranks NaN above everything where ``torch.quantile`` returns NaN; the
    service refuses non-finite images before they reach the model).
    """
    n = flat.shape[1]
    rank = torch.tensor(q, dtype=flat.dtype, device=flat.device) * (n - 1)
    below = int(torch.floor(rank).item())
    above = int(torch.ceil(rank).item())
    weight = rank - below
    if below + 1 <= n - below:
        smallest = torch.topk(flat, above + 1, dim=1, largest=False, sorted=True).values  # ascending
        return torch.lerp(smallest[:, below], smallest[:, above], weight)
    largest = torch.topk(flat, n - below, dim=1, largest=True, sorted=True).values  # descending
    return torch.lerp(largest[:, n - 1 - below], largest[:, n - 1 - above], weight)


def normalise_intensity(x: torch.Tensor, low: float = 0.005, high: float = 0.995) -> torch.Tensor:
    """Per-volume robust z-score: clip to the [low, high] quantiles, then zero mean, unit std.

    x [B, 1, G, G, G] -> [B, 1, G, G, G]; a constant volume becomes all zeros.
    """
    b = x.shape[0]
    flat = x.reshape(b, -1)
    lo = quantile(flat, low).unsqueeze(1)
    hi = quantile(flat, high).unsqueeze(1)
    flat = torch.minimum(torch.maximum(flat, lo), hi)
    mean = flat.mean(dim=1, keepdim=True)
    std = flat.std(dim=1, keepdim=True)
    flat = (flat - mean) / std.clamp_min(1e-6)
    return flat.reshape(x.shape)

"""Random smooth fields on the model grid (torch only): the raw material of bias fields, textures,
elastic deformations and blur. Every function draws from an explicit ``torch.Generator``."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def smooth_noise(size: int, control: int, gen: torch.Generator, channels: int = 1) -> torch.Tensor:
    """[channels, S, S, S] smooth random field: N(0, 1) on a control^3 lattice, upsampled (trilinear)."""
    coarse = torch.randn((1, channels, control, control, control), generator=gen)
    return F.interpolate(coarse, size=(size, size, size), mode="trilinear", align_corners=True)[0]


def gaussian_blur(x: torch.Tensor, sigma) -> torch.Tensor:
    """Separable Gaussian blur of [C, X, Y, Z] with per-axis sigma (voxels; 0 = none)."""
    sigmas = [float(s) for s in (sigma if isinstance(sigma, (tuple, list)) else (sigma,) * 3)]
    out = x[None]
    for axis, s in enumerate(sigmas):
        if s < 0.3:
            continue
        radius = max(1, int(math.ceil(2.5 * s)))
        t = torch.arange(-radius, radius + 1, dtype=x.dtype)
        kernel = torch.exp(-0.5 * (t / s) ** 2)
        kernel = kernel / kernel.sum()
        shape = [1, 1, 1, 1, 1]
        shape[2 + axis] = kernel.numel()
        weight = kernel.reshape(shape).repeat(out.shape[1], 1, 1, 1, 1)
        pad = [0, 0, 0, 0, 0, 0]
        pad[2 * (2 - axis)] = pad[2 * (2 - axis) + 1] = radius
        out = F.conv3d(F.pad(out, pad, mode="replicate"), weight, groups=out.shape[1])
    return out[0]


def identity_grid(size: int) -> torch.Tensor:
    """[S, S, S, 3] normalised voxel-centre coordinates in (-1, 1), last axis ordered (x, y, z) = array axes
    (0, 1, 2)."""
    t = (torch.arange(size, dtype=torch.float32) + 0.5) / size * 2 - 1
    return torch.stack(torch.meshgrid(t, t, t, indexing="ij"), dim=-1)


def random_rotation(gen: torch.Generator, max_degrees: float) -> torch.Tensor:
    """[3, 3] rotation about a random axis by an angle uniform in [-max_degrees, max_degrees]."""
    axis = torch.randn(3, generator=gen)
    axis = axis / axis.norm().clamp_min(1e-6)
    angle = math.radians(max_degrees) * (2 * torch.rand((), generator=gen).item() - 1)
    k = torch.tensor([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return torch.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)


def uniform(gen: torch.Generator, low: float, high: float) -> float:
    return low + (high - low) * torch.rand((), generator=gen).item()

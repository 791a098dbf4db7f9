"""Poses of one side of an episode: its axes permuted or mirrored, and where its voxels came from.

A self-pair or a supervoxel task shows one volume twice; these functions move a side's image, masks,
ignore mask and (when it carries them) source coordinates together, so that nothing of the side is left in
the old pose. numpy and torch only.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from .tasks import Subject


def identity_coords(grid: int) -> torch.Tensor:
    """[3, G, G, G]: each voxel's centre in normalised source coordinates ((2 i + 1) / G - 1 per axis)."""
    axis = (2 * torch.arange(grid, dtype=torch.float32) + 1) / grid - 1
    return torch.stack(torch.meshgrid(axis, axis, axis, indexing="ij"))


def with_coords(subject: Subject) -> Subject:
    """The subject with identity coordinates (before it is moved)."""
    return replace(subject, coords=identity_coords(subject.image.shape[-1]))


def permuted(subject: Subject, order: tuple[int, int, int]) -> Subject:
    """The subject with its spatial axes in ``order`` (output axis i = input axis order[i]); the axes it
    may be mirrored along move with them."""
    return replace(subject, image=subject.image.permute(order).contiguous(),
                   flip_axes=tuple(i for i in range(3) if order[i] in subject.flip_axes),
                   spacing=tuple(subject.spacing[a] for a in order),
                   masks=subject.masks.permute(0, *(a + 1 for a in order)).contiguous(),
                   ignore=subject.ignore.permute(order).contiguous(),
                   coords=None if subject.coords is None else subject.coords.permute(0, *(a + 1 for a in order)).contiguous())


def flipped(subject: Subject, axes: tuple[int, ...]) -> Subject:
    """The subject mirrored along spatial ``axes``."""
    if not axes:
        return subject
    return replace(subject, image=subject.image.flip(axes).contiguous(),
                   masks=subject.masks.flip(tuple(a + 1 for a in axes)).contiguous(),
                   ignore=subject.ignore.flip(axes).contiguous(),
                   coords=None if subject.coords is None else subject.coords.flip(tuple(a + 1 for a in axes)).contiguous())


def re_pose(rng: np.random.Generator, proper: bool) -> tuple[tuple[int, ...], tuple[int, int, int]]:
    """A random pose of the cube other than the identity, as ``(flip axes, axis order)`` (flip, then
    :func:`permuted`): any of the 47 rotations and mirrors by multiples of 90 degrees, or with ``proper``
    one of the 23 rotations (handedness kept: left stays left)."""
    while True:
        order = tuple(int(a) for a in rng.permutation(3))
        flips = tuple(int(a) for a in np.flatnonzero(rng.random(3) < 0.5))
        inversions = sum(order[i] > order[j] for i in range(3) for j in range(i + 1, 3))
        if proper and (inversions + len(flips)) % 2:
            continue
        if order != (0, 1, 2) or flips:
            return flips, order

"""Regions of interest cut from the large volumes so that tasks appear at several scales.

A region is named after the structure group it surrounds; its box is the group's bounding box plus a
margin, grown to a cube in millimetres (so resampling to the model grid keeps the aspect) and clipped
to the volume.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sources import Subject

#: FreeSurfer deep grey matter and ventricles around it (the thalamus lies inside; it stays unseen).
SUBCORTICAL = (10, 11, 12, 13, 17, 18, 26, 28, 49, 50, 51, 52, 53, 54, 58, 60, 4, 43, 14)
#: FreeSurfer cerebrum, cerebellum and brain stem: the brain without the head around it (SynthSeg maps).
BRAIN = (2, 3, 41, 42, 7, 8, 46, 47, 16)


@dataclass(frozen=True)
class Region:
    name: str
    datasets: tuple[str, ...]
    labels: tuple[int, ...] = ()  # label values of the group ...
    class_names: tuple[str, ...] = ()  # ... or class names (resolved per subject)
    margin_mm: float = 8.0
    min_side_mm: float = 48.0

    def group_labels(self, subject: Subject) -> list[int]:
        values = list(self.labels)
        for name in self.class_names:
            values.extend(subject.classes.get(name, ()))
        return values


REGIONS: tuple[Region, ...] = (
    Region("brain", ("synthseg",), labels=BRAIN, margin_mm=4.0),
    Region("subcortical", ("synthseg", "voxelmorph"), labels=SUBCORTICAL),
    Region("kidney_left", ("totalseg",), class_names=("kidney_left", "adrenal_gland_left")),
    Region("kidney_right", ("totalseg",), class_names=("kidney_right", "adrenal_gland_right")),
    Region("pancreas", ("totalseg",), class_names=("pancreas", "duodenum", "portal_vein_and_splenic_vein")),
    Region("brain", ("fetal",), labels=tuple(range(1, 9)), margin_mm=4.0),
)


def region_box(subject: Subject, region: Region) -> tuple[tuple[int, int], ...] | None:
    """Voxel box ``((x0, x1), (y0, y1), (z0, z1))`` (end exclusive) in canonical order, or None if
    the group is absent."""
    values = region.group_labels(subject)
    if not values:
        return None
    mask = np.isin(subject.labels, values)
    if not mask.any():
        return None
    spacing = np.asarray(subject.spacing, dtype=float)
    shape = np.asarray(subject.labels.shape)
    idx = [np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != axis))) for axis in range(3)]
    lo = np.array([i[0] for i in idx], dtype=float)
    hi = np.array([i[-1] + 1 for i in idx], dtype=float)
    centre_mm = (lo + hi) / 2 * spacing
    side_mm = max(float(((hi - lo) * spacing).max()) + 2 * region.margin_mm, region.min_side_mm)
    half = side_mm / 2 / spacing
    start = np.clip(np.floor(centre_mm / spacing - half), 0, shape).astype(int)
    end = np.clip(np.ceil(centre_mm / spacing + half), 0, shape).astype(int)
    return tuple((int(a), int(b)) for a, b in zip(start, end))


def crop(subject: Subject, box: tuple[tuple[int, int], ...]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Images and label map of ``subject`` inside ``box``."""
    sl = tuple(slice(a, b) for a, b in box)
    return {k: v[sl] for k, v in subject.images.items()}, subject.labels[sl]

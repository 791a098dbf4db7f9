"""What evaluation works on: labelled subjects at native resolution, grouped into tasks.

A :class:`Subject` is one volume in canonical RAS+ voxel order with one binary mask per class of
its task. A :class:`Task` is a set of held-out query subjects and a pool of reference subjects that
share the same classes. A query never uses itself as a reference: a reference with the query's
name is left out of that query's pool (leave-one-out, when queries and references are the same
subjects).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Subject:
    """One labelled volume.

    image: ``float32 [X, Y, Z]`` raw intensities, canonical RAS+;
    masks: ``bool [K, X, Y, Z]``, one per class of the task;
    spacing: voxel size in mm ``(sx, sy, sz)``.
    """

    name: str
    image: np.ndarray
    masks: np.ndarray
    spacing: tuple[float, float, float]

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.masks.ndim != 4 or self.masks.shape[1:] != self.image.shape:
            raise ValueError(f"{self.name}: image {self.image.shape} and masks {self.masks.shape} do not match")

    @property
    def num_classes(self) -> int:
        return int(self.masks.shape[0])


@dataclass
class Task:
    """A dataset/class group to evaluate: held-out queries and the pool their references come from.

    ``unseen`` marks structures never used in training (generalisation to new classes).
    """

    dataset: str
    class_names: tuple[str, ...]
    queries: list[Subject]
    references: list[Subject]
    unseen: bool = False
    notes: str = ""
    tags: dict = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def __post_init__(self) -> None:
        for s in [*self.queries, *self.references]:
            if s.num_classes != len(self.class_names):
                raise ValueError(f"{self.dataset}: {s.name} has {s.num_classes} masks, task has {len(self.class_names)} classes")
        for q in self.queries:
            if not self.reference_indices(q):
                raise ValueError(f"{self.dataset}: query {q.name} has no reference other than itself")

    def reference_indices(self, query: Subject) -> list[int]:
        """Indices into ``references`` that ``query`` may use: every reference but the query itself."""
        return [j for j, r in enumerate(self.references) if r.name != query.name]

    @property
    def shared_pool(self) -> bool:
        """Whether every query uses the whole reference pool (no query is also a reference)."""
        names = {q.name for q in self.queries}
        return not any(r.name in names for r in self.references)


def masks_from_labels(labels: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Binary masks ``bool [K, X, Y, Z]`` from a label map ``[X, Y, Z]``: class ``k`` is the union of
    the label values ``groups[k]``."""
    labels = np.asarray(labels)
    return np.stack([np.isin(labels, list(g)) for g in groups])

"""The held-out trained task, read from the ORIGINAL NIfTI files (canonical RAS+, native
resolution, physical spacing) through :mod:`irisseg.data.sources`, never from the pack.

- ``hippocampus`` (anterior, posterior): queries = the validation subjects of
  :func:`irisseg.data.splits.hippocampus_validation`; references = a seeded sample of training
  subjects (a user's labelled example; never a query).
- the wrong reference of the honesty checks (TotalSegmentator MR kidneys).

The unseen structures (BraTS tumour, thalamus, TotalSegmentator organs, fetal corpus callosum) are
in :mod:`irisseg.evaluation.unseen`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from irisseg.data import splits
from irisseg.data.sources import Subject as SourceSubject
from irisseg.data.sources import read_msd
from irisseg.evaluation.cases import Subject, Task, masks_from_labels

HIPPOCAMPUS_CLASSES = ("anterior", "posterior")
HIPPOCAMPUS_LABELS = ((1,), (2,))


def default_data_root() -> Path:
    """``../shared/data`` relative to the repository root."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def to_subject(source: SourceSubject, groups, contrast: str | None = None) -> Subject:
    """An evaluation :class:`Subject` (one contrast, one mask per label group) from a source subject."""
    image = source.images[contrast] if contrast else next(iter(source.images.values()))
    return Subject(
        name=source.subject_id,
        image=np.ascontiguousarray(image, dtype=np.float32),
        masks=masks_from_labels(source.labels, groups),
        spacing=tuple(float(s) for s in source.spacing),
    )


def hippocampus_ids(root: Path) -> list[str]:
    return sorted(p.name.split(".nii")[0] for p in (root / "labelsTr").glob("*.nii*"))


def hippocampus_task(data_root: Path, max_queries: int | None = None, pool_size: int = 20, seed: int = 0) -> Task:
    """Hippocampus validation queries (first ``max_queries`` of the sorted split) and a pool of
    ``pool_size`` training subjects drawn with ``seed``."""
    root = Path(data_root) / "hippocampus"
    ids = hippocampus_ids(root)
    validation = splits.hippocampus_validation(ids)
    queries_ids = validation[:max_queries] if max_queries else validation
    training = [i for i in ids if i not in set(validation)]
    rng = np.random.default_rng(seed)
    pool_ids = sorted(training[i] for i in rng.choice(len(training), size=min(pool_size, len(training)), replace=False))
    wanted = set(queries_ids) | set(pool_ids)
    read = {s.subject_id: to_subject(s, HIPPOCAMPUS_LABELS) for s in read_msd(root, "hippocampus")
            if s.subject_id in wanted}
    return Task(
        dataset="hippocampus",
        class_names=HIPPOCAMPUS_CLASSES,
        queries=[read[i] for i in queries_ids],
        references=[read[i] for i in pool_ids],
        notes=f"{len(queries_ids)} validation subjects; references: {len(pool_ids)} training subjects",
    )


def wrong_reference(data_root: Path, organs=("kidney_right", "kidney_left")) -> Subject:
    """A reference of different structures (TotalSegmentator MR organs) for the wrong-reference check."""
    from irisseg.data.sources import read_totalsegmentator

    for source in read_totalsegmentator(Path(data_root) / "totalsegmentator"):
        if source.subject_id == "mr":
            return to_subject(source, [source.classes[o] for o in organs])
    raise FileNotFoundError("TotalSegmentator MR subject not found")

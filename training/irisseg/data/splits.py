"""Which subjects and which structures are kept out of training.

Validation subjects (never in a training episode):
- hippocampus: 40 subjects, a seeded choice (:data:`HIPPOCAMPUS_SPLIT_SEED`) among the sorted subject ids;
- brats: one subject (:data:`BRATS_VALIDATION`);
- synthseg: two label maps (:data:`SYNTHSEG_VALIDATION`), references for the brain structures;
- fetal: three atlas weeks (:data:`FETAL_VALIDATION`).
TotalSegmentator (one CT + one MR) and voxelmorph (one brain) have a single subject per modality;
they stay in training and are evaluated on their unseen structures only.

Unseen structures (never a target class, never part of a merged class, never a synthetic class, in
any subject of any split). Their voxels stay in the label maps, and every training episode carries
them as an *ignore mask* (zero weight in the loss, moved with every augmentation): training neither
learns them as a target nor as background.
- BraTS tumour: labels 1-4 (each, the tumour core and the whole tumour) on every BraTS subject.
  BraTS trains only its ``brain`` class (the brain mask, the tumour inside it, as the file draws it).
- thalamus: FreeSurfer labels 10 (left) and 49 (right) in every brain source (voxelmorph, synthseg).
- TotalSegmentator: spleen (1), pancreas (7) and the adrenal glands (8, 9; small), in CT and MR.
- fetal atlas: the corpus callosum (8; thin).
"""
from __future__ import annotations

import numpy as np

HIPPOCAMPUS_VALIDATION_COUNT = 40
HIPPOCAMPUS_SPLIT_SEED = 20250
BRATS_VALIDATION = ("brats_2013_pat0006_1",)
SYNTHSEG_VALIDATION = ("training_seg_19", "training_seg_20")
FETAL_VALIDATION = ("fetal_SB_atlas_GA22_notoperated", "fetal_SB_atlas_GA27_operated", "fetal_SB_atlas_GA32_operated")

#: dataset -> label values that no training class may contain.
UNSEEN_LABELS: dict[str, frozenset[int]] = {
    "brats": frozenset({1, 2, 3, 4}),
    "voxelmorph": frozenset({10, 49}),
    "synthseg": frozenset({10, 49}),
    "totalseg": frozenset({1, 7, 8, 9}),
    "fetal": frozenset({8}),
}

#: dataset -> the only classes allowed in training (where a class overlaps unseen labels by design).
TRAINING_CLASS_ALLOWLIST: dict[str, frozenset[str]] = {"brats": frozenset({"brain"})}

#: The BraTS tumour classes (label values of ``OTMultiClass``); all of them unseen.
BRATS_TUMOUR_CLASSES: dict[str, tuple[int, ...]] = {
    "necrotic core": (1,),
    "edema": (2,),
    "non-enhancing tumour": (3,),
    "enhancing tumour": (4,),
    "tumour core": (1, 3, 4),
    "whole tumour": (1, 2, 3, 4),
}
#: FreeSurfer thalamus classes (voxelmorph aseg and SynthSeg maps).
THALAMUS_CLASSES: dict[str, tuple[int, ...]] = {"Left-Thalamus": (10,), "Right-Thalamus": (49,), "thalamus": (10, 49)}

#: Unseen classes reported by the evaluation: dataset -> class name -> label values.
UNSEEN_CLASSES: dict[str, dict[str, tuple[int, ...]]] = {
    "brats": dict(BRATS_TUMOUR_CLASSES),
    "voxelmorph": dict(THALAMUS_CLASSES),
    "synthseg": dict(THALAMUS_CLASSES),
    "totalseg": {"spleen": (1,), "pancreas": (7,), "adrenal_gland_right": (8,), "adrenal_gland_left": (9,),
                 "adrenal glands": (8, 9)},
    "fetal": {"corpus callosum": (8,)},
}


def hippocampus_validation(subject_ids: list[str]) -> list[str]:
    """The 40 held-out hippocampus subjects: a seeded choice among the sorted ids (sorted)."""
    ids = sorted(subject_ids)
    count = min(HIPPOCAMPUS_VALIDATION_COUNT, max(len(ids) // 5, 1))
    rng = np.random.default_rng(HIPPOCAMPUS_SPLIT_SEED)
    return sorted(ids[i] for i in rng.choice(len(ids), size=count, replace=False))


def validation_subjects(dataset: str, subject_ids: list[str]) -> list[str]:
    """Held-out subject ids of one dataset (a subset of ``subject_ids``)."""
    if dataset == "hippocampus":
        return hippocampus_validation(subject_ids)
    fixed = {"brats": BRATS_VALIDATION, "synthseg": SYNTHSEG_VALIDATION, "fetal": FETAL_VALIDATION}.get(dataset, ())
    return sorted(s for s in subject_ids if s in fixed)


def is_training_class(dataset: str, name: str, labels: tuple[int, ...] | list[int]) -> bool:
    """Whether a class (name + label values) may be a target in training."""
    allow = TRAINING_CLASS_ALLOWLIST.get(dataset)
    if allow is not None:
        return name in allow
    return not (set(int(v) for v in labels) & UNSEEN_LABELS.get(dataset, frozenset()))


def trainable_labels(dataset: str, labels) -> list[int]:
    """The label values that synthetic tasks may use as classes (unseen and background removed)."""
    unseen = UNSEEN_LABELS.get(dataset, frozenset())
    return [int(v) for v in labels if int(v) != 0 and int(v) not in unseen]


def describe() -> dict:
    """The split rules, for ``index.json``."""
    return {
        "hippocampus": {"validation_count": HIPPOCAMPUS_VALIDATION_COUNT, "seed": HIPPOCAMPUS_SPLIT_SEED,
                        "rule": "numpy default_rng(seed).choice over the sorted subject ids"},
        "brats": {"validation": list(BRATS_VALIDATION)},
        "synthseg": {"validation": list(SYNTHSEG_VALIDATION)},
        "fetal": {"validation": list(FETAL_VALIDATION)},
        "unseen_labels": {k: sorted(v) for k, v in UNSEEN_LABELS.items()},
        "training_class_allowlist": {k: sorted(v) for k, v in TRAINING_CLASS_ALLOWLIST.items()},
        "unseen_classes": {d: {n: list(v) for n, v in c.items()} for d, c in UNSEEN_CLASSES.items()},
    }


def ignore_labels(dataset: str) -> frozenset[int]:
    """Label values whose voxels carry zero loss weight in every episode of ``dataset``."""
    return UNSEEN_LABELS.get(dataset, frozenset())

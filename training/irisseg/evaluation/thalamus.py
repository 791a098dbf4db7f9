"""The unseen thalamus task: left and right thalamus (FreeSurfer 10, 49; never a training class) on
the voxelmorph T1 brain, with references generated SynthSeg-style from the held-out SynthSeg label
maps (:data:`irisseg.data.splits.SYNTHSEG_VALIDATION`).

- Query: the voxelmorph T1 and its aseg, cropped to the ``subcortical`` region box (the same
  crop the training regions use, :mod:`irisseg.data.regions`).
- References: each validation label map cropped to its own subcortical box (made cubic, padded
  with background), painted with an approximate T1 contrast (:data:`T1_LIKE`; labels not in the
  table get random intensities) and corrupted by :func:`irisseg.data.synthetic.synthseg_image`
  (blur, random resolution, bias field, gamma, noise); a few renders per map.

The T1 table is textbook tissue ordering on a 0-255 scale (white matter brightest, then deep grey
matter, cortex, CSF darkest); it is not fitted to the query.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from irisseg.data import splits
from irisseg.data.nifti_io import read_volume
from irisseg.data.regions import REGIONS, region_box
from irisseg.data.sources import Subject as SourceSubject
from irisseg.data.sources import read_voxelmorph
from irisseg.data.synthetic import Palette, synthseg_image
from irisseg.evaluation.cases import Subject, Task, masks_from_labels

THALAMUS_CLASSES = ("Left-Thalamus", "Right-Thalamus")
THALAMUS_LABELS = tuple(splits.THALAMUS_CLASSES[name] for name in THALAMUS_CLASSES)

#: Approximate T1 intensities (0-255) per FreeSurfer label.
T1_LIKE: dict[int, float] = {
    2: 110, 41: 110, 7: 105, 46: 105, 251: 110, 252: 110, 253: 110, 254: 110, 255: 110, 77: 90,  # white matter
    3: 70, 42: 70, 8: 72, 47: 72,  # cortex
    10: 92, 49: 92, 11: 80, 50: 80, 12: 86, 51: 86, 13: 102, 52: 102, 17: 72, 53: 72, 18: 72, 54: 72,
    26: 78, 58: 78, 28: 100, 60: 100, 16: 95, 85: 90, 80: 60,  # deep grey matter, brain stem
    4: 25, 43: 25, 5: 25, 44: 25, 14: 25, 15: 25, 24: 25, 72: 25,  # CSF
    30: 60, 62: 60, 31: 55, 63: 55,  # vessels, choroid plexus
}
T1_STD = 6.0


def _subcortical():
    return next(r for r in REGIONS if r.name == "subcortical")


def cubic_crop(array: np.ndarray, box) -> np.ndarray:
    """The cube of side ``max(box sides)`` centred on ``box``; outside the array is 0."""
    side = max(b - a for a, b in box)
    out = np.zeros((side,) * 3, dtype=array.dtype)
    src, dst = [], []
    for (a, b), n in zip(box, array.shape):
        start = (a + b) // 2 - side // 2
        lo, hi = max(start, 0), min(start + side, n)
        src.append(slice(lo, hi))
        dst.append(slice(lo - start, hi - start))
    out[tuple(dst)] = array[tuple(src)]
    return out


def t1_palette(values, gen: torch.Generator) -> Palette:
    """:data:`T1_LIKE` for the known labels, random intensities for the others (head, extra labels)."""
    values = sorted(int(v) for v in values)
    palette = Palette.random(values, gen)
    for i, v in enumerate(values):
        if v in T1_LIKE:
            palette.means[i] = T1_LIKE[v]
            palette.stds[i] = T1_STD
        elif v == 0:
            palette.means[i], palette.stds[i] = 0.0, 0.0
    return palette


def synthetic_reference(labels: np.ndarray, name: str, seed: int) -> Subject:
    """A SynthSeg-style T1-like image of a label map ``[S, S, S]`` and its thalamus masks."""
    gen = torch.Generator().manual_seed(seed)
    lab = torch.from_numpy(labels.astype(np.int64))
    image = synthseg_image(lab, t1_palette(np.unique(labels), gen), gen).numpy().astype(np.float32)
    return Subject(name, image, masks_from_labels(labels, THALAMUS_LABELS), (1.0, 1.0, 1.0))


def query_subject(data_root: Path) -> Subject:
    source: SourceSubject = next(read_voxelmorph(Path(data_root) / "voxelmorph"))
    box = region_box(source, _subcortical())
    sl = tuple(slice(a, b) for a, b in box)
    image = next(iter(source.images.values()))[sl]
    return Subject(f"{source.subject_id}_subcortical", np.ascontiguousarray(image, dtype=np.float32),
                   masks_from_labels(source.labels[sl], THALAMUS_LABELS), tuple(float(s) for s in source.spacing))


def thalamus_task(data_root: Path, quick: bool = False, seed: int = 0, renders: int | None = None) -> Task | None:
    """The thalamus task, or ``None`` when the data is missing."""
    data_root = Path(data_root)
    maps = [data_root / "synthseg_label_maps" / f"{m}.nii.gz" for m in splits.SYNTHSEG_VALIDATION]
    if not (data_root / "voxelmorph").is_dir() or not all(p.exists() for p in maps):
        return None
    renders = renders if renders is not None else (1 if quick else 2)
    references = []
    for m, path in enumerate(maps):
        labels, geometry = read_volume(path, label=True)
        if any(abs(s - 1.0) > 1e-3 for s in geometry.spacing):
            raise ValueError(f"{path}: expected 1 mm voxels, got {geometry.spacing}")
        source = SourceSubject("synthseg", path.name.split(".nii")[0], {}, labels, geometry.spacing, {}, "label map")
        box = region_box(source, _subcortical())
        crop = cubic_crop(labels, box)
        for r in range(renders):
            references.append(synthetic_reference(crop, f"{source.subject_id}_synth{r}", seed * 1000 + 10 * m + r))
    return Task(
        dataset="thalamus",
        class_names=THALAMUS_CLASSES,
        queries=[query_subject(data_root)],
        references=references,
        unseen=True,
        notes=(f"unseen structure; query: voxelmorph T1 (subcortical crop); references: {len(references)} "
               "SynthSeg-style T1-like renders of the validation label maps"),
    )

"""Readers for every labelled set under ``../shared/data``, all brought to canonical RAS+.

Each reader yields :class:`Subject` objects one at a time (a SynthSeg map is 256^3, so nothing is
kept around): canonical image(s) by contrast name, an integer label map, the voxel spacing in mm and
the subject's classes as ``name -> label values`` (a class may merge several label values).

Sets and their readers:
- ``hippocampus``: any MSD / nnU-Net folder (``imagesTr/``, ``labelsTr/``, ``dataset.json``): :func:`read_msd`.
- ``brats``: FLAIR and T1c as two contrasts, tumour labels 1-4 plus the brain mask (label 5 = brain
  outside the tumour): :func:`read_brats`.
- ``totalseg``: TotalSegmentator CT and MR, names per file from ``labels.json``; a cross-modality pair
  on the organs they share: :func:`read_totalsegmentator`.
- ``voxelmorph``: one T1 brain with a FreeSurfer aseg: :func:`read_voxelmorph`.
- ``synthseg``: 20 whole-head label maps without images: :func:`read_synthseg`.
- ``fetal``: the fetal brain atlas (15 group-average T2 volumes, 8 tissues): :func:`read_fetal_atlas`.
- ``stroke``: one unlabelled brain in T1, T2 and FLAIR (self-supervised tasks only): :func:`read_unlabelled`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import nibabel as nib
import numpy as np

from . import splits
from .nifti_io import Geometry, read_volume

#: Label value of "brain outside the tumour" in the BraTS label maps built here (the files carry
#: tumour labels 1-4 in ``OTMultiClass`` and a separate float ``brainmask``).
BRATS_BRAIN_LABEL = 5

#: The voxelmorph files carry an identity affine (read as RAS), but their anatomy is FreeSurfer's
#: conformed LIA order: left-hemisphere labels sit at larger first index, the cerebellum at smaller
#: third index than the caudate, the brain stem at larger second index than the ventricles (checked in
#: ``tests/data/test_sources.py``). The reader re-labels the axes as LIA before canonicalising, so that
#: the brain lies in RAS+ like every other set.
VOXELMORPH_TRUE_AXCODES = ("L", "I", "A")


@dataclass
class Subject:
    """One labelled subject in canonical RAS+ voxel order.

    images: contrast name -> float32 [X, Y, Z]; empty for label-only sets (SynthSeg).
    labels: integer label map [X, Y, Z].
    spacing: voxel size in mm per canonical axis.
    classes: class name -> label values that make up the class mask.
    """

    dataset: str
    subject_id: str
    images: dict[str, np.ndarray]
    labels: np.ndarray
    spacing: tuple[float, float, float]
    classes: dict[str, tuple[int, ...]]
    modality: str
    geometry: Geometry | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.subject_id}"

    def class_mask(self, name: str) -> np.ndarray:
        """Binary mask [X, Y, Z] (bool) of one class."""
        return np.isin(self.labels, self.classes[name])


def _present(labels: np.ndarray) -> set[int]:
    return {int(v) for v in np.unique(labels)}


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".nii.gz", ".nii"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


# ---------------------------------------------------------------------------------------------
# MSD / nnU-Net layout


def read_msd(root: str | Path, dataset: str | None = None, limit: int | None = None) -> Iterator[Subject]:
    """Subjects of an MSD / nnU-Net folder: ``dataset.json`` lists image/label pairs and names.

    A 4D image (several modalities on the last axis) becomes one contrast per modality, named after
    ``dataset.json``'s ``modality`` (or ``channel_names``) entries.
    """
    root = Path(root)
    meta = json.loads((root / "dataset.json").read_text())
    dataset = dataset or root.name
    label_names = {int(v): str(k) for k, v in meta["labels"].items()} if _labels_by_name(meta) else {
        int(k): str(v) for k, v in meta["labels"].items()
    }
    modalities = meta.get("modality") or meta.get("channel_names") or {"0": "image"}
    modality_names = [str(modalities[k]) for k in sorted(modalities, key=int)]
    pairs = meta.get("training") or [
        {"image": f"./imagesTr/{_stem(p)}.nii.gz", "label": f"./labelsTr/{_stem(p)}.nii.gz"}
        for p in sorted((root / "labelsTr").glob("*.nii*"))
    ]
    for n, pair in enumerate(pairs):
        if limit is not None and n >= limit:
            return
        image_path = root / pair["image"]
        label_path = root / pair["label"]
        if not image_path.exists():  # nnU-Net v2 names the channels image_0000.nii.gz
            image_path = root / "imagesTr" / f"{_stem(label_path)}_0000.nii.gz"
        image, geometry = read_volume(image_path)
        labels, _ = read_volume(label_path, label=True)
        if image.ndim == 4:
            images = {modality_names[c].lower(): np.ascontiguousarray(image[..., c]) for c in range(image.shape[-1])}
        else:
            images = {modality_names[0].lower(): image}
        present = _present(labels)
        classes = {name: (value,) for value, name in sorted(label_names.items()) if value != 0 and value in present}
        yield Subject(dataset, _stem(label_path), images, labels, geometry.spacing, classes, modality_names[0], geometry)


def _labels_by_name(meta: dict) -> bool:
    """nnU-Net v2 writes ``labels`` as name -> value, MSD as value -> name."""
    return not all(str(k).lstrip("-").isdigit() for k in meta["labels"])


# ---------------------------------------------------------------------------------------------
# BraTS (DeepMedic example layout)

BRATS_TUMOUR_CLASSES = splits.BRATS_TUMOUR_CLASSES


def read_brats(root: str | Path, limit: int | None = None) -> Iterator[Subject]:
    """BraTS subjects: contrasts ``flair`` and ``t1c``; labels 1-4 tumour, 5 brain outside the tumour.

    Classes: the four tumour labels, ``tumour core`` (1, 3, 4), ``whole tumour`` (1-4) and ``brain``
    (the brain mask thresholded at 0.5, tumour included: labels 1-5).
    """
    root = Path(root)
    names = json.loads((root / "labels.json").read_text())
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    for n, folder in enumerate(folders):
        if limit is not None and n >= limit:
            return
        flair, geometry = read_volume(folder / "Flair_subtrMeanDivStd.nii.gz")
        t1c, _ = read_volume(folder / "T1c_subtrMeanDivStd.nii.gz")
        tumour, _ = read_volume(folder / "OTMultiClass.nii.gz", label=True)
        brain, _ = read_volume(folder / "brainmask.nii.gz")
        labels = tumour.astype(np.uint8)
        labels[(brain >= 0.5) & (labels == 0)] = BRATS_BRAIN_LABEL
        present = _present(labels)
        classes = {str(names.get(str(v[0]), name)) if len(v) == 1 else name: v
                   for name, v in BRATS_TUMOUR_CLASSES.items() if set(v) & present}
        classes["brain"] = (1, 2, 3, 4, BRATS_BRAIN_LABEL)
        yield Subject("brats", folder.name, {"flair": flair, "t1c": t1c}, labels, geometry.spacing, classes,
                      "MR", geometry)


# ---------------------------------------------------------------------------------------------
# TotalSegmentator CT + MR

#: Merged classes so that CT and MR name the same structure the same way (the MR model has one
#: ``vertebrae`` and one ``lung_right`` class; the CT model splits them).
TOTALSEG_MERGES: dict[str, str] = {"vertebrae": "vertebrae_", "lung_right": "lung_*_right", "lung_left": "lung_*_left"}

_TOTALSEG_FILES = (("ct", "example_ct_sm.nii.gz", "example_seg.nii.gz", "CT"),
                   ("mr", "example_mr_sm.nii.gz", "example_seg_mr.nii.gz", "MR"))


def _totalseg_classes(names: dict[str, str], present: set[int]) -> dict[str, tuple[int, ...]]:
    classes = {name: (int(v),) for v, name in names.items() if int(v) in present}
    for merged, pattern in TOTALSEG_MERGES.items():
        if merged in classes:
            continue
        head, _, tail = pattern.partition("*")
        members = tuple(sorted(v[0] for n, v in classes.items()
                               if n.startswith(head) and n.endswith(tail) and n != merged))
        if len(members) > 1:
            classes[merged] = members
    return classes


def read_totalsegmentator(root: str | Path, limit: int | None = None) -> Iterator[Subject]:
    """The CT and the MR subject; classes named per file by ``labels.json`` plus merged groups."""
    root = Path(root)
    names = json.loads((root / "labels.json").read_text())
    for n, (subject_id, image_file, label_file, modality) in enumerate(_TOTALSEG_FILES):
        if limit is not None and n >= limit:
            return
        image, geometry = read_volume(root / image_file)
        labels, _ = read_volume(root / label_file, label=True)
        classes = _totalseg_classes(names[label_file], _present(labels))
        yield Subject("totalseg", subject_id, {modality.lower(): image}, labels, geometry.spacing, classes,
                      modality, geometry)


# ---------------------------------------------------------------------------------------------
# FreeSurfer brains: voxelmorph (image + aseg) and SynthSeg label maps (no image)


def freesurfer_names(data_root: str | Path) -> dict[int, str]:
    """FreeSurfer label names from ``voxelmorph/labels.json``."""
    path = Path(data_root) / "voxelmorph" / "labels.json"
    return {int(k): str(v) for k, v in json.loads(path.read_text()).items()} if path.exists() else {}


def axcodes_affine(axcodes: tuple[str, str, str], shape, spacing: float = 1.0) -> np.ndarray:
    """A voxel-to-world affine (4x4) whose voxel axes run along ``axcodes``, centred on the volume."""
    ornt = nib.orientations.axcodes2ornt(axcodes)
    affine = np.zeros((4, 4))
    affine[3, 3] = 1.0
    for axis, (world, flip) in enumerate(ornt):
        affine[int(world), axis] = flip * spacing
    affine[:3, 3] = -affine[:3, :3] @ ((np.asarray(shape[:3], dtype=float) - 1) / 2)
    return affine


def read_voxelmorph(root: str | Path, names: dict[int, str] | None = None, fix_orientation: bool = True,
                    limit: int | None = None) -> Iterator[Subject]:
    """The voxelmorph T1 brain and its aseg (FreeSurfer structures present in the map).

    With ``fix_orientation`` (default) the voxel axes are read as LIA (see
    :data:`VOXELMORPH_TRUE_AXCODES`) instead of the files' identity affine.
    """
    root = Path(root)
    if limit == 0:
        return
    names = names if names is not None else {int(k): v for k, v in json.loads((root / "labels.json").read_text()).items()}
    affine = None
    notes = []
    if fix_orientation:
        affine = axcodes_affine(VOXELMORPH_TRUE_AXCODES, nib.load(str(root / "test_scan_t1.nii.gz")).shape)
        notes.append("voxel axes read as LIA (the files' identity affine mislabels them)")
    image, geometry = read_volume(root / "test_scan_t1.nii.gz", affine=affine)
    labels, _ = read_volume(root / "test_scan_aseg.nii.gz", label=True, affine=affine)
    present = _present(labels)
    classes = {name: (v,) for v, name in sorted(names.items()) if v in present}
    yield Subject("voxelmorph", "test_scan", {"t1": image}, labels, geometry.spacing, classes, "MR", geometry, notes)


def read_synthseg(root: str | Path, names: dict[int, str] | None = None, limit: int | None = None) -> Iterator[Subject]:
    """SynthSeg whole-head label maps (no images). Unnamed labels (extra-cerebral 500+, ...) are
    called ``label_<value>``."""
    root = Path(root)
    names = names if names is not None else freesurfer_names(root.parent)
    for n, path in enumerate(sorted(root.glob("*.nii*"))):
        if limit is not None and n >= limit:
            return
        labels, geometry = read_volume(path, label=True)
        classes = {names.get(v, f"label_{v}"): (v,) for v in sorted(_present(labels)) if v != 0}
        yield Subject("synthseg", _stem(path), {}, labels, geometry.spacing, classes, "label map", geometry)


def read_fetal_atlas(root: str | Path, limit: int | None = None) -> Iterator[Subject]:
    """One subject per gestational-week folder: the super-resolved T2 (``srr``) and its tissue
    parcellation, tissues named by ``labels.json``."""
    root = Path(root)
    names = {int(k): str(v) for k, v in json.loads((root / "labels.json").read_text()).items()}
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "srr.nii.gz").exists())
    for n, folder in enumerate(folders):
        if limit is not None and n >= limit:
            return
        image, geometry = read_volume(folder / "srr.nii.gz")
        labels, _ = read_volume(folder / "parcellation.nii.gz", label=True)
        present = _present(labels)
        classes = {name: (v,) for v, name in sorted(names.items()) if v in present}
        yield Subject("fetal", folder.name, {"t2": image}, labels, geometry.spacing, classes, "MR", geometry)


def read_unlabelled(root: str | Path, limit: int | None = None) -> Iterator[Subject]:
    """Unlabelled MRI: every folder of ``root`` with ``*.nii.gz`` files of one grid is one subject, each
    file a contrast (lower-case stem). The label map is all zero; no classes."""
    root = Path(root)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.nii*")))
    for n, folder in enumerate(folders):
        if limit is not None and n >= limit:
            return
        images, geometry = {}, None
        for path in sorted(folder.glob("*.nii*")):
            images[_stem(path).lower()], geometry = read_volume(path)
        labels = np.zeros(next(iter(images.values())).shape, dtype=np.uint8)
        yield Subject("stroke", folder.name, images, labels, geometry.spacing, {}, "MR", geometry,
                      ["unlabelled: self-supervised tasks only"])


@dataclass(frozen=True)
class SynthSegPriors:
    """SynthSeg's generation label list and T1 intensity priors (``priors/``).

    means, stds: [2, C] (row 0: mean of the prior, row 1: its spread) for C generation classes.
    """

    labels: np.ndarray
    classes: np.ndarray
    means: np.ndarray
    stds: np.ndarray

    @property
    def consistent(self) -> bool:
        """Whether the priors have one column per generation class (else they cannot be mapped)."""
        return self.means.shape[1] == int(self.classes.max()) + 1


def read_synthseg_priors(root: str | Path) -> SynthSegPriors:
    priors = Path(root) / "priors"
    return SynthSegPriors(*(np.load(priors / f"{n}.npy") for n in
                            ("generation_labels", "generation_classes", "prior_means_t1", "prior_stds_t1")))


# ---------------------------------------------------------------------------------------------

#: Folder under the data root -> reader(folder, limit=...).
READERS: dict[str, tuple[str, Callable[..., Iterator[Subject]]]] = {
    "hippocampus": ("hippocampus", lambda p, limit=None: read_msd(p, "hippocampus", limit)),
    "brats": ("brats", read_brats),
    "totalseg": ("totalsegmentator", read_totalsegmentator),
    "voxelmorph": ("voxelmorph", read_voxelmorph),
    "synthseg": ("synthseg_label_maps", read_synthseg),
    "fetal": ("fetal_brain_atlas", read_fetal_atlas),
    "stroke": ("unlabelled", read_unlabelled),
}


def iter_subjects(data_root: str | Path, datasets: list[str] | None = None, limit: int | None = None) -> Iterator[Subject]:
    """Subjects of every known set found under ``data_root`` (``limit`` per set)."""
    data_root = Path(data_root)
    for name, (folder, reader) in READERS.items():
        if datasets is not None and name not in datasets:
            continue
        if (data_root / folder).is_dir():
            yield from reader(data_root / folder, limit=limit)

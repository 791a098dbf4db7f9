"""Readers of every set under ../shared/data, and the generic MSD / nnU-Net reader on a tiny folder."""
from __future__ import annotations

import json

import nibabel as nib
import numpy as np
import pytest

from irisseg.data.sources import (BRATS_BRAIN_LABEL, read_brats, read_msd, read_synthseg, read_synthseg_priors,
                                  read_totalsegmentator, read_voxelmorph)


def centroid(labels: np.ndarray, value: int) -> np.ndarray:
    return np.argwhere(labels == value).mean(axis=0)


def assert_ras_brain(labels: np.ndarray) -> None:
    """FreeSurfer anatomy in RAS+ voxel order: left hemisphere at smaller x, the cerebellum (8)
    posterior to (smaller y) and below (smaller z) the caudate (11)."""
    assert centroid(labels, 2)[0] < centroid(labels, 41)[0]
    assert centroid(labels, 8)[1] < centroid(labels, 11)[1]
    assert centroid(labels, 8)[2] < centroid(labels, 11)[2]


def test_hippocampus_is_read_through_the_msd_reader(data_root):
    subjects = list(read_msd(data_root / "hippocampus", "hippocampus", limit=2))
    assert [s.subject_id for s in subjects] == ["hippocampus_001", "hippocampus_003"]
    s = subjects[0]
    assert s.classes == {"anterior": (1,), "posterior": (2,)}
    assert list(s.images) == ["mri"] and s.images["mri"].dtype == np.float32
    assert s.images["mri"].shape == s.labels.shape == (35, 51, 35)
    assert s.spacing == (1.0, 1.0, 1.0)
    assert s.class_mask("anterior").sum() == (s.labels == 1).sum() > 0


def write_nnunet_v2(root, n=2):
    """A tiny nnU-Net v2 folder: labels given name -> value, channels named image_0000, LPS affine."""
    (root / "imagesTr").mkdir(parents=True)
    (root / "labelsTr").mkdir()
    affine = np.diag([-2.0, -2.0, 3.0, 1.0])
    rng = np.random.default_rng(0)
    for i in range(n):
        image = rng.normal(size=(6, 5, 4)).astype(np.float32)
        labels = np.zeros((6, 5, 4), np.uint8)
        labels[1:3, 1:3, 1:3] = 1
        labels[4, 3, 2] = 2
        nib.save(nib.Nifti1Image(image, affine), str(root / "imagesTr" / f"case_{i}_0000.nii.gz"))
        nib.save(nib.Nifti1Image(labels, affine), str(root / "labelsTr" / f"case_{i}.nii.gz"))
    (root / "dataset.json").write_text(json.dumps({
        "channel_names": {"0": "CT"}, "labels": {"background": 0, "organ": 1, "lesion": 2},
        "numTraining": n, "file_ending": ".nii.gz"}))


def test_msd_reader_reads_an_nnunet_v2_folder(tmp_path):
    write_nnunet_v2(tmp_path / "Dataset001_Toy")
    subjects = list(read_msd(tmp_path / "Dataset001_Toy"))
    assert [s.subject_id for s in subjects] == ["case_0", "case_1"]
    s = subjects[0]
    assert s.dataset == "Dataset001_Toy"
    assert s.classes == {"organ": (1,), "lesion": (2,)}
    assert s.spacing == (2.0, 2.0, 3.0)
    # LPS on disk -> RAS+: x and y reversed
    assert s.labels[6 - 1 - 4, 5 - 1 - 3, 2] == 2
    assert list(s.images) == ["ct"]


def test_brats_has_two_contrasts_tumour_labels_and_the_brain(data_root):
    s = next(read_brats(data_root / "brats", limit=1))
    assert set(s.images) == {"flair", "t1c"}
    assert s.images["flair"].shape == s.images["t1c"].shape == s.labels.shape == (240, 240, 155)
    present = set(np.unique(s.labels).tolist())
    assert present <= {0, 1, 2, 3, 4, BRATS_BRAIN_LABEL} and BRATS_BRAIN_LABEL in present
    brainmask = np.asanyarray(nib.as_closest_canonical(
        nib.load(str(data_root / "brats" / s.subject_id / "brainmask.nii.gz"))).dataobj) >= 0.5
    brain = s.class_mask("brain")
    assert (brain & ~brainmask).sum() <= (s.labels[~brainmask] > 0).sum()  # only tumour outside the mask
    assert (brainmask & ~brain).sum() == 0
    assert s.classes["whole tumour"] == (1, 2, 3, 4)
    # the FLAIR of a brain: mostly zero outside the mask, varying inside
    assert s.images["flair"][brain].std() > 0


def test_totalsegmentator_ct_and_mr_share_about_twenty_organs(data_root):
    ct, mr = read_totalsegmentator(data_root / "totalsegmentator")
    assert (ct.modality, mr.modality) == ("CT", "MR")
    shared = set(ct.classes) & set(mr.classes)
    assert len(shared) >= 20
    assert {"liver", "spleen", "kidney_left", "kidney_right", "pancreas", "aorta", "vertebrae"} <= shared
    assert len(ct.classes["vertebrae"]) == 4 and len(mr.classes["vertebrae"]) == 1
    for name in ("liver", "kidney_left"):
        assert ct.class_mask(name).sum() > 0 and mr.class_mask(name).sum() > 0
    # kidney_left lies on the patient's left: smaller x in RAS+ than kidney_right, in both
    for s in (ct, mr):
        assert centroid(s.labels, s.classes["kidney_left"][0])[0] < centroid(s.labels, s.classes["kidney_right"][0])[0]
    assert ct.spacing == (3.0, 3.0, 3.0)


def test_voxelmorph_is_reoriented_to_true_ras(data_root):
    s = next(read_voxelmorph(data_root / "voxelmorph"))
    assert s.images["t1"].shape == s.labels.shape
    assert len(s.classes) == 45  # labels.json names 47; Left/Right-Lesion are absent from this aseg
    assert "Left-Lesion" not in s.classes
    assert "Left-Thalamus" in s.classes
    assert_ras_brain(s.labels)


def test_voxelmorph_identity_affine_is_wrong(data_root):
    """Without the correction, the files' own geometry puts the left hemisphere on the right."""
    s = next(read_voxelmorph(data_root / "voxelmorph", fix_orientation=False))
    with pytest.raises(AssertionError):
        assert_ras_brain(s.labels)


@pytest.mark.slow
def test_synthseg_label_maps(data_root):
    s = next(read_synthseg(data_root / "synthseg_label_maps", limit=1))
    assert s.images == {}
    assert s.labels.shape == (256, 256, 256) and s.labels.dtype == np.uint16
    assert len(s.classes) == 53
    assert s.classes["Left-Hippocampus"] == (17,) and "label_502" in s.classes
    assert_ras_brain(s.labels)


def test_synthseg_priors(data_root):
    priors = read_synthseg_priors(data_root / "synthseg_label_maps")
    assert priors.labels.shape == priors.classes.shape == (54,)
    assert priors.means.shape == priors.stds.shape == (2, 25)
    # 48 generation classes but 25 prior columns: the class list the priors were made for is not shipped
    assert not priors.consistent

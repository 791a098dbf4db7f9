"""Canonical reading and write-back of real NIfTI files (RAS, LPS and LIA orientations)."""
from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest

from irisseg.data.nifti_io import read_geometry, read_volume, write_volume

# (file under ../shared/data, label map?, orientation as stored)
REAL_FILES = [
    ("hippocampus/imagesTr/hippocampus_001.nii.gz", False, ("R", "A", "S")),
    ("hippocampus/labelsTr/hippocampus_001.nii.gz", True, ("R", "A", "S")),
    ("brats/brats_2013_pat0003_1/OTMultiClass.nii.gz", True, ("L", "P", "S")),
    ("brats/brats_2013_pat0003_1/brainmask.nii.gz", False, ("L", "P", "S")),  # int32 with a scale factor
    ("totalsegmentator/example_mr_sm.nii.gz", False, ("L", "P", "S")),
    pytest.param("synthseg_label_maps/training_seg_01.nii.gz", True, ("L", "I", "A"), marks=pytest.mark.slow),
]
IDS = ["hippocampus-image", "hippocampus-labels", "brats-labels", "brats-brainmask", "totalseg-mr", "synthseg"]


@pytest.mark.parametrize("relative,label,axcodes", REAL_FILES, ids=IDS)
def test_round_trip_moves_nothing(data_root, tmp_path, relative, label, axcodes):
    path = data_root / relative
    array, geometry = read_volume(path, label=label)
    assert geometry.original_axcodes == axcodes
    out = tmp_path / "copy.nii"  # uncompressed: the geometry is the point, and it is quicker
    write_volume(out, array, geometry)

    original, written = nib.load(str(path)), nib.load(str(out))
    assert written.shape == original.shape
    assert written.get_data_dtype() == original.get_data_dtype()
    np.testing.assert_allclose(written.affine, original.affine, atol=1e-5)
    assert int(written.header["qform_code"]) == int(original.header["qform_code"])
    assert int(written.header["sform_code"]) == int(original.header["sform_code"])
    np.testing.assert_allclose(np.asanyarray(written.dataobj), np.asanyarray(original.dataobj), atol=1e-6)


@pytest.mark.parametrize("relative,label,axcodes", REAL_FILES[:5], ids=IDS[:5])
def test_canonical_array_is_what_nibabel_canonicalises(data_root, relative, label, axcodes):
    array, geometry = read_volume(data_root / relative, label=label)
    canonical = nib.as_closest_canonical(nib.load(str(data_root / relative)))
    assert nib.aff2axcodes(geometry.canonical_affine) == ("R", "A", "S")
    np.testing.assert_allclose(geometry.canonical_affine, canonical.affine)
    np.testing.assert_allclose(array, np.asanyarray(canonical.dataobj), atol=1e-6)
    assert geometry.canonical_shape == array.shape


def test_canonical_order_follows_anatomy(data_root):
    """LPS BraTS: the first stored voxel is the patient's left, posterior; canonically it must be
    the last along x and y."""
    path = data_root / "brats/brats_2013_pat0003_1/Flair_subtrMeanDivStd.nii.gz"
    stored = np.asanyarray(nib.load(str(path)).dataobj)
    array, geometry = read_volume(path)
    assert array[-1, -1, 0] == pytest.approx(float(stored[0, 0, 0]))
    assert array[0, 0, 0] == pytest.approx(float(stored[-1, -1, 0]))
    assert geometry.spacing == (1.0, 1.0, 1.0)


def test_write_rejects_an_array_of_another_shape(data_root, tmp_path):
    array, geometry = read_volume(data_root / "totalsegmentator/example_mr_sm.nii.gz")
    with pytest.raises(ValueError):
        write_volume(tmp_path / "x.nii.gz", array[:-1], geometry)


def test_write_with_another_dtype_keeps_geometry(data_root, tmp_path):
    array, geometry = read_volume(data_root / "totalsegmentator/example_mr_sm.nii.gz")
    write_volume(tmp_path / "mask.nii.gz", (array > 100).astype(np.uint8), geometry, dtype=np.uint8)
    back, back_geometry = read_volume(tmp_path / "mask.nii.gz", label=True)
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, (array > 100))
    np.testing.assert_allclose(back_geometry.canonical_affine, geometry.canonical_affine, atol=1e-5)


def test_affine_override_reorients(data_root):
    path = data_root / "voxelmorph/test_scan_aseg.nii.gz"
    lia = np.array([[-1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]], dtype=float)
    geometry = read_geometry(path, affine=lia)
    assert geometry.original_axcodes == ("L", "I", "A")
    assert geometry.canonical_shape == (160, 224, 192)

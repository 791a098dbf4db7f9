"""The training pack: label resampling, float16 storage, a small real pack and its numpy-only reader."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from irisseg.data.nifti_io import read_volume
from irisseg.data.pack import FLOAT16_SAFE_MAX, axis_weights, build_pack, float16_scale, item_arrays, main, resample_labels
from irisseg.data.pack_format import FORMAT_VERSION, Pack, PackItem, round_float16
from irisseg.data.sources import read_msd
from irisseg.model.preprocess import resample_to_grid


def assert_heaviest_label(resampled: np.ndarray, labels: np.ndarray, grid: int) -> None:
    """Every label's mask through resample_to_grid: each grid voxel must hold a label of largest
    weight (exact ties, which float rounding may break either way, accept any of the tied labels)."""
    values = np.unique(labels)
    weights = np.stack([resample_to_grid(torch.from_numpy(labels == v).double()[None, None], grid)[0, 0].numpy()
                        for v in values])
    assert set(np.unique(resampled)) <= set(values)
    chosen = np.take_along_axis(weights, np.searchsorted(values, resampled)[None], axis=0)[0]
    assert (chosen >= weights.max(axis=0) - 1e-5).all()  # float32 weights, float64 reference
    assert (resampled == values[weights.argmax(axis=0)]).mean() > 0.99


@pytest.mark.parametrize("shape", [(20, 9, 13), (40, 24, 16), (33, 8, 50)])
def test_axis_matrices_reproduce_resample_to_grid(shape):
    x = torch.rand(shape, dtype=torch.float64)
    m = [axis_weights(n, 16) for n in shape]
    y = torch.tensordot(m[0], x, dims=([1], [0]))
    y = torch.tensordot(y, m[1], dims=([1], [1]))
    y = torch.tensordot(y, m[2], dims=([1], [1]))
    torch.testing.assert_close(y, resample_to_grid(x[None, None], 16)[0, 0])


@pytest.mark.parametrize("shape", [(20, 9, 13), (32, 48, 16), (33, 8, 50)])
def test_resample_labels_takes_the_heaviest_label(shape):
    rng = np.random.default_rng(1)
    coarse = rng.integers(0, 5, size=tuple(max(s // 4, 1) for s in shape))
    labels = np.kron(coarse, np.ones((4, 4, 4), dtype=np.int64))[: shape[0], : shape[1], : shape[2]]
    labels = np.pad(labels, [(0, s - n) for s, n in zip(shape, labels.shape)]).astype(np.uint16) * 7
    assert_heaviest_label(resample_labels(labels, 16), labels, 16)


def test_round_float16_error_bound():
    x = np.random.default_rng(0).normal(scale=300, size=10000).astype(np.float32)
    for bits in (10, 7, 5):
        y = round_float16(x, bits)
        assert y.dtype == np.float16
        rel = np.abs(y.astype(np.float32) - x) / np.maximum(np.abs(x), 1e-3)
        assert rel.max() <= 2.0 ** -(bits + 1) + 2e-3
    assert len(np.unique(round_float16(x, 5))) < len(np.unique(round_float16(x, 10)))


def test_images_beyond_float16_are_stored_scaled(data_root):
    """Some MSD hippocampus images (float32) reach 10^6, far beyond float16's 65504."""
    image, _ = read_volume(data_root / "hippocampus/imagesTr/hippocampus_044.nii.gz")
    labels, _ = read_volume(data_root / "hippocampus/labelsTr/hippocampus_044.nii.gz", label=True)
    assert image.max() > 65504
    arrays, scales = item_arrays({"mri": image}, labels, 32, 7)
    assert np.isfinite(arrays["image_mri"]).all() and np.abs(arrays["image_mri"]).max() <= FLOAT16_SAFE_MAX
    assert scales["mri"] < 1 and np.log2(scales["mri"]).is_integer()
    raw = PackItem({"mri": arrays["image_mri"]}, arrays["labels"], {"image_scale": scales}).raw("mri")
    expected = resample_to_grid(torch.from_numpy(image)[None, None], 32)[0, 0].numpy()
    np.testing.assert_allclose(raw, expected, rtol=2.0**-8 + 1e-3, atol=1e-3 * expected.max())


def test_float16_scale_leaves_ordinary_images_alone():
    assert float16_scale(np.array([-1100.0, 3000.0])) == 1.0
    assert float16_scale(np.array([0.0, 2.0**15])) == 1.0
    assert float16_scale(np.array([0.0, 2.0**15 + 1])) == 0.5


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory):
    from tests.conftest import DATA_ROOT, skip_without

    skip_without(DATA_ROOT / "hippocampus")
    out = tmp_path_factory.mktemp("pack")
    index = build_pack(DATA_ROOT, out, grid=32, limit=6, datasets=["hippocampus", "totalseg"], log=lambda *_: None)
    return out, index


def test_small_pack_index(small_pack):
    out, index = small_pack
    assert index["grid"] == 32 and index["format_version"] == FORMAT_VERSION
    keys = [i["key"] for i in index["items"]]
    assert "hippocampus/hippocampus_001" in keys and "totalseg/ct@kidney_left" in keys
    hippo = [i for i in index["items"] if i["dataset"] == "hippocampus"]
    assert len(hippo) == 6 and sum(i["split"] == "val" for i in hippo) == 1
    ct = next(i for i in index["items"] if i["key"] == "totalseg/ct")
    assert ct["source_shape"] == [122, 101, 30] and ct["spacing_grid"] == pytest.approx([3 * 122 / 32, 3 * 101 / 32, 3 * 30 / 32])
    assert ct["classes"]["liver"]["training"] and ct["classes"]["liver"]["voxels"] > 100
    assert index["datasets"]["totalseg"]["flip_axes"] == []
    assert json.loads((out / "index.json").read_text())["total_bytes"] == sum(
        p.stat().st_size for p in out.rglob("*.npz"))


def test_small_pack_arrays_match_the_sources(small_pack, data_root):
    out, index = small_pack
    pack = Pack(out)
    item = pack.load("hippocampus/hippocampus_003")
    assert item.images["mri"].dtype == np.float16 and item.images["mri"].shape == (32, 32, 32)
    assert item.labels.dtype == np.uint8
    source = list(read_msd(data_root / "hippocampus", limit=2))[1]
    expected = resample_to_grid(torch.from_numpy(source.images["mri"])[None, None], 32)[0, 0].numpy()
    bits = index["image_mantissa_bits"]
    np.testing.assert_allclose(item.images["mri"].astype(np.float32), expected, rtol=2.0 ** -(bits + 1) + 1e-3, atol=1e-3)
    assert_heaviest_label(item.labels, source.labels, 32)
    assert item.meta["classes"]["anterior"]["voxels"] == int((item.labels == 1).sum())


def test_pack_reader_needs_no_nibabel(small_pack):
    out, _ = small_pack
    code = (
        "import sys; sys.modules['nibabel'] = None; sys.modules['scipy'] = None\n"
        "from irisseg.data.pack_format import Pack\n"
        f"p = Pack({str(out)!r}); k = p.keys(split='train')[0]; print(p.load(k).labels.shape)\n"
    )
    training_root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(training_root))
    assert result.returncode == 0, result.stderr
    assert "(32, 32, 32)" in result.stdout


def test_cli_enforces_the_size_limit(data_root, tmp_path, capsys):
    args = ["--data", str(data_root), "--out", str(tmp_path / "p"), "--grid", "16", "--limit", "2",
            "--datasets", "hippocampus"]
    assert main(args) == 0
    assert (tmp_path / "p" / "index.json").exists()
    assert main(args + ["--max-mib", "0.001"]) == 1
    assert "over the" in capsys.readouterr().err


def test_cli_refuses_to_replace_a_folder_that_is_not_a_pack(data_root, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        main(["--data", str(data_root), "--out", str(tmp_path / "p"), "--limit", "1", "--datasets", "hippocampus"])
    assert (tmp_path / "p" / "precious.txt").exists()


def test_a_failed_build_leaves_the_previous_pack(data_root, tmp_path):
    out = tmp_path / "pack"
    build_pack(data_root, out, grid=16, limit=2, datasets=["hippocampus"], log=lambda *_: None)
    broken = tmp_path / "broken" / "hippocampus"
    broken.mkdir(parents=True)
    (broken / "dataset.json").write_text(json.dumps({
        "labels": {"0": "background", "1": "anterior"}, "modality": {"0": "MRI"},
        "training": [{"image": "./imagesTr/missing.nii.gz", "label": "./labelsTr/missing.nii.gz"}]}))
    with pytest.raises(FileNotFoundError):
        build_pack(broken.parent, out, grid=16, log=lambda *_: None)
    assert Pack(out).keys() == ["hippocampus/hippocampus_001", "hippocampus/hippocampus_003"]
    build_pack(data_root, out, grid=16, limit=1, datasets=["hippocampus"], log=lambda *_: None)
    assert Pack(out).keys() == ["hippocampus/hippocampus_001"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "pack"]  # nothing left behind


@pytest.mark.slow
def test_every_set_packs(data_root, tmp_path):
    index = build_pack(data_root, tmp_path, grid=32, limit=1, log=lambda *_: None)
    datasets = {i["dataset"] for i in index["items"]}
    assert datasets == {"hippocampus", "brats", "totalseg", "voxelmorph", "synthseg", "fetal", "stroke"}
    views = {i["key"].split("/")[0] + ":" + i["view"] for i in index["items"]}
    assert {"synthseg:brain", "synthseg:subcortical", "voxelmorph:subcortical", "totalseg:pancreas"} <= views
    brats = next(i for i in index["items"] if i["dataset"] == "brats")
    assert not brats["classes"]["whole tumour"]["training"] and brats["classes"]["brain"]["training"]
    vxm = next(i for i in index["items"] if i["dataset"] == "voxelmorph")
    assert not vxm["classes"]["Left-Thalamus"]["training"]

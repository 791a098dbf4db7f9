"""The committed ``focus`` test vector of each shipped model, recomputed from its inputs (docs/export-contract.md)."""
import json

import numpy as np
import pytest

from irisseg import boxes, focus_vectors
from irisseg.focus_vectors import box_list, compute, predictor_from_export, sample_indices

from conftest import DATA_ROOT, REPO_ROOT, skip_without

MODEL_DIRS = [REPO_ROOT / "models" / name for name in ("iris-small", "iris-small-finetune")]


def committed_case(model_dir):
    cases = json.loads((model_dir / "testvectors" / "testvectors.json").read_text())["cases"]
    return next(c for c in cases if c["name"] == "focus")


@pytest.fixture(scope="module", params=MODEL_DIRS, ids=lambda d: d.name)
def recomputed(request):
    """(committed case, recomputed :class:`FocusCase`, model directory)."""
    model_dir = request.param
    case = committed_case(model_dir)
    skip_without(DATA_ROOT / case["inputs"]["query_image"], "the focus case's shared data")
    return case, compute(predictor_from_export(model_dir), DATA_ROOT), model_dir


@pytest.mark.parametrize("model_dir", MODEL_DIRS, ids=lambda d: d.name)
def test_the_policy_in_the_case_is_the_one_of_boxes(model_dir):
    assert committed_case(model_dir)["policy"] == {"margin_factor": boxes.MARGIN_FACTOR,
                                                   "min_side_mm": boxes.MIN_SIDE_MM,
                                                   "found_threshold": boxes.FOUND_THRESHOLD}


@pytest.mark.parametrize("model_dir", MODEL_DIRS, ids=lambda d: d.name)
def test_the_case_names_the_inputs_the_code_reads(model_dir):
    case = committed_case(model_dir)
    assert case["inputs"] == {"reference_image": focus_vectors.REFERENCE_IMAGE,
                              "reference_label": focus_vectors.REFERENCE_LABEL,
                              "query_image": focus_vectors.QUERY_IMAGE}
    assert case["labels"] == list(focus_vectors.LABELS)


@pytest.mark.parametrize("model_dir", MODEL_DIRS, ids=lambda d: d.name)
def test_model_json_lists_the_case(model_dir):
    assert "focus" in json.loads((model_dir / "model.json").read_text())["testvectors"]


def test_the_spacings_are_recomputed_exactly(recomputed):
    case, again, _ = recomputed
    assert case["reference_spacing"] == list(again.reference_spacing)
    assert case["query_spacing"] == list(again.query_spacing)


def test_the_reference_box_and_side_are_recomputed(recomputed):
    case, again, _ = recomputed
    assert case["reference_box"] == box_list(again.reference_box)
    assert abs(case["side_mm"] - again.side_mm) <= 1e-6


def test_the_reference_box_is_a_real_crop(recomputed):
    _, again, _ = recomputed
    assert any(n < s for n, s in zip(again.reference_box.shape, again.reference_shape))


def test_the_focus_embedding_is_recomputed_within_tolerance(recomputed):
    case, again, model_dir = recomputed
    expected = np.load(model_dir / "testvectors" / case["focus_embedding"])
    assert expected.dtype == np.dtype("<f4") and expected.shape == (1, *again.embedding.shape)
    assert np.abs(expected[0] - again.embedding).max() <= case["tolerance"]


def test_the_query_box_is_recomputed_exactly_and_is_not_the_whole_query(recomputed):
    case, again, _ = recomputed
    assert case["query_box"] == box_list(again.query_box)
    assert not again.query_box.covers(again.probabilities.shape[1:])


def test_the_sampled_final_probabilities_are_recomputed_within_tolerance(recomputed):
    case, again, model_dir = recomputed
    indices = np.load(model_dir / "testvectors" / case["sample_indices"])
    expected = np.load(model_dir / "testvectors" / case["sample_probabilities"])
    assert indices.dtype == np.dtype("<i8") and expected.dtype == np.dtype("<f4")
    assert expected.shape == (len(case["labels"]), indices.size)
    actual = again.probabilities.reshape(again.probabilities.shape[0], -1)[:, indices]
    assert np.abs(actual - expected).max() <= case["tolerance"]


def test_the_samples_are_sorted_unique_and_split_around_the_query_box(recomputed):
    case, again, model_dir = recomputed
    indices = np.load(model_dir / "testvectors" / case["sample_indices"])
    shape = again.probabilities.shape[1:]
    np.testing.assert_array_equal(indices, sample_indices(shape, again.query_box))
    assert np.all(np.diff(indices) > 0) and 0 <= indices[0] and indices[-1] < np.prod(shape)
    inside = np.zeros(shape, dtype=bool)
    inside[again.query_box.slices()] = True
    assert inside.reshape(-1)[indices].sum() == focus_vectors.NUM_SAMPLES // 2
    (x0, y0, z0), (x1, y1, z1) = again.query_box.start, again.query_box.stop
    corners = {int(np.ravel_multi_index((x, y, z), shape))
               for x in (x0, x1 - 1) for y in (y0, y1 - 1) for z in (z0, z1 - 1)}
    assert corners <= set(indices.tolist())


def test_the_foreground_counts_are_recomputed(recomputed):
    """Exact, but for voxels within the tolerance of the threshold (a count may move by as many)."""
    case, again, _ = recomputed
    counts = (again.probabilities > boxes.FOUND_THRESHOLD).sum(axis=(1, 2, 3))
    undecided = (np.abs(again.probabilities - boxes.FOUND_THRESHOLD) <= case["tolerance"]).sum(axis=(1, 2, 3))
    assert np.all(np.abs(counts - np.asarray(case["foreground_voxels"])) <= undecided)
    assert all(n > 0 for n in case["foreground_voxels"])


def test_adding_the_case_to_an_export_keeps_its_version_and_files_and_replaces_an_earlier_one(tiny_cfg, tmp_path):
    from irisseg.export import export
    from irisseg.model import build_iris

    skip_without(DATA_ROOT / focus_vectors.QUERY_IMAGE, "the focus case's shared data")
    before = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path, "t", {}, None, None)
    focus_vectors.add_to_model(tmp_path, DATA_ROOT)
    focus_vectors.add_to_model(tmp_path, DATA_ROOT)
    after = json.loads((tmp_path / "model.json").read_text())
    assert (after["version"], after["files"]) == (before["version"], before["files"])
    assert after["testvectors"] == ["random", "focus"]
    cases = json.loads((tmp_path / "testvectors" / "testvectors.json").read_text())["cases"]
    assert [c["name"] for c in cases] == ["random", "focus"]

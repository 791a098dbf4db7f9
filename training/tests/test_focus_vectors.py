"""The committed ``focus`` test vector of each shipped model, recomputed from its inputs (docs/export-contract.md)."""
import json

import numpy as np
import pytest

from irisseg import boxes, focus_vectors
from irisseg.focus_vectors import CASES, box_list, compute, predictor_from_export, sample_indices
from irisseg.testvectors import embedding_excess

from conftest import DATA_ROOT, REPO_ROOT, skip_without

MODEL_DIRS = [REPO_ROOT / "models" / name for name in ("iris-small", "iris-small-finetune")]


PAIRS = [(d, spec) for d in MODEL_DIRS for spec in CASES]


def pair_id(pair) -> str:
    return f"{pair[0].name}-{pair[1].name}"


def committed_case(model_dir, name="focus"):
    cases = json.loads((model_dir / "testvectors" / "testvectors.json").read_text())["cases"]
    return next(c for c in cases if c["name"] == name)


@pytest.fixture(scope="module", params=PAIRS, ids=pair_id)
def recomputed(request):
    """(committed case, recomputed :class:`FocusCase`, model directory)."""
    model_dir, spec = request.param
    case = committed_case(model_dir, spec.name)
    skip_without(DATA_ROOT / case["inputs"]["query_image"], "the focus cases' shared data")
    return case, compute(predictor_from_export(model_dir), DATA_ROOT, spec), model_dir


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_the_policy_in_the_case_is_the_one_of_boxes(pair):
    assert committed_case(pair[0], pair[1].name)["policy"] == {
        "margin_factor": boxes.MARGIN_FACTOR, "min_side_mm": boxes.MIN_SIDE_MM,
        "found_threshold": boxes.FOUND_THRESHOLD, "window_overlap": boxes.WINDOW_OVERLAP,
        "max_windows": boxes.MAX_WINDOWS}


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_the_case_names_the_inputs_the_code_reads(pair):
    model_dir, spec = pair
    case = committed_case(model_dir, spec.name)
    assert case["inputs"] == {"reference_image": spec.reference_image, "reference_label": spec.reference_label,
                              "query_image": spec.query_image}
    assert case["labels"] == list(spec.labels)


@pytest.mark.parametrize("model_dir", MODEL_DIRS, ids=lambda d: d.name)
def test_model_json_lists_the_cases(model_dir):
    assert set(focus_vectors.CASE_NAMES) <= set(json.loads((model_dir / "model.json").read_text())["testvectors"])


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
    assert embedding_excess(expected[0], again.embedding, case["tolerance"]) <= 0


def test_the_query_box_and_windows_are_recomputed_exactly_and_are_not_the_whole_query(recomputed):
    case, again, _ = recomputed
    assert case["query_box"] == box_list(again.query_box)
    assert case["query_windows"] == [box_list(w) for w in again.query_windows]
    assert not again.query_box.covers(again.probabilities.shape[1:])


@pytest.mark.parametrize("model_dir", MODEL_DIRS, ids=lambda d: d.name)
def test_the_windows_case_runs_several_windows(model_dir):
    assert len(committed_case(model_dir, "focus_windows")["query_windows"]) > 1


def test_the_shipped_models_cases_cover_one_focused_pass_as_well():
    assert any(len(committed_case(d, "focus")["query_windows"]) == 1 for d in MODEL_DIRS)


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
    """Exact, but for voxels within the tolerance of the threshold (a count may move by as many). Some class
    has foreground (with windows, the bundled model finds no deep grey matter in either query)."""
    case, again, _ = recomputed
    counts = (again.probabilities > boxes.FOUND_THRESHOLD).sum(axis=(1, 2, 3))
    undecided = (np.abs(again.probabilities - boxes.FOUND_THRESHOLD) <= case["tolerance"]).sum(axis=(1, 2, 3))
    assert np.all(np.abs(counts - np.asarray(case["foreground_voxels"])) <= undecided)
    assert any(n > 0 for n in case["foreground_voxels"])


def test_adding_the_case_to_an_export_keeps_its_version_and_files_and_replaces_an_earlier_one(tiny_cfg, tmp_path):
    from irisseg.export import export
    from irisseg.model import build_iris

    skip_without(DATA_ROOT / CASES[0].query_image, "the focus cases' shared data")
    before = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path, "t", {}, None, None)
    focus_vectors.add_to_model(tmp_path, DATA_ROOT)
    focus_vectors.add_to_model(tmp_path, DATA_ROOT)
    after = json.loads((tmp_path / "model.json").read_text())
    assert (after["version"], after["files"]) == (before["version"], before["files"])
    cases = [c["name"] for c in json.loads((tmp_path / "testvectors" / "testvectors.json").read_text())["cases"]]
    assert after["testvectors"] == cases == ["random", *focus_vectors.CASE_NAMES]

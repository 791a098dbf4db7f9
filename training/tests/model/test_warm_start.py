"""Warm start from the shipped export: the eager model rebuilt from the TorchScript files predicts the same."""
import pytest
import torch

from irisseg.model import build_iris
from irisseg.weights import load_warm_start, state_from_export

from conftest import REPO_ROOT, assert_predict_alike, tiny_config, warm_start_from_a_working_refiner

MODEL_DIR = REPO_ROOT / "models" / "iris-small"


def test_the_exported_files_hold_every_tensor_of_their_model():
    import json
    from irisseg.weights import config_from_dict
    cfg = config_from_dict(json.loads((MODEL_DIR / "model.json").read_text())["config"])
    model = build_iris(cfg.model)
    missing = load_warm_start(model, MODEL_DIR)
    assert missing == []
    assert set(state_from_export(MODEL_DIR)) == set(model.state_dict())


def test_a_model_with_new_modules_loads_the_rest_and_names_what_is_new(tiny_cfg, tmp_path):
    source = build_iris(tiny_cfg.model)
    torch.save({"model": {k: v for k, v in source.state_dict().items() if not k.startswith("decoder.refiner.")}},
               tmp_path / "model.pt")
    target = build_iris(tiny_cfg.model)
    missing = load_warm_start(target, tmp_path / "model.pt")
    assert missing and all(k.startswith("decoder.refiner.") for k in missing)
    for key, value in source.state_dict().items():
        if not key.startswith("decoder.refiner."):
            assert torch.equal(target.state_dict()[key], value), key


def test_a_source_with_unknown_tensors_is_refused(tiny_cfg, tmp_path):
    state = build_iris(tiny_cfg.model).state_dict()
    state["decoder.something_else"] = torch.zeros(1)
    torch.save({"model": state}, tmp_path / "model.pt")
    with pytest.raises(ValueError, match="does not have"):
        load_warm_start(build_iris(tiny_cfg.model), tmp_path / "model.pt")


def test_a_training_run_file_with_its_summary_loads(tiny_cfg, tmp_path):
    """model.pt of a run carries a training summary (older runs: torch's version object) beside the weights."""
    source = build_iris(tiny_cfg.model)
    torch.save({"format": 1, "model": source.state_dict(), "meta": {"torch": torch.__version__}}, tmp_path / "model.pt")
    assert load_warm_start(build_iris(tiny_cfg.model), tmp_path / "model.pt") == []


def test_provenance_follows_the_chain_of_warm_starts(tiny_cfg, tmp_path):
    from irisseg.weights import provenance
    weights = build_iris(tiny_cfg.model).state_dict()
    first = {"iteration": 2000, "elapsed_s": 3000.0, "device": "cpu", "started_from": None}
    torch.save({"format": 1, "model": weights, "meta": first}, tmp_path / "first.pt")
    second = {"iteration": 50, "elapsed_s": 300.0, "device": "cpu", "started_from": provenance(tmp_path / "first.pt")}
    torch.save({"format": 1, "model": weights, "meta": second}, tmp_path / "second.pt")
    chain = provenance(tmp_path / "second.pt")
    assert chain["iteration"] == 50 and chain["started_from"]["iteration"] == 2000
    assert chain["started_from"]["started_from"] is None


def test_a_config_saved_before_the_prototype_path_rebuilds_a_model_without_it():
    from irisseg.weights import config_from_dict
    cfg = config_from_dict({"preset": "small", "model": {"grid_size": 64}, "data": {"synthetic_ratio": 0.3}})
    assert cfg.model.prototype_scales == 0 and build_iris(cfg.model).decoder.refiner is None


def test_a_model_with_one_more_prototype_scale_starts_predicting_exactly_as_its_source(tmp_path):
    source, target, missing = warm_start_from_a_working_refiner(
        tiny_config(prototype_scales=2).model, tiny_config(prototype_scales=3).model, tmp_path / "model.pt")
    assert missing == ["decoder.refiner.conv1.weight (widened)"]
    assert_predict_alike(source, target)


def test_a_narrower_refiner_than_the_source_is_refused(tiny_cfg, tmp_path):
    import copy
    tiny_cfg.model.prototype_scales = 3
    torch.save({"model": build_iris(tiny_cfg.model).state_dict()}, tmp_path / "model.pt")
    narrower = copy.deepcopy(tiny_cfg.model)
    narrower.prototype_scales = 2
    with pytest.raises(RuntimeError, match="size mismatch"):
        load_warm_start(build_iris(narrower), tmp_path / "model.pt")


def test_opening_the_refiners_new_inputs_draws_them_at_the_spread_of_the_others_and_leaves_those(tmp_path):
    from irisseg.model.memory import READ_CHANNELS
    from irisseg.weights import open_refiner_inputs
    _, target, _ = warm_start_from_a_working_refiner(
        tiny_config(prototype_scales=3).model, tiny_config(prototype_scales=3, memory_channels=4, memory_scale=2).model,
        tmp_path / "model.pt")
    weight = target.decoder.refiner.conv1.weight
    before = weight.detach().clone()
    assert float(before[:, -READ_CHANNELS:].abs().max()) == 0.0  # widened with zeros
    torch.manual_seed(0)
    spread = open_refiner_inputs(target, READ_CHANNELS)
    weight = weight.detach()
    torch.testing.assert_close(weight[:, :-READ_CHANNELS], before[:, :-READ_CHANNELS])
    assert spread == pytest.approx(float(before[:, :-READ_CHANNELS].std()))
    assert 0.5 * spread < float(weight[:, -READ_CHANNELS:].std()) < 2.0 * spread

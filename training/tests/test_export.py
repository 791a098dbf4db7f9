import json

import numpy as np
import pytest
import torch

from irisseg import focus_vectors
from irisseg.export import MODULE_FILES, REGION_FILES, export, sha256
from irisseg.model import build_iris


def test_export_writes_contract_files_and_vectors(tiny_cfg, tmp_path, data_root):
    model = build_iris(tiny_cfg.model).eval()
    card = export(model, tiny_cfg, tmp_path, "iris-tiny", {"iterations": 0}, None, data_root)
    for f in MODULE_FILES + REGION_FILES:
        assert card["files"][f] == sha256(tmp_path / f)
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["embedding_dim"] == model.embedding_dim and saved["grid"] == [32, 32, 32]
    assert saved["version"].startswith("0.1.0+")
    focus = list(focus_vectors.CASE_NAMES) if focus_vectors.has_inputs(data_root) else []
    assert card["testvectors"] == ["random", "hippocampus"] + focus
    emb = np.load(tmp_path / "testvectors/hippocampus/embedding.npy")
    assert emb.shape == (1, 2, model.embedding_dim) and emb.dtype == np.dtype("<f4")


def test_export_writes_the_focus_cases_with_the_model(tiny_cfg, tmp_path, data_root):
    if not focus_vectors.has_inputs(data_root):
        pytest.skip("the focus cases' shared data is missing")
    model = build_iris(tiny_cfg.model).eval()
    export(model, tiny_cfg, tmp_path, "iris-tiny", {"iterations": 0}, None, data_root)
    cases = json.loads((tmp_path / "testvectors/testvectors.json").read_text())["cases"]
    for name in focus_vectors.CASE_NAMES:
        case = next(c for c in cases if c["name"] == name)
        emb = np.load(tmp_path / "testvectors" / case["focus_embedding"])
        probs = np.load(tmp_path / "testvectors" / case["sample_probabilities"])
        assert emb.shape == (1, len(case["labels"]), model.embedding_dim) and emb.dtype == np.dtype("<f4")
        assert probs.shape == (len(case["labels"]), np.load(tmp_path / "testvectors" / case["sample_indices"]).size)
        assert case["query_windows"] and case["query_box"]


def test_version_changes_with_weights(tiny_cfg, tmp_path):
    a = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path / "a", "t", {}, None, None)
    torch.manual_seed(99)
    b = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path / "b", "t", {}, None, None)
    assert a["version"] != b["version"]


def test_a_memory_bank_is_added_to_an_export_without_touching_its_modules(tiny_cfg, tmp_path):
    from irisseg.export import add_memory_bank
    from irisseg.train.memory_bank import MIN_UPDATES, MemoryBank

    model = build_iris(tiny_cfg.model)
    before = export(model, tiny_cfg, tmp_path, "t", {}, None, None)
    bank = MemoryBank(0.9)
    for _ in range(MIN_UPDATES):
        bank.update("hippocampus/whole/anterior", torch.ones(model.embedding_dim))
    after = add_memory_bank(tmp_path, bank, None)
    assert after["version"] == before["version"]
    assert {f: after["files"][f] for f in MODULE_FILES} == {f: before["files"][f] for f in MODULE_FILES}
    assert after["files"]["memory_bank.npy"] == sha256(tmp_path / "memory_bank.npy")
    assert "hippocampus: anterior" in (tmp_path / "MODEL_CARD.md").read_text()


def test_region_modules_are_added_to_an_export_without_touching_its_modules(tiny_cfg, tmp_path):
    from irisseg.export import add_region_modules

    before = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path, "t", {}, None, None)
    for f in REGION_FILES:
        (tmp_path / f).unlink()
    after = add_region_modules(tmp_path)
    assert after["version"] == before["version"]
    assert after["files"] == before["files"]


def test_rebuilt_modules_compute_what_the_originals_did_and_match_their_hashes(tiny_cfg, tmp_path):
    from irisseg.export import rebuild_modules

    before = export(build_iris(tiny_cfg.model).eval(), tiny_cfg, tmp_path, "t", {}, None, None)
    original = torch.jit.load(str(tmp_path / "image_encoder.pt"))
    after = rebuild_modules(tmp_path, None)
    assert after["files"] == {f: sha256(tmp_path / f) for f in after["files"]}
    assert after["testvectors"] == before["testvectors"] and after["config"] == before["config"]
    image = torch.randn(1, 1, 20, 24, 18)
    with torch.no_grad():
        want, got = original(image), torch.jit.load(str(tmp_path / "image_encoder.pt"))(image)
    assert all(torch.equal(a, b) for a, b in zip(want, got))


def test_a_rebuild_that_changes_the_version_names_the_version_it_came_from(tiny_cfg, tmp_path):
    from irisseg.export import rebuild_modules

    export(build_iris(tiny_cfg.model).eval(), tiny_cfg, tmp_path, "t", {}, None, None)
    card = json.loads((tmp_path / "model.json").read_text())
    card["version"] = "0.0.9+older"  # as if its modules had been scripted by older module code
    (tmp_path / "model.json").write_text(json.dumps(card))
    after = rebuild_modules(tmp_path, None)
    assert after["rebuilt_from"] == "0.0.9+older" and after["version"].startswith("0.1.0+")
    assert "0.0.9+older" in (tmp_path / "MODEL_CARD.md").read_text()

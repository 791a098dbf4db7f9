import json

import numpy as np
import torch

from irisseg.export import MODULE_FILES, export, sha256
from irisseg.model import build_iris


def test_export_writes_contract_files_and_vectors(tiny_cfg, tmp_path, data_root):
    model = build_iris(tiny_cfg.model).eval()
    card = export(model, tiny_cfg, tmp_path, "iris-tiny", {"iterations": 0}, None, data_root)
    for f in MODULE_FILES:
        assert card["files"][f] == sha256(tmp_path / f)
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["embedding_dim"] == model.embedding_dim and saved["grid"] == [32, 32, 32]
    assert saved["version"].startswith("0.1.0+")
    assert card["testvectors"] == ["random", "hippocampus"]
    emb = np.load(tmp_path / "testvectors/hippocampus/embedding.npy")
    assert emb.shape == (1, 2, model.embedding_dim) and emb.dtype == np.dtype("<f4")


def test_version_changes_with_weights(tiny_cfg, tmp_path):
    a = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path / "a", "t", {}, None, None)
    torch.manual_seed(99)
    b = export(build_iris(tiny_cfg.model), tiny_cfg, tmp_path / "b", "t", {}, None, None)
    assert a["version"] != b["version"]

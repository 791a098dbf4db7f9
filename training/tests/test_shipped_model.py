"""The model directory the service loads by default: its files, hashes and test vectors."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from irisseg.export import MODULE_FILES, sha256
from irisseg.testvectors import hippocampus_inputs

from conftest import REPO_ROOT

MODEL_DIR = REPO_ROOT / "models" / "iris-small"


@pytest.fixture(scope="module")
def shipped():
    if not (MODEL_DIR / "model.json").exists():
        pytest.fail(f"no model at {MODEL_DIR}: run python -m irisseg.export")
    card = json.loads((MODEL_DIR / "model.json").read_text())
    modules = {f: torch.jit.load(str(MODEL_DIR / f)) for f in MODULE_FILES}
    return card, modules


def _run(modules, ref, masks, query):
    with torch.no_grad():
        feats = modules["image_encoder.pt"](torch.from_numpy(ref))
        emb = modules["task_encoder.pt"](*feats, torch.from_numpy(masks))
        probs = modules["mask_decoder.pt"](*modules["image_encoder.pt"](torch.from_numpy(query)), emb)
    return emb.numpy(), probs.numpy()


def test_hashes_match(shipped):
    card, _ = shipped
    assert set(MODULE_FILES) <= set(card["files"])
    assert {f: sha256(MODEL_DIR / f) for f in card["files"]} == card["files"]


def test_random_vector(shipped):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "random"
    emb, probs = _run(modules, np.load(d / "reference_image.npy"), np.load(d / "reference_masks.npy"),
                      np.load(d / "query_image.npy"))
    assert np.abs(emb - np.load(d / "embedding.npy")).max() <= 1e-4
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4


def test_hippocampus_vector(shipped, data_root):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "hippocampus"
    hip = hippocampus_inputs(data_root)
    emb, probs = _run(modules, hip["reference_image"], hip["reference_masks"], hip["query_image"])
    assert np.abs(emb - np.load(d / "embedding.npy")).max() <= 1e-4
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4

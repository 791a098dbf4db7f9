"""The model directory the service loads by default: its files, hashes and test vectors."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from irisseg.export import MODULE_FILES, REGION_FILES, sha256
from irisseg.testvectors import embedding_excess, hippocampus_inputs

from conftest import REPO_ROOT

MODEL_DIR = REPO_ROOT / "models" / "iris-small"


@pytest.fixture(scope="module")
def shipped():
    if not (MODEL_DIR / "model.json").exists():
        pytest.fail(f"no model at {MODEL_DIR}: run python -m irisseg.export")
    card = json.loads((MODEL_DIR / "model.json").read_text())
    modules = {f: torch.jit.load(str(MODEL_DIR / f)) for f in MODULE_FILES + REGION_FILES}
    return card, modules


def _run(modules, ref, masks, query):
    with torch.no_grad():
        feats = modules["image_encoder.pt"](torch.from_numpy(ref))
        emb = modules["task_encoder.pt"](*feats, torch.from_numpy(masks))
        probs = modules["mask_decoder.pt"](*modules["image_encoder.pt"](torch.from_numpy(query)), emb)
    return emb.numpy(), probs.numpy()


def test_hashes_match(shipped):
    card, _ = shipped
    assert set(MODULE_FILES + REGION_FILES) <= set(card["files"])
    assert {f: sha256(MODEL_DIR / f) for f in card["files"]} == card["files"]


def test_random_vector(shipped):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "random"
    emb, probs = _run(modules, np.load(d / "reference_image.npy"), np.load(d / "reference_masks.npy"),
                      np.load(d / "query_image.npy"))
    assert embedding_excess(np.load(d / "embedding.npy"), emb) <= 0
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4


def test_hippocampus_vector(shipped, data_root):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "hippocampus"
    hip = hippocampus_inputs(data_root)
    emb, probs = _run(modules, hip["reference_image"], hip["reference_masks"], hip["query_image"])
    assert embedding_excess(np.load(d / "embedding.npy"), emb) <= 0
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4


def _run_regions(modules, ref, masks, query):
    """The same case through the region modules: grid logits, each class upsampled whole (threshold 0),
    and the reference embedding from masks given as their bounding box."""
    with torch.no_grad():
        feats = modules["image_encoder.pt"](torch.from_numpy(ref))
        m = torch.from_numpy(masks)
        nz = torch.nonzero(m.sum(dim=(0, 1)))
        lo, hi = nz.min(dim=0).values, nz.max(dim=0).values + 1
        crop = m[:, :, lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
        emb = modules["object_encoder.pt"](*feats, crop, lo)
        qf = modules["image_encoder.pt"](torch.from_numpy(query))
        logits = modules["grid_decoder.pt"](*qf, emb)
        probs = torch.cat([modules["region_upsampler.pt"](logits[:, k:k + 1], qf[5], torch.tensor([0.0]))[1]
                           for k in range(logits.shape[1])], dim=1)
    return emb.numpy(), probs.numpy()


def test_random_vector_through_the_region_modules(shipped):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "random"
    emb, probs = _run_regions(modules, np.load(d / "reference_image.npy"), np.load(d / "reference_masks.npy"),
                              np.load(d / "query_image.npy"))
    assert embedding_excess(np.load(d / "embedding.npy"), emb) <= 0
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4


def test_hippocampus_vector_through_the_region_modules(shipped, data_root):
    _, modules = shipped
    d = MODEL_DIR / "testvectors" / "hippocampus"
    hip = hippocampus_inputs(data_root)
    emb, probs = _run_regions(modules, hip["reference_image"], hip["reference_masks"], hip["query_image"])
    assert embedding_excess(np.load(d / "embedding.npy"), emb) <= 0
    assert np.abs(probs - np.load(d / "probabilities.npy")).max() <= 1e-4

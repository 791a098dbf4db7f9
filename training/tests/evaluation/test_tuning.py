"""In-context tuning: lowers the loss on the references, changes only the embedding; saved embeddings."""
import json

import numpy as np
import torch

from irisseg.evaluation.strategies import ReferencePool
from irisseg.evaluation.tuning import grid_targets, load_embedding, save_embedding, tune_embedding

from .helpers import predictor, tiny_task  # noqa: F401  (fixture)


def test_tuning_lowers_the_loss_and_leaves_the_model_alone(predictor):
    task = tiny_task(references=1)
    pool = ReferencePool(predictor, task.references)
    before = {k: v.clone() for k, v in predictor.model.state_dict().items()}
    init = pool.mean()
    result = tune_embedding(predictor, task.references, init, steps=6, lr=5e-2)
    assert result.loss_after < result.loss_before
    assert len(result.losses) == 6
    assert result.embedding.shape == init.shape
    assert not torch.allclose(result.embedding, init)
    for k, v in predictor.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(p.requires_grad for p in predictor.model.parameters())  # restored afterwards


def test_grid_targets_are_soft_masks_on_the_grid():
    masks = np.zeros((2, 10, 12, 8), dtype=bool)
    masks[0, 2:6, 3:9, 1:5] = True
    t = grid_targets(masks, 16)
    assert t.shape == (2, 16, 16, 16)
    assert float(t.min()) >= 0.0 and float(t.max()) <= 1.0
    assert float(t[1].sum()) == 0.0 and float(t[0].sum()) > 0.0


def test_saved_embedding_round_trips_with_its_metadata(tmp_path):
    emb = torch.randn(2, 7)
    path = save_embedding(tmp_path / "emb", emb, ["anterior", "posterior"], "0.1.0+abc", name="hippo",
                          extra={"steps": 5})
    assert path.name == "hippo.npy"
    array = np.load(path)
    assert array.dtype == np.dtype("<f4") and array.shape == (2, 7)
    loaded, meta = load_embedding(path)
    assert torch.equal(loaded, emb)
    assert meta["classes"] == ["anterior", "posterior"] and meta["model_version"] == "0.1.0+abc"
    assert meta["steps"] == 5 and json.loads((tmp_path / "emb" / "hippo.json").read_text())["shape"] == [2, 7]

"""What evaluate accepts: a weights file, a run directory, an exported TorchScript directory."""
import numpy as np
import pytest
import torch

from irisseg.evaluation.loading import TorchScriptPredictor, load_predictor
from irisseg.evaluation.tuning import tune_embedding
from irisseg.export import export
from irisseg.model import build_iris
from irisseg.train.memory_bank import MIN_UPDATES, MemoryBank
from irisseg.weights import save_weights

from .helpers import micro_config, tiny_task


def _predictions(predictor, task):
    ref, query = task.references[0], task.queries[0]
    emb = predictor.encode_reference(ref.image, ref.masks)
    return predictor.decode(predictor.encode_image(query.image), emb).detach().numpy()


@pytest.fixture
def trained_like(tmp_path):
    torch.manual_seed(3)
    cfg = micro_config()
    model = build_iris(cfg.model).eval()
    save_weights(tmp_path / "run" / "model.pt", model, cfg, {"iterations": 7})
    return model, cfg, tmp_path


def test_weights_file_and_run_directory_load_the_same_model(trained_like):
    model, cfg, tmp = trained_like
    task = tiny_task(queries=1, references=1)
    from_file = load_predictor(tmp / "run" / "model.pt")
    from_dir = load_predictor(tmp / "run")
    assert from_file.version == "model.pt@7" and from_file.meta["iterations"] == 7
    np.testing.assert_array_equal(_predictions(from_file.predictor, task), _predictions(from_dir.predictor, task))


def test_random_init_needs_a_config():
    with pytest.raises(ValueError):
        load_predictor(None)
    loaded = load_predictor(None, micro_config())
    assert loaded.source == "random-init" and loaded.predictor.embedding_dim > 0


@pytest.mark.slow
def test_exported_directory_scores_like_the_eager_model(trained_like):
    model, cfg, tmp = trained_like
    export(model, cfg, tmp / "exported", "iris-micro", {"iterations": 7}, None, None)
    task = tiny_task(queries=1, references=2)
    eager = load_predictor(tmp / "run" / "model.pt").predictor
    loaded = load_predictor(tmp / "exported")
    assert isinstance(loaded.predictor, TorchScriptPredictor)
    assert loaded.version.startswith("0.")
    np.testing.assert_allclose(_predictions(loaded.predictor, task), _predictions(eager, task), atol=1e-4)
    # the grid logits (in-context tuning) run through the scripted decoder as well
    result = tune_embedding(loaded.predictor, task.references[:1],
                            eager.encode_reference(task.references[0].image, task.references[0].masks), steps=1)
    assert np.isfinite(result.loss_after)


def test_the_memory_bank_comes_with_a_run_and_with_its_export(trained_like):
    model, cfg, tmp = trained_like
    bank = MemoryBank(0.9)
    for _ in range(MIN_UPDATES):
        bank.update("toy/v/left", torch.arange(model.embedding_dim, dtype=torch.float32))
    bank.update("toy/v/right", torch.ones(model.embedding_dim))  # too few updates: not exported
    bank.save(tmp / "run" / "memory_bank.pt")
    from_run = load_predictor(tmp / "run")
    assert list(from_run.memory_bank) == ["toy/v/left"]
    card = export(model, cfg, tmp / "exported", "iris-micro", {}, None, None, memory_bank=bank)
    assert card["files"]["memory_bank.npy"] and [c["id"] for c in card["memory_bank"]["classes"]] == ["toy/v/left"]
    assert torch.equal(load_predictor(tmp / "exported").memory_bank["toy/v/left"], from_run.memory_bank["toy/v/left"])

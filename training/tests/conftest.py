"""Shared fixtures: a tiny but complete Iris configuration and paths to the shared data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from irisseg.config import IrisConfig, preset

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = REPO_ROOT.parent / "shared" / "data"


def tiny_config(**model_overrides) -> IrisConfig:
    """Every part of the real architecture at toy width: grid 32, widths 4..16."""
    model = dict(base_channels=4, channels=(4, 8, 8, 16, 16), blocks_per_stage=(0, 1, 1, 1, 1),
                 decoder_blocks=(1, 1, 0, 0), embed_dim=8, num_query_tokens=3, head_dim=8, task_blocks=1,
                 fusion_blocks=1, grid_size=32)
    model.update(model_overrides)
    return preset("small", model=model)


@pytest.fixture
def tiny_cfg() -> IrisConfig:
    torch.manual_seed(0)
    return tiny_config()


def data_required() -> bool:
    """IRIS_REQUIRE_DATA=1 (set by .ci/run): missing shared data fails the tests that need it."""
    return os.environ.get("IRIS_REQUIRE_DATA", "").strip().lower() not in ("", "0", "false", "no")


def skip_without(path: Path, what: str = "shared data") -> None:
    """Skip the calling test when ``path`` is missing, or fail it when the data is required."""
    if not path.exists():
        message = f"{what} not found at {path}"
        if data_required():
            pytest.fail(f"{message} (IRIS_REQUIRE_DATA is set)")
        pytest.skip(message)


@pytest.fixture
def data_root() -> Path:
    skip_without(DATA_ROOT / "hippocampus")
    return DATA_ROOT


def warm_start_from_a_working_refiner(source_model, target_model, path: Path):
    """Builds a model from ``source_model`` (a ``ModelConfig``) whose prototype refiner's output layer passes what it
    reads (std 0.5, so that comparing predictions means something), saves it to ``path`` and warm-starts a model
    built from ``target_model`` from that file -> ``(source, target, names load_warm_start reported)``, both in eval
    mode."""
    from irisseg.model import build_iris
    from irisseg.weights import load_warm_start
    torch.manual_seed(0)
    source = build_iris(source_model).eval()
    with torch.no_grad():
        source.decoder.refiner.out.weight.normal_(std=0.5)
    torch.save({"model": source.state_dict()}, path)
    target = build_iris(target_model).eval()
    return source, target, load_warm_start(target, path)


def assert_predict_alike(source, target, grid: int = 32) -> None:
    """Both models give the same logits (to 1e-5) on one fixed random task of two classes on ``grid``^3."""
    torch.manual_seed(3)
    ref, query = torch.randn(1, 1, grid, grid, grid), torch.randn(1, 1, grid, grid, grid)
    masks = (torch.rand(1, 2, grid, grid, grid) > 0.7).float()
    with torch.no_grad():
        want, _ = source.decode(source.encode_image(query), source.encode_task(source.encode_image(ref), masks))
        got, _ = target.decode(target.encode_image(query), target.encode_task(target.encode_image(ref), masks))
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)

"""Shared fixtures: a tiny but complete Iris configuration and paths to the shared data."""
from __future__ import annotations

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


@pytest.fixture
def data_root() -> Path:
    if not (DATA_ROOT / "hippocampus").exists():
        pytest.skip(f"shared data not found at {DATA_ROOT}")
    return DATA_ROOT

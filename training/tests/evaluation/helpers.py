"""Tiny synthetic subjects and a tiny real predictor for evaluation tests."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from irisseg.config import IrisConfig, preset
from irisseg.evaluation.cases import Subject, Task
from irisseg.model import build_iris
from irisseg.predictor import IrisPredictor


def two_ball_subject(name: str, seed: int, shape=(20, 22, 18), spacing=(1.0, 1.2, 1.5)) -> Subject:
    """A noisy volume with two bright balls (class 0 left, class 1 right), positions jittered by seed."""
    rng = np.random.default_rng(seed)
    axes = np.indices(shape, dtype=np.float32)
    masks = []
    for cx in (0.3, 0.7):
        centre = np.array([cx * shape[0], shape[1] / 2, shape[2] / 2]) + rng.uniform(-1.5, 1.5, 3)
        d2 = sum((axes[i] - centre[i]) ** 2 for i in range(3))
        masks.append(d2 <= 3.5 ** 2)
    masks = np.stack(masks)
    image = rng.normal(10.0, 2.0, shape).astype(np.float32) + 30.0 * masks.any(axis=0)
    return Subject(name, image, masks, spacing)


def tiny_task(queries: int = 2, references: int = 4, dataset: str = "toy") -> Task:
    return Task(dataset, ("left", "right"),
                [two_ball_subject(f"q{i}", 100 + i) for i in range(queries)],
                [two_ball_subject(f"r{i}", i, shape=(18 + i, 20, 16)) for i in range(references)])


def micro_config() -> IrisConfig:
    """Five scales (the export contract's count) on a 32^3 grid: a decode takes milliseconds."""
    return preset("small", model=dict(base_channels=4, channels=(4, 4, 8, 8, 8), blocks_per_stage=(0, 1, 1, 1, 1),
                                      decoder_blocks=(1, 0, 0, 0), embed_dim=4, num_query_tokens=2, head_dim=8,
                                      task_blocks=1, fusion_blocks=1, grid_size=32))


@pytest.fixture
def predictor():
    torch.manual_seed(0)
    return IrisPredictor(build_iris(micro_config().model))

"""Checks that the model reads its reference (a model that ignores it is not Iris).

- swap test: the reference's class masks in reverse order (hippocampus: anterior <-> posterior),
  re-encoded through the task encoder; the prediction is scored against the swapped truth (high when
  the model follows its reference) and against the unswapped truth (high when it ignores it).
- wrong reference: masks of different structures (e.g. TotalSegmentator kidneys); the prediction is
  scored against the query's own classes (should be low).
- blank reference: all-zero masks fed to the task encoder directly (the exported module and the
  predictor reject empty masks; this bypasses that validation on purpose); scored against the
  query's classes.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from irisseg.evaluation.cases import Subject


def swapped_embedding(predictor, reference: Subject) -> Tensor:
    """Embedding ``[K, E]`` of ``reference`` with its class masks in reverse order."""
    with torch.no_grad():
        return predictor.encode_reference(reference.image, reference.masks[::-1].copy()).detach().float().cpu()


def blank_embedding(predictor, reference_image: np.ndarray, num_classes: int) -> Tensor:
    """Embedding ``[K, E]`` from ``num_classes`` all-zero masks on ``reference_image``, computed by the
    exported module's inner task encoder on the grid (bypassing the empty-mask validation of the exported module)."""
    module = predictor.modules.task_encoder  # the exported task encoder (eager or TorchScript)
    with torch.no_grad():
        features = predictor.encode_image(reference_image)
        grid = int(module.grid)
        zeros = torch.zeros(1, num_classes, grid, grid, grid, device=features.maps[0].device)
        return module.task_encoder(list(features.maps), zeros)[0].detach().float().cpu()


def wrong_embedding(predictor, wrong: Subject) -> Tensor:
    """Embedding ``[K, E]`` of a reference showing other structures."""
    with torch.no_grad():
        return predictor.encode_reference(wrong.image, wrong.masks).detach().float().cpu()

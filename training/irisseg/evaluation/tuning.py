"""In-context tuning: optimise only the task embedding on the references, the model frozen.

Starting from an embedding ``[K, E]`` (usually the mean of the references' embeddings), a few Adam
steps (one reference per step, in turn) minimise Dice + binary cross-entropy per class (the training loss,
:func:`irisseg.train.losses.dice_bce_loss`) between the decoder's logits at the model grid
(``predictor.decode_grid_logits``, ``[K, G, G, G]``) for each reference image and that reference's
masks resampled onto the grid. No network weight changes; the result is a plain ``[K, E]`` vector
that the service can import (:func:`save_embedding`).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import Tensor

from irisseg.evaluation.cases import Subject
from irisseg.model.preprocess import resample_to_grid
from irisseg.train.losses import dice_bce_loss


@dataclass
class TuningResult:
    """The tuned embedding ``[K, E]``; the loss on all references before and after tuning, and the
    loss of each step (on that step's reference)."""

    embedding: Tensor
    loss_before: float
    loss_after: float
    losses: list[float] = field(default_factory=list)


@contextmanager
def frozen(*modules):
    """Turn off gradients of every parameter of ``modules`` (``None`` ignored) for the duration,
    then restore them."""
    saved = [(p, p.requires_grad) for m in modules if m is not None for p in m.parameters()]
    for p, _ in saved:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in saved:
            p.requires_grad_(flag)


def grid_targets(masks: np.ndarray, grid: int) -> Tensor:
    """Masks ``[K, X, Y, Z]`` -> soft targets ``[K, G, G, G]`` in [0, 1] (the task encoder's resampling)."""
    x = torch.from_numpy(np.ascontiguousarray(masks, dtype=np.float32)).unsqueeze(0)
    return resample_to_grid(x, int(grid))[0].clamp(0.0, 1.0)


def reference_loss(predictor, features, target: Tensor, embedding: Tensor) -> Tensor:
    """Dice + BCE (mean over classes) of one reference's grid logits against its grid masks."""
    logits = predictor.decode_grid_logits(features, embedding)  # [K, G, G, G]
    valid = torch.ones(1, logits.shape[0], dtype=torch.bool)
    return dice_bce_loss(logits.unsqueeze(0), target.to(logits.device).unsqueeze(0), valid)


def _networks(predictor) -> list:
    """Every network module behind a predictor (eager model and/or exported modules)."""
    modules = getattr(predictor, "modules", None)
    parts = [getattr(modules, n, None) for n in ("image_encoder", "task_encoder", "mask_decoder")]
    return [m for m in [getattr(predictor, "model", None), *parts] if isinstance(m, torch.nn.Module)]


def tune_embedding(
    predictor, references: Sequence[Subject], init: Tensor, steps: int = 20, lr: float = 1e-2
) -> TuningResult:
    """Tune ``init [K, E]`` on ``references`` with ``steps`` Adam steps, one reference per step in
    turn (each step is a decoder forward and backward pass at the grid); the model stays frozen."""
    if not references:
        raise ValueError("in-context tuning needs at least one reference")
    features = [predictor.encode_image(s.image) for s in references]
    with torch.no_grad():
        grid = int(predictor.decode_grid_logits(features[0], init.float()).shape[-1])
    targets = [grid_targets(s.masks, grid) for s in references]

    def full_loss(embedding: Tensor) -> float:
        with torch.no_grad():
            return float(sum(reference_loss(predictor, f, t, embedding) for f, t in zip(features, targets))
                         / len(references))

    embedding = init.detach().clone().float().requires_grad_(True)
    optimiser = torch.optim.Adam([embedding], lr=lr)
    losses: list[float] = []
    with frozen(*_networks(predictor)):
        before = full_loss(embedding)
        for step in range(int(steps)):
            j = step % len(references)
            optimiser.zero_grad(set_to_none=True)
            loss = reference_loss(predictor, features[j], targets[j], embedding)
            loss.backward()
            optimiser.step()
            losses.append(float(loss.detach()))
        after = full_loss(embedding)
    return TuningResult(embedding.detach().clone(), before, after, losses)


def save_embedding(
    directory: str | Path,
    embedding: Tensor,
    class_names: Sequence[str],
    model_version: str,
    name: str = "embedding",
    extra: dict | None = None,
) -> Path:
    """Write ``<name>.npy`` (float32 ``[K, E]``, little-endian, C order) and ``<name>.json`` (class
    names, model version, shape, and ``extra``) under ``directory``; returns the ``.npy`` path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    array = np.ascontiguousarray(embedding.detach().float().cpu().numpy(), dtype="<f4")
    if array.ndim != 2 or array.shape[0] != len(class_names):
        raise ValueError(f"embedding {array.shape} does not match {len(class_names)} class names")
    npy = directory / f"{name}.npy"
    np.save(npy, array)
    meta = {
        "classes": list(class_names),
        "model_version": model_version,
        "shape": list(array.shape),
        "dtype": "float32",
        "file": npy.name,
        **(extra or {}),
    }
    (directory / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return npy


def load_embedding(npy_path: str | Path) -> tuple[Tensor, dict]:
    """Read an embedding written by :func:`save_embedding`: ``(Tensor[K, E], metadata)``."""
    npy_path = Path(npy_path)
    meta = json.loads(npy_path.with_suffix(".json").read_text())
    return torch.from_numpy(np.load(npy_path)), meta

"""Native-resolution predictor in the pattern of Segment Anything's: encode a task once
(``set_task``), then ``predict`` any number of queries with it.

It runs the same modules that are exported to TorchScript (:mod:`irisseg.modules`), so scores
measured here are what the Java service computes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from irisseg.model.iris import IrisModel
from irisseg.modules import NUM_FEATURES, ExportedModules


@dataclass(frozen=True)
class QueryFeatures:
    """Output of the image encoder: ``NUM_FEATURES`` feature maps on the model grid and the native size [3]."""

    maps: tuple[torch.Tensor, ...]
    size: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.size.tolist())


class TaskNotSetError(RuntimeError):
    """``predict`` was called before ``set_task``."""


def _volume(image: np.ndarray | torch.Tensor) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(image, dtype=np.float32))
    if t.dim() != 3:
        raise ValueError(f"expected a 3D volume [X, Y, Z], got shape {tuple(t.shape)}")
    return t[None, None]


class IrisPredictor:
    """Encode references and segment queries at their native size.

    - ``encode_image(image [X,Y,Z]) -> QueryFeatures``
    - ``encode_reference(image [X,Y,Z], masks [K,X,Y,Z]) -> embedding [K, E]``
    - ``set_task(embedding [K, E])`` then ``predict(image [X,Y,Z]) -> probabilities [K,X,Y,Z]``
    """

    def __init__(self, model: IrisModel, device: str | torch.device = "cpu"):
        self.model = model.eval().to(device)
        self.device = torch.device(device)
        self.modules = ExportedModules(self.model).eval()
        self._task: torch.Tensor | None = None

    @property
    def embedding_dim(self) -> int:
        return self.model.embedding_dim

    @property
    def grid(self) -> tuple[int, int, int]:
        """The model grid ``(G, G, G)`` every volume is resampled onto."""
        return (self.model.grid_size,) * 3

    @torch.no_grad()
    def encode_image(self, image: np.ndarray | torch.Tensor) -> QueryFeatures:
        out = self.modules.image_encoder(_volume(image).to(self.device))
        return QueryFeatures(maps=tuple(out[:NUM_FEATURES]), size=out[NUM_FEATURES])

    @torch.no_grad()
    def encode_reference(self, image: np.ndarray | torch.Tensor, masks: np.ndarray | torch.Tensor,
                         features: QueryFeatures | None = None) -> torch.Tensor:
        """One reference's task embedding. masks [K, X, Y, Z] binary -> [K, E]."""
        m = torch.as_tensor(np.asarray(masks, dtype=np.float32)).to(self.device)
        if m.dim() != 4:
            raise ValueError(f"masks must be [K, X, Y, Z], got {tuple(m.shape)}")
        feats = features if features is not None else self.encode_image(image)
        if tuple(m.shape[1:]) != feats.shape:
            raise ValueError(f"reference mask grid {tuple(m.shape[1:])} differs from the image grid {feats.shape}")
        empty = [k for k in range(m.shape[0]) if float(m[k].sum()) <= 0]
        if empty:
            raise ValueError(f"reference class mask(s) {empty} are empty")
        return self.modules.task_encoder(*feats.maps, feats.size, m[None])[0]

    def set_task(self, embedding: torch.Tensor) -> None:
        """Fix the task for later ``predict`` calls. embedding [K, E] (e.g. a mean of several)."""
        if embedding.dim() != 2 or embedding.shape[1] != self.embedding_dim:
            raise ValueError(f"embedding must be [K, {self.embedding_dim}], got {tuple(embedding.shape)}")
        self._task = embedding.detach().to(self.device)

    def predict(self, image: np.ndarray | torch.Tensor) -> np.ndarray:
        """Probabilities [K, X, Y, Z] for a query with the task set by ``set_task``."""
        if self._task is None:
            raise TaskNotSetError("no task set: call set_task(embedding) before predict(image)")
        with torch.no_grad():
            return self.decode(self.encode_image(image), self._task).cpu().numpy()

    def decode(self, features: QueryFeatures, embedding: torch.Tensor) -> torch.Tensor:
        """Probabilities [K, X, Y, Z]; differentiable w.r.t. ``embedding`` [K, E] (model frozen)."""
        return self.modules.mask_decoder(*features.maps, features.size, embedding[None])[0]

    def decode_grid_logits(self, features: QueryFeatures, embedding: torch.Tensor) -> torch.Tensor:
        """Logits on the model grid [K, G, G, G]; differentiable w.r.t. ``embedding`` [K, E]."""
        logits, _ = self.model.decoder(list(features.maps), embedding[None])
        return logits[0]

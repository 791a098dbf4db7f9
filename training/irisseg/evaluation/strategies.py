"""Inference strategies at native resolution through :class:`irisseg.predictor.IrisPredictor`.

Every strategy turns a query (its image features) and reference subjects into per-class
probabilities ``np.ndarray[K, X, Y, Z]`` at the query's native grid, using exactly the
preprocessing of the exported TorchScript (the predictor's modules).

- one-shot: the embedding of one reference.
- context ensemble: the mean of ``N`` reference embeddings ``[N, K, E] -> [K, E]``.
- object-level retrieval: a coarse prediction with a starting embedding, the query's own predicted
  object encoded per class, the ``k`` pool embeddings most similar to it (cosine, per class),
  their mean, and the final prediction.
- memory bank: no reference at all; the training run's EMA embedding of the same class (the entry of
  the task's dataset and class name; of several views, the one folded in most often).
- floor: no model at all, the reference mask resized (nearest) onto the query's voxel grid. The
  physical extent of both volumes is ignored: voxel ``i`` of the query takes the reference voxel at
  the same relative position.

In-context tuning lives in :mod:`irisseg.evaluation.tuning`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from irisseg.evaluation.cases import Subject


class ReferencePool:
    """Reference subjects of one task with their embeddings computed once.

    ``embeddings``: ``Tensor[R, K, E]`` (row ``r`` = ``subjects[r]``), float32 on CPU.
    """

    def __init__(self, predictor, subjects: Sequence[Subject]):
        if not subjects:
            raise ValueError("a reference pool needs at least one subject")
        self.subjects = list(subjects)
        with torch.no_grad():
            self.embeddings = torch.stack(
                [predictor.encode_reference(s.image, s.masks).detach().float().cpu() for s in self.subjects]
            )

    def __len__(self) -> int:
        return len(self.subjects)

    def subset(self, indices: Sequence[int]) -> "ReferencePool":
        """The pool of the rows ``indices`` (in that order), sharing the embeddings: nothing is re-encoded."""
        indices = [int(i) for i in indices]
        if not indices:
            raise ValueError("a reference pool needs at least one subject")
        sub = object.__new__(ReferencePool)
        sub.subjects = [self.subjects[i] for i in indices]
        sub.embeddings = self.embeddings[indices]
        return sub

    def mean(self, indices: Sequence[int] | None = None) -> Tensor:
        """Mean embedding ``[K, E]`` of the pool rows ``indices`` (all rows when ``None``)."""
        rows = self.embeddings if indices is None else self.embeddings[list(indices)]
        return rows.mean(dim=0)


def decode(predictor, features, embedding: Tensor) -> np.ndarray:
    """Probabilities ``[K, X, Y, Z]`` of the query for a task embedding ``[K, E]`` (no gradient)."""
    with torch.no_grad():
        return predictor.decode(features, embedding).detach().float().cpu().numpy()


def one_shot(predictor, features, pool: ReferencePool, index: int) -> np.ndarray:
    """Prediction ``[K, X, Y, Z]`` from the single reference ``pool.subjects[index]``."""
    return decode(predictor, features, pool.embeddings[index])


def context_ensemble(predictor, features, pool: ReferencePool, indices: Sequence[int]) -> np.ndarray:
    """Prediction ``[K, X, Y, Z]`` from the mean embedding of the references ``indices``."""
    return decode(predictor, features, pool.mean(indices))


def memory_bank_embedding(bank: dict[str, Tensor], dataset: str, class_names: Sequence[str]) -> Tensor | None:
    """``[K, E]``: per class the first entry ``<dataset>/<view>/<class>`` of ``bank`` in its order (the
    loaders put the most-updated view first); ``None`` unless every class has one."""
    rows = []
    for name in class_names:
        ids = [i for i in bank if i.split("/")[0] == dataset and i.split("/")[-1] == name]
        if not ids:
            return None
        rows.append(bank[ids[0]])
    return torch.stack(rows).float()


def top_k_by_cosine(query: Tensor, candidates: Tensor, k: int) -> Tensor:
    """Indices ``[min(k, R)]`` of the rows of ``candidates [R, E]`` most similar to ``query [E]``
    by cosine similarity, most similar first."""
    sims = F.cosine_similarity(candidates.float(), query.float().unsqueeze(0), dim=1)  # [R]
    return torch.topk(sims, min(int(k), candidates.shape[0])).indices


def retrieve_embedding(
    query_objects: Tensor, pool_embeddings: Tensor, k: int, present: Sequence[bool] | None = None
) -> tuple[Tensor, list[list[int]]]:
    """Per class, the mean of the ``k`` pool embeddings most similar to the query's own object.

    query_objects: ``[K, E]`` (embedding of the query's predicted object per class);
    pool_embeddings: ``[R, K, E]``; present: per class, whether the query object exists (a class
    whose coarse prediction is empty falls back to the mean of the whole pool).
    Returns the embedding ``[K, E]`` and the chosen pool rows per class.
    """
    num_classes = pool_embeddings.shape[1]
    present = [True] * num_classes if present is None else list(present)
    rows, chosen = [], []
    for c in range(num_classes):
        if present[c]:
            idx = top_k_by_cosine(query_objects[c], pool_embeddings[:, c], k)
            rows.append(pool_embeddings[idx, c].mean(dim=0))
            chosen.append([int(i) for i in idx])
        else:
            rows.append(pool_embeddings[:, c].mean(dim=0))
            chosen.append(list(range(pool_embeddings.shape[0])))
    return torch.stack(rows), chosen


@dataclass
class RetrievalResult:
    """Final probabilities ``[K, X, Y, Z]`` and, per class, the pool rows that were retrieved."""

    probabilities: np.ndarray
    chosen: list[list[int]]


def object_retrieval(
    predictor, query_image: np.ndarray, features, pool: ReferencePool, coarse_embedding: Tensor, k: int
) -> RetrievalResult:
    """Object-level context retrieval for one query.

    1. coarse prediction with ``coarse_embedding [K, E]``;
    2. the query's predicted object per class (``> 0.5``) encoded as a reference of the query
       itself: ``encode_reference(query_image, predicted_masks)``;
    3. per class, the ``k`` pool embeddings closest (cosine) to it, averaged;
    4. final prediction with that embedding.
    """
    coarse = decode(predictor, features, coarse_embedding) > 0.5  # [K, X, Y, Z]
    present = [bool(m.any()) for m in coarse]
    num_classes, dim = coarse_embedding.shape
    objects = torch.zeros(num_classes, dim)
    if any(present):
        idx = [c for c in range(num_classes) if present[c]]
        with torch.no_grad():
            encoded = predictor.encode_reference(query_image, coarse[idx], features=features).detach().float().cpu()
        objects[idx] = encoded
    embedding, chosen = retrieve_embedding(objects, pool.embeddings, k, present)
    return RetrievalResult(decode(predictor, features, embedding), chosen)


def copied_mask_floor(reference_masks: np.ndarray, query_shape: Sequence[int]) -> np.ndarray:
    """The zero-effort floor: reference masks ``[K, x, y, z]`` resized by nearest neighbour onto the
    query grid ``(X, Y, Z)`` -> ``[K, X, Y, Z]`` bool. Physical extent and position are ignored."""
    k = reference_masks.shape[0]
    src = np.asarray(reference_masks.shape[1:])
    dst = np.asarray(query_shape)
    # voxel centre i of the destination maps to source index floor((i + 0.5) * src / dst)
    index = [np.minimum(((np.arange(d) + 0.5) * s / d).astype(np.int64), s - 1) for s, d in zip(src, dst)]
    out = reference_masks[np.ix_(range(k), index[0], index[1], index[2])]
    return out.astype(bool)

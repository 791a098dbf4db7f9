"""Memory bank of class task embeddings (Iris paper, Sec. 3.3).

During training, every (dataset, class) seen keeps an exponential moving average of its task
embedding (flat ``[E]`` vectors, see the export contract's embedding layout). The bank is saved in
checkpoints and next to the exported weights, so that known classes can be segmented without a
reference and retrieval can use it as a pool.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

import torch
from torch import Tensor


class MemoryBank:
    """``name -> Tensor[E]`` (float32, CPU), updated as ``m * old + (1 - m) * new``."""

    def __init__(self, momentum: float = 0.99) -> None:
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self._embeddings: dict[str, Tensor] = {}
        self._counts: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._embeddings)

    def __contains__(self, name: str) -> bool:
        return name in self._embeddings

    def names(self) -> list[str]:
        return sorted(self._embeddings)

    def get(self, name: str) -> Tensor:
        """The stored embedding ``[E]`` (a copy)."""
        return self._embeddings[name].clone()

    def count(self, name: str) -> int:
        """How many updates ``name`` has received."""
        return self._counts.get(name, 0)

    @torch.no_grad()
    def update(self, name: str, embedding: Tensor) -> None:
        """Fold one embedding ``[E]`` into the bank; the first one of a name is stored as is."""
        value = embedding.detach().to(device="cpu", dtype=torch.float32).reshape(-1)
        current = self._embeddings.get(name)
        if current is None:
            self._embeddings[name] = value.clone()
        else:
            if current.shape != value.shape:
                raise ValueError(f"embedding of {name!r} has shape {tuple(value.shape)}, bank holds {tuple(current.shape)}")
            current.mul_(self.momentum).add_(value, alpha=1.0 - self.momentum)
        self._counts[name] = self._counts.get(name, 0) + 1

    def update_many(self, names: Iterable[str], embeddings: Tensor) -> None:
        """Fold ``embeddings [N, E]`` in, row ``i`` under ``names[i]`` (in order)."""
        for name, embedding in zip(names, embeddings):
            self.update(name, embedding)

    def state_dict(self) -> dict:
        return {
            "momentum": self.momentum,
            "embeddings": {name: value.clone() for name, value in self._embeddings.items()},
            "counts": dict(self._counts),
        }

    def load_state_dict(self, state: Mapping) -> None:
        self.momentum = float(state["momentum"])
        self._embeddings = {name: value.detach().to("cpu", torch.float32).clone() for name, value in state["embeddings"].items()}
        self._counts = {name: int(n) for name, n in state.get("counts", {}).items()}

    def save(self, path: str | os.PathLike) -> None:
        """Write the bank to ``path`` (``torch.save``; temp file then rename)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(self.state_dict(), tmp)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "MemoryBank":
        state = torch.load(path, map_location="cpu", weights_only=True)
        bank = cls(state["momentum"])
        bank.load_state_dict(state)
        return bank

"""Memory bank of class task embeddings (Iris paper, Sec. 3.3).

During training, every (dataset, class) seen keeps an exponential moving average of its task
embedding (flat ``[E]`` vectors, see the export contract's embedding layout). The bank is saved in
checkpoints and next to the exported weights, so that known classes can be segmented without a
reference and retrieval can use it as a pool.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import torch
from torch import Tensor


class MemoryBank:
    """``name -> Tensor[E]`` (float32, CPU), updated as ``m * old + (1 - m) * new``."""

    def __init__(self, momentum: float = 0.99) -> None:
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        #: how the entries were made, in words (the trainer's EMA; a frozen-weights fill appends to it)
        self.history: list[str] = []
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
            "history": list(self.history),
        }

    def load_state_dict(self, state: Mapping) -> None:
        self.momentum = float(state["momentum"])
        self._embeddings = {name: value.detach().to("cpu", torch.float32).clone() for name, value in state["embeddings"].items()}
        self._counts = {name: int(n) for name, n in state.get("counts", {}).items()}
        self.history = [str(h) for h in state.get("history", [])]

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


def memory_bank_name(task: str, class_name: str) -> str | None:
    """The memory-bank entry of one class of an episode, or None when the class has no lasting identity.

    Tasks are named ``<dataset>/<view>:<classes>`` (see ``irisseg.data.episodes``); the entry is
    ``<dataset>/<view>/<class>``. Procedural shapes, synthetic lesions and supervoxels are new objects in
    every episode: they have none.
    """
    if not class_name:
        return None
    source = task.split(":", 1)[0]
    if source in ("shapes", "lesions") or source.startswith("supervoxels"):
        return None
    return f"{source}/{class_name}"


def named_rows(tasks: Sequence[str], class_names: Sequence[Sequence[str]], class_valid: Tensor,
               embedding: Tensor) -> tuple[list[str], Tensor]:
    """The bank entries of a batch: for episode ``b`` (task ``tasks[b]``) and class ``k`` that is valid,
    named (:func:`memory_bank_name`) and finite, its name and row ``embedding[b, k]``.
    class_valid ``[B, K]`` bool, embedding ``[B, K, E]`` -> (names, ``Tensor[N, E]`` float32 on CPU)."""
    valid = class_valid.cpu()
    vectors = embedding.detach().float().cpu()
    names: list[str] = []
    rows: list[Tensor] = []
    for b, task in enumerate(tasks):
        for k, class_name in enumerate(class_names[b]):
            name = memory_bank_name(task, class_name)
            # a non-finite embedding (a broken episode) must not poison an entry for good
            if name is not None and bool(valid[b, k]) and bool(torch.isfinite(vectors[b, k]).all()):
                names.append(name)
                rows.append(vectors[b, k])
    return names, (torch.stack(rows) if rows else vectors.new_zeros((0, vectors.shape[-1])))


# The memory bank as exported with a model (docs/export-contract.md, "Memory bank") ----------------

#: File of the exported bank: ``float32 [C, E]``, row ``i`` = ``model.json["memory_bank"]["classes"][i]``.
BANK_FILE = "memory_bank.npy"
#: Entries folded in fewer times than this are left out of an export (too few views of the class).
MIN_UPDATES = 20


def exported_classes(bank: MemoryBank, min_updates: int = MIN_UPDATES) -> list[dict]:
    """The entries an export keeps, in bank order: single named classes (no ``+`` merge of labels, no
    ``label_<n>`` placeholder of an unnamed label) with at least ``min_updates`` updates.
    Each: ``{"id", "dataset", "view", "name", "updates"}`` where ``id`` is
    the bank name ``<dataset>/<view>/<class>``."""
    out = []
    for name in bank.names():
        parts = name.split("/")
        unnamed = len(parts) == 3 and re.fullmatch(r"label_\d+", parts[2])
        if len(parts) != 3 or "+" in parts[2] or unnamed or bank.count(name) < min_updates:
            continue
        out.append({"id": name, "dataset": parts[0], "view": parts[1], "name": parts[2], "updates": bank.count(name)})
    return out


def write_exported(bank: MemoryBank, out_dir: str | os.PathLike, min_updates: int = MIN_UPDATES) -> dict:
    """Writes ``out_dir/memory_bank.npy`` and returns the ``memory_bank`` block of ``model.json``
    (``{"file", "momentum", "min_updates", "classes": [...]}``, see :func:`exported_classes`)."""
    import numpy as np

    classes = exported_classes(bank, min_updates)
    if classes:
        rows = np.stack([bank.get(c["id"]).numpy() for c in classes]).astype("<f4")
    else:
        rows = np.zeros((0, 0), dtype="<f4")
    np.save(Path(out_dir) / BANK_FILE, np.ascontiguousarray(rows))
    return {"file": BANK_FILE, "momentum": bank.momentum, "min_updates": int(min_updates),
            "history": list(bank.history), "classes": classes}


def read_exported(model_dir: str | os.PathLike, card: Mapping) -> dict[str, Tensor]:
    """``id -> Tensor[E]`` of an exported model directory, most-updated first (``{}`` without a bank)."""
    import numpy as np

    block = card.get("memory_bank")
    if not block or not block.get("classes"):
        return {}
    rows = np.load(Path(model_dir) / block["file"])
    if rows.shape[0] != len(block["classes"]):
        raise ValueError(f"{block['file']} has {rows.shape[0]} rows, model.json lists {len(block['classes'])} classes")
    order = sorted(range(len(block["classes"])), key=lambda i: -int(block["classes"][i]["updates"]))
    return {block["classes"][i]["id"]: torch.from_numpy(rows[i].copy()) for i in order}

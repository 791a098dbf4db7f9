"""Load what to evaluate as an :class:`irisseg.predictor.IrisPredictor`.

Accepted: a weights file ``model.pt`` (:mod:`irisseg.weights` format, as the trainer writes it; a
``last.pt`` works too), a run directory holding ``model.pt``, or an exported model directory (``model.json`` + the three TorchScript files: exactly what the service loads).

The memory bank comes along: an export's ``memory_bank.npy``, or the run's ``memory_bank.pt`` beside a
weights file, reduced to the classes an export would keep (:func:`exported_classes`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import torch

from irisseg.config import IrisConfig, config_to_dict
from irisseg.export import MODULE_FILES
from irisseg.model.builder import build_iris
from irisseg.predictor import IrisPredictor
from irisseg.train import checkpoint as ckpt
from irisseg.train.memory_bank import MemoryBank, exported_classes, read_exported
from irisseg.weights import load_model


@dataclass
class LoadedModel:
    predictor: IrisPredictor
    source: str
    version: str
    meta: dict
    #: the memory bank's classes, ``id -> Tensor[E]`` (``<dataset>/<view>/<class>``; empty without a bank)
    memory_bank: dict = field(default_factory=dict)


class TorchScriptPredictor(IrisPredictor):
    """:class:`IrisPredictor` over the three exported TorchScript modules (no eager model)."""

    def __init__(self, directory: str | Path, device: str | torch.device = "cpu"):
        directory = Path(directory)
        card = json.loads((directory / "model.json").read_text())
        self.model = None
        self.device = torch.device(device)
        self.modules = SimpleNamespace(**{
            f[:-3]: torch.jit.load(str(directory / f), map_location=self.device).eval() for f in MODULE_FILES
        })
        self._embedding_dim = int(card["embedding_dim"])
        self._task = None
        self.card = card

    @property
    def embedding_dim(self) -> int:
        return self._embedding_dim

    @property
    def grid(self) -> tuple[int, int, int]:
        return tuple(int(g) for g in self.card["grid"])

    def decode_grid_logits(self, features, embedding):
        logits, _ = self.modules.mask_decoder.decoder(list(features.maps), embedding[None])
        return logits[0]


def load_predictor(path: str | Path | None, config: IrisConfig | None = None, device: str = "cpu",
                   seed: int = 0) -> LoadedModel:
    """What ``path`` points to, as a predictor; ``path=None``: a random-init model of ``config``."""
    if path is None:
        if config is None:
            raise ValueError("a random-init model needs a config")
        torch.manual_seed(seed)
        model = build_iris(config.model)
        return LoadedModel(IrisPredictor(model, device), "random-init", "random-init",
                           {"config": config_to_dict(config), "iterations": 0})
    path = Path(path)
    if path.is_dir() and (path / "model.json").exists() and all((path / f).exists() for f in MODULE_FILES):
        predictor = TorchScriptPredictor(path, device)
        return LoadedModel(predictor, str(path), str(predictor.card.get("version", "unknown")),
                           predictor.card.get("training", {}) or {}, read_exported(path, predictor.card))
    if path.is_dir():
        path = path / "model.pt"
    model, cfg, meta = load_model(path)
    if config is not None and config.model != cfg.model:
        print(f"note: {path} was trained with another model config than the one given; using the checkpoint's")
    iteration = meta.get("iterations", meta.get("iteration", "?"))
    bank_path = path.parent / ckpt.MEMORY_BANK
    bank = MemoryBank.load(bank_path) if bank_path.exists() else None
    entries = sorted(exported_classes(bank), key=lambda c: -c["updates"]) if bank is not None else []
    classes = {c["id"]: bank.get(c["id"]) for c in entries}
    return LoadedModel(IrisPredictor(model, device), str(path), f"{path.name}@{iteration}", meta, classes)

"""Weights-only model files (``model.pt``): what training hands to export and evaluation.

Format: ``torch.save({"format": 1, "config": <IrisConfig as dict>, "model": state_dict,
"meta": {...}})``; ``meta`` carries the training summary (iterations, data, hardware, wall time).
"""
from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from irisseg.config import DataConfig, IrisConfig, config_to_dict, preset
from irisseg.model.builder import build_iris
from irisseg.model.iris import IrisModel

FORMAT = 1


def save_weights(path: str | Path, model: IrisModel, cfg: IrisConfig, meta: dict[str, Any] | None = None) -> None:
    """Write atomically (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "config": config_to_dict(cfg), "model": model.state_dict(), "meta": meta or {}}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: Model keys added after the first exports, with the value that reproduces a model saved without them.
LEGACY_MODEL_DEFAULTS: dict[str, Any] = {"prototype_scales": 0}


def config_from_dict(d: dict[str, Any]) -> IrisConfig:
    """The config a model file or model.json was saved with. A model section without a later key gets
    the value that rebuilds the saved network (:data:`LEGACY_MODEL_DEFAULTS`); the data section only
    describes how that run drew its episodes, so keys of an earlier episode programme are dropped."""
    model = {**LEGACY_MODEL_DEFAULTS, **(d.get("model") or {})}
    known = {f.name for f in dataclasses.fields(DataConfig)}
    data = {k: v for k, v in (d.get("data") or {}).items() if k in known}
    return preset(d.get("preset", "small"), model=model, train=d.get("train"), data=data)


def load_model(path: str | Path, map_location: str = "cpu") -> tuple[IrisModel, IrisConfig, dict[str, Any]]:
    """(model in eval mode, its config, meta) from a ``model.pt``."""
    payload = torch.load(Path(path), map_location=map_location, weights_only=False)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not an Iris weights file (format {FORMAT})")
    cfg = config_from_dict(payload["config"])
    model = build_iris(cfg.model)
    model.load_state_dict(payload["model"])
    return model.eval(), cfg, payload.get("meta", {})


def read_weights_file(path: str | Path) -> dict[str, Any]:
    """A ``model.pt`` payload, loaded as data only (runs before summaries stored the torch version as
    text hold a ``TorchVersion`` object, which is allowed)."""
    with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
        return torch.load(Path(path), map_location="cpu", weights_only=True)


#: Exported module file -> the prefix its parameters carry in :class:`IrisModel`.
EXPORT_PREFIXES = {"image_encoder.pt": "encoder.", "task_encoder.pt": "task_encoder.", "mask_decoder.pt": "decoder."}


def state_from_export(model_dir: str | Path) -> dict[str, torch.Tensor]:
    """The :class:`IrisModel` state dict held by an exported model directory's three TorchScript files
    (each module keeps its part of the network under the prefix of :data:`EXPORT_PREFIXES`)."""
    state: dict[str, torch.Tensor] = {}
    for name, prefix in EXPORT_PREFIXES.items():
        module = torch.jit.load(str(Path(model_dir) / name), map_location="cpu")
        for key, value in module.state_dict().items():
            if key.startswith(prefix):
                state[key] = value
    return state


#: Tensors whose input channels may grow between a source and the model (see :func:`widen_inputs`): the
#: prototype refiner's first layer reads [logit, two similarity maps per prototype scale, deepest first],
#: so a model with more prototype scales reads the source's channels first and the new scales after; the
#: context channels (``model.prototype_context``) come last, so a model gains them the same way (a source that
#: has them cannot gain a scale: its context channels would be read as similarity maps); the dense reference
#: memory's read-out channels (``model.memory_channels``) come after those, and a source with a memory cannot gain
#: a context.
WIDENABLE = ("decoder.refiner.conv1.weight",)


def widen_inputs(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], list[str]]:
    """``state`` with each :data:`WIDENABLE` tensor that has fewer input channels (axis 1) than its
    ``target`` counterpart, all else equal, copied into the leading channels of a zero tensor of the
    target's shape: the widened layer computes what the source's did until the new channels' weights
    move from zero. Returns the state and the widened names."""
    out, widened = dict(state), []
    for name in WIDENABLE:
        old, new = state.get(name), target.get(name)
        if old is None or new is None or old.shape == new.shape:
            continue
        if old.dim() != new.dim() or old.shape[1] > new.shape[1] or old.shape[:1] + old.shape[2:] != new.shape[:1] + new.shape[2:]:
            continue  # load_state_dict reports the mismatch
        grown = torch.zeros_like(new)
        grown[:, :old.shape[1]] = old
        out[name] = grown
        widened.append(name)
    return out, widened


def load_warm_start(model: IrisModel, source: str | Path, fresh: tuple[str, ...] = ()) -> list[str]:
    """Load a ``model.pt`` or an exported model directory into ``model``; returns the names of the
    parameters the source lacks (new modules, which keep their initial values) or holds narrower
    (:func:`widen_inputs`, marked ``(widened)``). Tensors of the source named in ``fresh`` are left out
    (their parameters keep the model's initial values and count as lacking). Any other mismatch (unexpected
    or differently shaped tensors) raises."""
    source = Path(source)
    if source.is_dir():
        state = state_from_export(source)
    else:
        state = read_weights_file(source)["model"]
    state = {name: tensor for name, tensor in state.items() if name not in fresh}
    state, widened = widen_inputs(state, model.state_dict())
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        raise ValueError(f"{source}: tensors the model does not have: {result.unexpected_keys[:5]}")
    return list(result.missing_keys) + [f"{name} (widened)" for name in widened]


def open_refiner_inputs(model: IrisModel, count: int) -> float:
    """Draws the weights by which the prototype refiner's first layer reads its last ``count`` input channels at
    the spread (std) of the weights on its other channels, instead of the zeros a warm start widens them with
    (:func:`widen_inputs`: there the new inputs open only as fast as those weights move). Returns that spread."""
    weight = model.decoder.refiner.conv1.weight
    with torch.no_grad():
        spread = float(weight[:, :weight.shape[1] - count].std())
        weight[:, weight.shape[1] - count:].normal_(std=spread)
    return spread


def exported_config(model_dir: str | Path) -> IrisConfig:
    """The configuration an exported model directory was built from (its ``model.json``)."""
    return config_from_dict(json.loads((Path(model_dir) / "model.json").read_text())["config"])


def save_warm_start(path: str | Path, model: IrisModel, source: str | Path) -> None:
    """A warm-start file (weights only, no config: the run's ``--set`` gives the new part) that keeps the
    provenance of ``source``, so that a run started from it continues the source's episode stream."""
    meta = {"iteration": 0, "elapsed_s": 0.0, "device": "cpu", "started_from": provenance(source)}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": FORMAT, "model": model.state_dict(), "meta": meta}, path)


def ancestry_iterations(started_from: dict[str, Any] | None) -> int:
    """Training iterations of every run up a :func:`provenance` chain (0 for a run from scratch; a link
    without a count adds 0): where the episode stream of a run started from those weights begins, so that a
    warm start draws episodes none of its ancestors drew."""
    total, link = 0, started_from
    while link:
        total += int(link.get("iteration") or 0)
        link = link.get("started_from")
    return total


def provenance(source: str | Path) -> dict[str, Any]:
    """Where warm-started weights came from: the source, its training iterations and wall time, and
    where that source itself started from (a chain back to the first run)."""
    source = Path(source)
    if source.is_dir():
        meta = json.loads((source / "model.json").read_text()).get("training") or {}
    else:
        meta = read_weights_file(source).get("meta") or {}
    return {"source": str(source), "iteration": meta.get("iteration"), "elapsed_s": meta.get("elapsed_s"),
            "device": meta.get("device"), "started_from": meta.get("started_from")}

"""Export a trained model to the service's model directory (docs/export-contract.md).

    python -m irisseg.export --checkpoint runs/small/model.pt --out ../models/iris-small
    python -m irisseg.export --random-init --preset small --out /tmp/iris-random

Writes ``image_encoder.pt``, ``task_encoder.pt``, ``mask_decoder.pt`` (TorchScript), the region modules
``grid_decoder.pt``, ``region_upsampler.pt`` and ``object_encoder.pt`` (the same network, for callers that
must not hold K native-size maps at once), ``model.json``,
``testvectors/`` (a random case, a real hippocampus case and a real locate-then-focus case, checked by pytest
and by Java) and, when
the training run left one (``memory_bank.pt`` beside the checkpoint), ``memory_bank.npy``: the run's
EMA class embeddings, the classes the service offers without a reference.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from irisseg import __version__, focus_vectors
from irisseg.config import IrisConfig, config_to_dict, preset
from irisseg.model.builder import build_iris
from irisseg.model_card import evaluation_block, render
from irisseg.predictor import IrisPredictor
from irisseg.model.iris import IrisModel
from irisseg.modules import (NUM_FEATURES, GridDecoderModule, ImageEncoderModule, MaskDecoderModule,
                             ObjectEncoderModule, RegionUpsamplerModule, TaskEncoderModule)
from irisseg.testvectors import write_test_vectors
from irisseg.train import checkpoint as ckpt
from irisseg.train.memory_bank import MemoryBank, write_exported
from irisseg.weights import config_from_dict, load_model, state_from_export

#: The three TorchScript files of a model directory (docs/export-contract.md); the one list of their names.
MODULE_FILES = ("image_encoder.pt", "task_encoder.pt", "mask_decoder.pt")
#: The region modules: the same weights, split so that K classes never need K native-size maps at once.
#: The version is computed from MODULE_FILES alone, so adding these to an export does not change it.
REGION_FILES = ("grid_decoder.pt", "region_upsampler.pt", "object_encoder.pt")
NORMALISATION = {
    "resample": "adaptive average pooling on axes longer than the grid, then trilinear (align_corners=False)",
    "intensity": "clip to the 0.5 and 99.5 percentiles per volume, then z-score",
    "output": "logits trilinearly resampled to the native size, then sigmoid",
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def script_modules(model: IrisModel) -> dict[str, torch.jit.ScriptModule]:
    """The three TorchScript modules, keyed by file name."""
    model = model.eval()
    wrappers = (ImageEncoderModule, TaskEncoderModule, MaskDecoderModule)  # in the order of MODULE_FILES
    return {file: torch.jit.script(wrapper(model).eval()) for file, wrapper in zip(MODULE_FILES, wrappers)}


def script_region_modules(model: IrisModel) -> dict[str, torch.jit.ScriptModule]:
    """The three region modules, keyed by file name."""
    model = model.eval()
    return {
        "grid_decoder.pt": torch.jit.script(GridDecoderModule(model).eval()),
        "region_upsampler.pt": torch.jit.script(RegionUpsamplerModule().eval()),
        "object_encoder.pt": torch.jit.script(ObjectEncoderModule(model).eval()),
    }


def version_of(files: dict[str, str]) -> str:
    """The model's version: the package version and a digest of MODULE_FILES' checksums (``files``: name ->
    SHA-256), so region modules and a memory bank can be added without changing it."""
    return f"{__version__}+{hashlib.sha256(''.join(files[f] for f in MODULE_FILES).encode()).hexdigest()[:12]}"


def exported_model(model_dir: Path, card: dict[str, Any]) -> IrisModel:
    """The network an export's three modules hold (``card``: its model.json)."""
    model = build_iris(config_from_dict(card["config"]).model)
    model.load_state_dict(state_from_export(model_dir))
    return model


def export(model: IrisModel, cfg: IrisConfig, out: Path, name: str, meta: dict[str, Any],
           evaluation: dict[str, Any] | None, data_root: Path | None, report_dir: Path | None = None,
           memory_bank: MemoryBank | None = None) -> dict[str, Any]:
    """Write the model directory; returns the model.json content."""
    out.mkdir(parents=True, exist_ok=True)
    for file, module in script_modules(model).items():
        module.save(str(out / file))
    files = {f: sha256(out / f) for f in MODULE_FILES}
    version = version_of(files)
    for file, module in script_region_modules(model).items():
        module.save(str(out / file))
        files[file] = sha256(out / file)
    vectors = write_test_vectors(model, out / "testvectors", data_root)
    if focus_vectors.has_inputs(data_root):
        vectors += focus_vectors.add_cases(IrisPredictor(model), out / "testvectors", data_root)
    bank = write_exported(memory_bank, out) if memory_bank is not None else None
    if bank is not None:
        files[bank["file"]] = sha256(out / bank["file"])
    card = {
        "name": name,
        "version": version,
        "format": 1,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": files,
        "grid": [model.grid_size] * 3,
        "embedding_dim": model.embedding_dim,
        "num_feature_tensors": NUM_FEATURES,
        "num_classes_max": 16,
        "parameters": sum(p.numel() for p in model.parameters()),
        "config": config_to_dict(cfg),
        "normalisation": NORMALISATION,
        "training": meta,
        "evaluation": evaluation,
        "testvectors": vectors,
    }
    if bank is not None:
        card["memory_bank"] = bank
    (out / "model.json").write_text(json.dumps(card, indent=2) + "\n")
    (out / "MODEL_CARD.md").write_text(render(card, report_dir))
    return card


def refresh_card(model_dir: Path, report_dir: Path) -> dict[str, Any]:
    """An existing export with the evaluation of ``report_dir``: model.json's ``evaluation`` block and
    MODEL_CARD.md are rewritten; the modules, hashes and version are untouched. Returns model.json."""
    card = json.loads((model_dir / "model.json").read_text())
    card["evaluation"] = evaluation_block(report_dir)
    (model_dir / "model.json").write_text(json.dumps(card, indent=2) + "\n")
    (model_dir / "MODEL_CARD.md").write_text(render(card, report_dir))
    return card


def add_memory_bank(model_dir: Path, bank: MemoryBank, report_dir: Path | None) -> dict[str, Any]:
    """An existing export with ``bank`` written beside it (``memory_bank.npy``, its checksum in ``files``
    and the ``memory_bank`` block of model.json) and its card re-rendered; the modules, their hashes and
    the version stay as they are. Returns model.json."""
    card = json.loads((model_dir / "model.json").read_text())
    block = write_exported(bank, model_dir)
    card["files"][block["file"]] = sha256(model_dir / block["file"])
    card["memory_bank"] = block
    (model_dir / "model.json").write_text(json.dumps(card, indent=2) + "\n")
    (model_dir / "MODEL_CARD.md").write_text(render(card, report_dir))
    return card


def add_region_modules(model_dir: Path) -> dict[str, Any]:
    """An existing export with the region modules written beside it, built from the weights its three
    modules hold (so they compute exactly what those do); the modules, their hashes and the version stay
    as they are. Returns model.json."""
    card = json.loads((model_dir / "model.json").read_text())
    files = dict(card["files"])
    for file, module in script_region_modules(exported_model(model_dir, card)).items():
        module.save(str(model_dir / file))
        files[file] = sha256(model_dir / file)
    card["files"] = files
    (model_dir / "model.json").write_text(json.dumps(card, indent=2) + "\n")
    return card


def rebuild_modules(model_dir: Path, report_dir: Path | None) -> dict[str, Any]:
    """An existing export with all six modules scripted again from the weights they hold, so that they run
    today's module code (a faster, equal computation); the test vectors, memory bank, training and evaluation
    stay as they are. The module files change, so the version does, and stored tasks are re-encoded from
    their kept references; ``rebuilt_from`` names the version the evaluation was measured on. Returns
    model.json."""
    card = json.loads((model_dir / "model.json").read_text())
    model = exported_model(model_dir, card)
    modules = {**script_modules(model), **script_region_modules(model)}
    files = dict(card["files"])
    for file, module in modules.items():
        module.save(str(model_dir / file))
        files[file] = sha256(model_dir / file)
    previous = card["version"]
    card["version"] = version_of(files)
    card["files"] = files
    card["normalisation"] = NORMALISATION
    if card["version"] != previous:
        card["rebuilt_from"] = card.get("rebuilt_from", previous)
    (model_dir / "model.json").write_text(json.dumps(card, indent=2) + "\n")
    (model_dir / "MODEL_CARD.md").write_text(render(card, report_dir))
    return card


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m irisseg.export", description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path, help="weights-only model.pt written by training")
    src.add_argument("--random-init", action="store_true", help="export untrained weights (for wiring tests)")
    src.add_argument("--refresh-card", type=Path, metavar="MODEL_DIR",
                     help="rewrite only the evaluation block of MODEL_DIR/model.json and its MODEL_CARD.md from --report"
                          " (the modules, their hashes and the version stay as they are)")
    src.add_argument("--add-memory-bank", type=Path, metavar="MODEL_DIR",
                     help="write --memory-bank into MODEL_DIR (memory_bank.npy, model.json; modules untouched)")
    src.add_argument("--add-region-modules", type=Path, metavar="MODEL_DIR",
                     help="write the region modules (grid_decoder.pt, region_upsampler.pt, object_encoder.pt) into"
                          " MODEL_DIR from the weights of its modules (model.json; modules and version untouched)")
    src.add_argument("--rebuild-modules", type=Path, metavar="MODEL_DIR",
                     help="script MODEL_DIR's six modules again from the weights they hold (same weights, today's"
                          " module code; new hashes and version; test vectors, evaluation and memory bank kept;"
                          " MODEL_CARD.md re-rendered from --report)")
    p.add_argument("--preset", default="small", help="preset for --random-init")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="model directory to write (with --checkpoint or --random-init)")
    p.add_argument("--name", default=None, help="model name (default iris-<preset>)")
    p.add_argument("--report", type=Path, default=None,
                   help="folder with evaluation.json and evaluation.md from irisseg.evaluate (model card, model.json)")
    p.add_argument("--memory-bank", type=Path, default=None,
                   help="memory_bank.pt to export with the model (default: the one beside --checkpoint, if any)")
    p.add_argument("--data-root", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data",
                   help="../shared/data, for the hippocampus and focus test vectors")
    args = p.parse_args(argv)
    if args.refresh_card is not None:
        if args.report is None:
            p.error("--refresh-card needs --report")
        card = refresh_card(args.refresh_card, args.report)
        print(json.dumps({k: card[k] for k in ("name", "version", "embedding_dim", "parameters")}, indent=2))
        return
    if args.add_memory_bank is not None:
        if args.memory_bank is None:
            p.error("--add-memory-bank needs --memory-bank")
        card = add_memory_bank(args.add_memory_bank, MemoryBank.load(args.memory_bank), args.report)
        print(f"{len(card['memory_bank']['classes'])} built-in classes written to {args.add_memory_bank}")
        return
    if args.rebuild_modules is not None:
        card = rebuild_modules(args.rebuild_modules, args.report)
        print(json.dumps({k: card.get(k) for k in ("name", "version", "rebuilt_from")}, indent=2))
        return
    if args.add_region_modules is not None:
        card = add_region_modules(args.add_region_modules)
        print(f"region modules written to {args.add_region_modules}: " + ", ".join(REGION_FILES))
        return
    if args.out is None:
        p.error("--out is required with --checkpoint or --random-init")
    if args.random_init:
        torch.manual_seed(args.seed)
        cfg = preset(args.preset)
        model = build_iris(cfg.model).eval()
        meta: dict[str, Any] = {"iterations": 0, "note": "random initialisation, not trained"}
    else:
        model, cfg, meta = load_model(args.checkpoint)
    bank_path = args.memory_bank or (args.checkpoint.parent / ckpt.MEMORY_BANK if args.checkpoint else None)
    bank = MemoryBank.load(bank_path) if bank_path is not None and bank_path.exists() else None
    try:
        evaluation = evaluation_block(args.report)
    except ValueError as e:
        p.error(str(e))
    data_root = args.data_root if args.data_root.exists() else None
    card = export(model, cfg, args.out, args.name or f"iris-{cfg.preset}", meta, evaluation, data_root, args.report,
                  bank)
    print(json.dumps({k: card[k] for k in ("name", "version", "embedding_dim", "parameters")}, indent=2))


if __name__ == "__main__":
    main()

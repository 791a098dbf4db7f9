"""Writes a warm-start file: committed weights plus the dense reference memory (``model.memory_channels``,
:mod:`irisseg.model.memory`), with the refiner's first layer reading the memory's three read-out maps through
weights at the spread of its other inputs' (a warm start alone would read them through zeros, which open too
slowly: ``scripts/add_prototype_context.py``). The key and query projections start equal (``build_iris``), so
at the first step every query voxel of a copy matches its own reference voxel best. The file keeps the source's
provenance, so a run started from it continues the source's episode stream:

    cd training
    ../.venv/bin/python scripts/add_reference_memory.py --channels 16 --scale 3 --out runs/memory_init.pt
    ../.venv/bin/python -m irisseg.train --config configs/finetune.yaml --init-weights runs/memory_init.pt \\
        --set model.memory_channels=16 --set model.memory_scale=3 ...
"""
from __future__ import annotations

from pathlib import Path

import torch

from irisseg.model import build_iris
from irisseg.model.memory import READ_CHANNELS
from irisseg.train.warm_start_cli import warm_start_parser
from irisseg.weights import exported_config, load_warm_start, open_refiner_inputs, save_warm_start


def main() -> None:
    p = warm_start_parser(__doc__.split("\n\n")[0], 16, "model.memory_channels (key channels)")
    p.add_argument("--scale", type=int, default=3, help="model.memory_scale (3: 8^3 on the 64 grid)")
    args = p.parse_args()
    source = Path(args.weights)
    cfg = exported_config(source)
    if cfg.model.memory_channels:
        p.error(f"{source} already has a reference memory")
    cfg.model.memory_channels, cfg.model.memory_scale = args.channels, args.scale
    try:
        cfg.model.__post_init__()
    except ValueError as e:
        p.error(str(e))
    torch.manual_seed(args.seed)
    model = build_iris(cfg.model)
    load_warm_start(model, source)
    spread = open_refiner_inputs(model, READ_CHANNELS)
    save_warm_start(args.out, model, source)
    print(f"{args.out}: {source} with a {args.channels}-channel reference memory at scale {args.scale} "
          f"(embedding {model.embedding_dim} values per class), its read-out read at std {spread:.4f}")


if __name__ == "__main__":
    main()

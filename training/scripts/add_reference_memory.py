"""Writes a warm-start file: committed weights plus the dense reference memory (``model.memory_channels``,
:mod:`irisseg.model.memory`), with the refiner's first layer reading the memory's three read-out maps through
weights at the spread of its other inputs' (a warm start alone would read them through zeros, which open too
slowly: ``scripts/add_prototype_context.py``). The key and query projections start equal (``build_iris``), so
at the first step every query voxel of a copy matches its own reference voxel best. The file keeps the source's
provenance, so a run started from it continues the source's episode stream.

From a model that has a memory already, the memory moves to the new scale (or width): its key and query
projections start afresh (equal), while the refiner keeps the weights it learned on the three read-out maps and
the attention its temperature (the maps mean the same at any scale):

    cd training
    ../.venv/bin/python scripts/add_reference_memory.py --channels 16 --scale 3 --out runs/memory_init.pt
    ../.venv/bin/python -m irisseg.train --config configs/finetune.yaml --init-weights runs/memory_init.pt \\
        --set model.memory_channels=16 --set model.memory_scale=3 ...
    ../.venv/bin/python scripts/add_reference_memory.py --channels 16 --scale 2 --out runs/memory16_init.pt
        (committed weights with a memory at scale 3: the memory moves to 16^3)
"""
from __future__ import annotations

from pathlib import Path

import torch

from irisseg.model import build_iris
from irisseg.model.builder import MEMORY_PROJECTIONS
from irisseg.model.memory import READ_CHANNELS
from irisseg.train.warm_start_cli import warm_start_parser
from irisseg.weights import exported_config, load_warm_start, open_refiner_inputs, save_warm_start


def main() -> None:
    p = warm_start_parser(__doc__.split("\n\n")[0], 16, "model.memory_channels (key channels)")
    p.add_argument("--scale", type=int, default=3, help="model.memory_scale (3: 8^3 on the 64 grid)")
    args = p.parse_args()
    source = Path(args.weights)
    cfg = exported_config(source)
    moving = cfg.model.memory_channels > 0
    if moving and (cfg.model.memory_channels, cfg.model.memory_scale) == (args.channels, args.scale):
        p.error(f"{source} already has this reference memory")
    cfg.model.memory_channels, cfg.model.memory_scale = args.channels, args.scale
    try:
        cfg.model.__post_init__()
    except ValueError as e:
        p.error(str(e))
    torch.manual_seed(args.seed)
    model = build_iris(cfg.model)
    fresh = load_warm_start(model, source, MEMORY_PROJECTIONS if moving else ())
    if moving:
        how = f"its read-out read through the weights it learned; started afresh: {', '.join(fresh)}"
    else:
        how = f"its read-out read at std {open_refiner_inputs(model, READ_CHANNELS):.4f}"
    save_warm_start(args.out, model, source)
    print(f"{args.out}: {source} with a {args.channels}-channel reference memory at scale {args.scale} "
          f"(embedding {model.embedding_dim} values per class), {how}")


if __name__ == "__main__":
    main()

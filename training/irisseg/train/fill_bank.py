"""Fold training episodes into a memory bank with the weights frozen.

During training the bank folds in embeddings made by weights that are still changing; an entry folded
in rarely mostly remembers early weights. This continues the same moving average with the final
weights (the exported modules or a weights file), from the training split only, so every built-in
class describes the model that ships:

    python -m irisseg.train.fill_bank --model ../models/iris-small --episodes 3000 \\
        --start runs/ft1/memory_bank.pt --out runs/bank/memory_bank.pt

Episodes are the trainer's labelled kinds (``real`` and ``synthseg``, the only ones whose classes have
a lasting name), drawn with the current data settings; see :func:`irisseg.train.memory_bank.named_rows`.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from irisseg.config import DataConfig
from irisseg.data.episodes import EpisodeSampler
from irisseg.data.pack_format import Pack
from irisseg.evaluation.loading import load_predictor
from irisseg.train.memory_bank import MemoryBank, exported_classes, named_rows

#: The episode kinds whose classes are named (the others are new objects in every episode).
NAMED_KINDS = {"real": 0.8, "synthseg": 0.2}


def fill(predictor, sampler: EpisodeSampler, bank: MemoryBank, episodes: int, seed: int = 0,
         log=print) -> MemoryBank:
    """Folds the reference embeddings of ``episodes`` episodes into ``bank`` (in place) and returns it."""
    t0 = time.time()
    for n in range(episodes):
        ep = sampler(np.random.default_rng([seed, n]))
        valid = ep["class_valid"]
        if not bool(valid.any()):
            continue
        with torch.no_grad():
            encoded = predictor.encode_reference(ep["ref_image"][0], ep["ref_masks"][valid]).float().cpu()
        full = torch.zeros(valid.shape[0], encoded.shape[-1])
        full[valid] = encoded
        names, rows = named_rows([ep["task"]], [ep["class_names"]], valid[None], full[None])
        bank.update_many(names, rows)
        if (n + 1) % 250 == 0:
            log(f"  {n + 1}/{episodes} episodes, {len(bank)} entries, {time.time() - t0:.0f}s")
    return bank


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m irisseg.train.fill_bank", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="exported model directory, run directory or model.pt")
    p.add_argument("--pack", type=Path, default=Path("pack"), help="training pack (python -m irisseg.data.pack)")
    p.add_argument("--episodes", type=int, default=3000)
    p.add_argument("--start", type=Path, default=None, help="memory_bank.pt to continue (default: an empty bank)")
    p.add_argument("--momentum", type=float, default=0.99, help="for a new bank")
    p.add_argument("--out", type=Path, required=True, help="memory_bank.pt to write")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    loaded = load_predictor(args.model)
    pack = Pack(args.pack)
    sampler = EpisodeSampler(DataConfig(pack_dir=str(args.pack), kind_weights=dict(NAMED_KINDS)), pack.grid, pack,
                             split="train")
    bank = MemoryBank.load(args.start) if args.start else MemoryBank(args.momentum)
    print(f"model {loaded.source} ({loaded.version}); bank {len(bank)} entries at the start", flush=True)
    fill(loaded.predictor, sampler, bank, args.episodes, args.seed, log=lambda m: print(m, flush=True))
    bank.history.append(f"fill_bank: {args.episodes} training episodes (seed {args.seed}) folded in with the frozen"
                        f" weights of {loaded.version}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    bank.save(args.out)
    kept = exported_classes(bank)
    print(f"wrote {args.out}: {len(bank)} entries, {len(kept)} an export keeps", flush=True)


if __name__ == "__main__":
    main()

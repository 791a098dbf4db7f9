"""Times the dense reference memory (:mod:`irisseg.model.memory`) on this machine: one training step of the
fine-tuning model (batch 2, 6 classes, grid 64, forward, loss, backward and AdamW step) without a memory and with
one at each scale asked for, and the memory's read alone (forward and backward): the keys of one reference,
compared once for all classes, against keys of each class's own (a memory bank's), compared class by class. Run by
hand; nothing is saved.

    cd training
    ../.venv/bin/python scripts/benchmark_memory_step.py --scales 3 2 --threads 1

Prints the median of ``--steps`` timed steps after one untimed one, in seconds.
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import torch
import torch.nn.functional as F

from irisseg.config import load_config
from irisseg.model import build_iris
from irisseg.model.memory import MemoryReader
from irisseg.train.cli import TRAINING_ROOT, apply_overrides

BATCH, CLASSES = 2, 6


def _median_seconds(run: Callable[[], None], steps: int) -> float:
    run()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _step_seconds(scale: int, channels: int, steps: int) -> float:
    cfg = load_config(TRAINING_ROOT / "configs" / "finetune.yaml")
    cfg = apply_overrides(cfg, [f"model.memory_channels={channels}", f"model.memory_scale={scale}"])
    model = build_iris(cfg.model).train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-4)
    g = cfg.model.grid_size
    torch.manual_seed(0)
    ref, query = torch.randn(BATCH, 1, g, g, g), torch.randn(BATCH, 1, g, g, g)
    masks = (torch.rand(BATCH, CLASSES, g // 8, g // 8, g // 8) > 0.7).float()
    masks = F.interpolate(masks, size=(g, g, g), mode="nearest")

    def step() -> None:
        logits, _ = model(ref, masks, query)
        loss = F.binary_cross_entropy_with_logits(logits, masks)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    return _median_seconds(step, steps)


def _read_seconds(n: int, channels: int, steps: int, shared: bool) -> float:
    torch.manual_seed(0)
    width = 32
    reader = MemoryReader(0, width, channels)
    features = [torch.randn(BATCH, width, n, n, n, requires_grad=True)]
    keys = torch.randn(BATCH, 1, channels * n**3).expand(BATCH, CLASSES, channels * n**3)
    if not shared:  # each class its own keys (a memory bank's averages): read one class at a time
        keys = keys + 1e-3 * torch.randn(BATCH, CLASSES, channels * n**3)
    values = torch.rand(BATCH, CLASSES, n**3, requires_grad=True)
    memory = torch.cat([keys, values], dim=2)

    def read() -> None:
        reader(features, memory).square().sum().backward()

    return _median_seconds(read, steps)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[3, 2], help="memory scales (3: 8^3, 2: 16^3)")
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--skip-per-class", action="store_true", help="do not time the read with each class its own keys")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{torch.get_num_threads()} thread(s), batch {BATCH}, {CLASSES} classes, median of {args.steps}")
    print(f"training step, no memory: {_step_seconds(3, 0, args.steps):.2f} s", flush=True)
    for scale in args.scales:
        n = 64 // 2**scale  # the fine-tuning grid
        print(f"training step, memory at scale {scale} ({n}^3): "
              f"{_step_seconds(scale, args.channels, args.steps):.2f} s", flush=True)
        print(f"  memory read alone, one reference's keys: "
              f"{_read_seconds(n, args.channels, args.steps, True):.3f} s", flush=True)
        if not args.skip_per_class:
            print(f"  memory read alone, each class its own keys: "
                  f"{_read_seconds(n, args.channels, args.steps, False):.3f} s", flush=True)


if __name__ == "__main__":
    main()

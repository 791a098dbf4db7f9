"""Episode throughput, by hand: ``python -m irisseg.data.bench_episodes --pack pack --episodes 60``.

Prints episodes per second per task kind and overall in one process with the given torch threads
(the trainer builds episodes in ``num_workers`` such processes), and the training iterations per
second that this could feed at a given batch size.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from ..config import preset
from .episodes import EpisodeSampler
from .pack_format import Pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m irisseg.data.bench_episodes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", default="pack")
    parser.add_argument("--episodes", type=int, default=60)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = preset("small").data
    pack = Pack(args.pack)
    sampler = EpisodeSampler(data, pack.grid, pack)
    for key in pack.keys(split="train"):  # the trainer's workers keep the pack in memory too
        pack.load(key)
    times: dict[str, list[float]] = {}
    started = time.perf_counter()
    for n in range(args.episodes):
        t = time.perf_counter()
        episode = sampler(np.random.default_rng([args.seed, n]))
        times.setdefault(episode["kind"], []).append(time.perf_counter() - t)
    total = time.perf_counter() - started
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"grid {pack.grid}, torch threads {args.threads}, load average {load:.1f}")
    for kind, values in sorted(times.items()):
        print(f"  {kind:9s} {len(values):4d} episodes  {1000 * np.mean(values):6.0f} ms mean  {1000 * np.median(values):6.0f} ms median")
    rate = args.episodes / total
    print(f"overall {rate:.2f} episodes/s -> {rate / args.batch:.2f} iterations/s at batch {args.batch} per worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

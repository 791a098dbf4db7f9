"""Parameter counts and CPU forward times of the three exported stages, per preset.

    python -m irisseg.bench [--presets small paper] [--repeats 5] [--threads 2]

Times are medians over ``--repeats`` runs after one warm-up, on random weights, at each
preset's model grid (the native size equals the grid, so no resampling cost is included).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch

from irisseg.config import preset
from irisseg.model import build_iris
from irisseg.modules import ExportedModules


def _median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_preset(name: str, repeats: int, classes: int) -> dict:
    cfg = preset(name)
    model = build_iris(cfg.model).eval()
    mods = ExportedModules(model).eval()
    g = cfg.model.grid_size
    image = torch.rand(1, 1, g, g, g) * 1000
    masks = torch.zeros(1, classes, g, g, g)
    for k in range(classes):
        masks[0, k, 4 + 6 * k:g // 2 + 6 * k, g // 4:g // 2, g // 4:3 * g // 4] = 1
    with torch.no_grad():
        feats = mods.image_encoder(image)
        emb = mods.task_encoder(*feats, masks)
        return {
            "preset": name,
            "parameters": sum(p.numel() for p in model.parameters()),
            "grid": g,
            "classes": classes,
            "encode_image_ms": _median_ms(lambda: mods.image_encoder(image), repeats),
            "encode_task_ms": _median_ms(lambda: mods.task_encoder(*feats, masks), repeats),
            "decode_ms": _median_ms(lambda: mods.mask_decoder(*feats, emb), repeats),
        }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m irisseg.bench")
    p.add_argument("--presets", nargs="+", default=["small", "paper"])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--classes", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"# {platform.processor() or platform.machine()}, {args.threads} threads, torch {torch.__version__}")
    for name in args.presets:
        print(json.dumps(bench_preset(name, args.repeats, args.classes)))


if __name__ == "__main__":
    main()

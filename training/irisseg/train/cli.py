"""``python -m irisseg.train``: train Iris on episodes from the training pack and synthetic tasks.

    python -m irisseg.train --config configs/small.yaml [--resume] [--max-minutes M] [--run-dir DIR]
    python -m irisseg.train --demo-only          # a few iterations on synthetic tasks: a smoke test
    torchrun --nproc-per-node 2 -m irisseg.train --config ...   # DDP (NCCL on GPU, gloo on CPU)

SIGTERM / Ctrl-C: the current iteration finishes, a checkpoint is written, the process exits 0;
``--resume`` continues from ``<run_dir>/last.pt`` exactly where it stopped.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from pathlib import Path

from irisseg.config import IrisConfig, load_config, preset
from irisseg.train.distributed import init_distributed, shutdown_distributed
from irisseg.train.episode_sources import build_episode_fn
from irisseg.train.trainer import Trainer

TRAINING_ROOT = Path(__file__).resolve().parents[2]
DEMO_ITERATIONS = 4


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m irisseg.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--config", type=Path, help="YAML config (preset + model/train/data overrides)")
    p.add_argument("--resume", action="store_true", help="continue from <run-dir>/last.pt (a fresh start when absent)")
    p.add_argument("--demo-only", action="store_true", help=f"{DEMO_ITERATIONS} iterations on synthetic tasks only; no pack needed")
    p.add_argument("--max-minutes", type=float, default=None, help="stop cleanly (with a checkpoint) after this much wall time")
    p.add_argument("--run-dir", type=Path, default=None, help="default: training/runs/<config name>")
    p.add_argument("--pack", type=Path, default=None, help="training pack folder (default: data.pack_dir of the config)")
    p.add_argument("--iterations", type=int, default=None, help="override train.iterations")
    p.add_argument("--device", default=None, help="override train.device (auto, cuda, cpu)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one config value, e.g. --set train.batch_size=8 (value read as YAML); repeatable")
    p.add_argument("--fit-to-time", action="store_true",
                   help="with --max-minutes: plan the iterations and the learning-rate decay to end within the budget")
    p.add_argument("--init-weights", type=Path, default=None,
                   help="start a fresh run from these weights (a model.pt or an exported model directory such as ../models/iris-small); optimiser and schedule start anew")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (logs still go to log.csv)")
    return p.parse_args(argv)


def resolve_config(args: argparse.Namespace) -> tuple[IrisConfig, str]:
    """The config to train with and the run's name."""
    if args.config is not None:
        cfg, name = load_config(args.config), args.config.stem
    elif args.demo_only:
        demo = TRAINING_ROOT / "configs" / "demo.yaml"
        cfg, name = (load_config(demo), "demo") if demo.exists() else (preset("small"), "demo")
    else:
        raise SystemExit("--config is required (or --demo-only)")
    train = {}
    if args.demo_only:
        train.update(iterations=DEMO_ITERATIONS, warmup=1, checkpoint_every=DEMO_ITERATIONS, log_every=1)
        name = "demo" if args.config is None else f"{name}-demo"
    if args.iterations is not None:
        train["iterations"] = args.iterations
    if args.device is not None:
        train["device"] = args.device
    if train:
        cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, **train))
    if args.pack is not None:
        cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, pack_dir=str(args.pack.resolve())))
    return apply_overrides(cfg, args.overrides), name


def apply_overrides(cfg: IrisConfig, overrides: list[str]) -> IrisConfig:
    """``["train.batch_size=8", "model.gradient_checkpointing=true"]`` applied to ``cfg`` (values parsed as YAML)."""
    import yaml

    for item in overrides:
        key, sep, raw = item.partition("=")
        section, dot, path = key.strip().partition(".")
        if not sep or not dot or section not in ("model", "train", "data"):
            raise SystemExit(f"--set expects SECTION.KEY=VALUE with SECTION model, train or data; got {item!r}")
        cfg = dataclasses.replace(cfg, **{section: _replace_path(getattr(cfg, section), path.split("."),
                                                                  yaml.safe_load(raw), item)})
    return cfg


def _replace_path(current, path: list[str], value, item: str):
    """``current`` with the field at ``path`` (nested settings: ``augment.scale``) set to ``value``."""
    field = path[0]
    if not dataclasses.is_dataclass(current) or field not in {f.name for f in dataclasses.fields(current)}:
        raise SystemExit(f"--set {item!r}: {type(current).__name__} has no field {field!r}")
    if len(path) > 1:
        value = _replace_path(getattr(current, field), path[1:], value, item)
    return dataclasses.replace(current, **{field: value})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg, name = resolve_config(args)
    run_dir = args.run_dir or TRAINING_ROOT / "runs" / name
    if (run_dir / "last.pt").exists() and not args.resume and not args.demo_only:
        raise SystemExit(f"{run_dir} already holds a run: pass --resume, or choose another --run-dir")
    ctx = init_distributed(cfg.train.device)
    try:
        make_episode = build_episode_fn(cfg, synthetic_only=args.demo_only, base_dir=TRAINING_ROOT)
        trainer = Trainer(cfg, run_dir, make_episode, ctx=ctx, progress=not args.no_progress)
        if args.resume and trainer.resume():
            if ctx.is_main:
                print(f"resumed {run_dir / 'last.pt'} at iteration {trainer.iteration}", file=sys.stderr)
        elif args.init_weights is not None:
            missing = trainer.load_weights(args.init_weights)
            if ctx.is_main:
                print(f"started from {args.init_weights}; new (freshly initialised) or widened: {missing or 'none'}", file=sys.stderr)

        def stop(signum, _frame):
            print(f"signal {signum}: stopping after this iteration", file=sys.stderr)
            trainer.request_stop()
            signal.signal(signum, signal.SIG_DFL)  # a second signal ends the process at once

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        result = trainer.run(max_minutes=args.max_minutes, fit_to_time=args.fit_to_time)
        if ctx.is_main:
            print(json.dumps({"run_dir": str(run_dir), **dataclasses.asdict(result)}, indent=2))
    finally:
        shutdown_distributed()
    return 0

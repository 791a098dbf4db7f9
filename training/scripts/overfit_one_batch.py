"""Trains the committed fine-tuning weights on one fixed batch of episodes of one kind and prints the loss,
to tell a model that cannot fit a task kind at all from one that fits each episode but does not learn the
skill across episodes. Nothing is saved (the run directory only names the trainer's scratch place).

    cd training
    ../.venv/bin/python scripts/overfit_one_batch.py --kind supervoxels --steps 150 [--seed 0]

The batch is the finetune config's (``configs/finetune.yaml``) first two episodes of ``--kind`` for
``--seed``; the optimiser is the training one (AdamW, peak learning rate 3e-4, cosine decay over ``--steps``).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from irisseg.config import load_config
from irisseg.train.cli import TRAINING_ROOT, apply_overrides, build_episode_fn
from irisseg.train.episode_stream import collate_episodes, draw_episode, episode_seed
from irisseg.train.trainer import Trainer


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kind", default="supervoxels", help="episode kind (real, supervoxels, lesions, synthseg, shapes)")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weights", default=str(TRAINING_ROOT.parent / "models" / "iris-small-finetune"))
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    cfg = apply_overrides(load_config(TRAINING_ROOT / "configs" / "finetune.yaml"), [
        f"data.kind_weights={{{args.kind}: 1.0}}", f"train.threads={args.threads}", "train.lr=3.0e-4",
        "train.warmup=1", f"train.iterations={args.steps}", "train.weight_ema=0"])
    make = build_episode_fn(cfg, base_dir=TRAINING_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        trainer = Trainer(cfg, Path(scratch), make, progress=False)
        trainer.load_weights(args.weights)
        batch = collate_episodes([draw_episode(make, episode_seed(args.seed, 0, 0, i)) for i in range(2)])
        print(f"episodes {batch['task']}, valid classes {batch['class_valid'].sum(1).tolist()}", flush=True)
        t0 = time.time()
        for step in range(args.steps):
            loss = float(trainer.train_step(batch))
            if step % 10 == 0 or step == args.steps - 1:
                print(f"step {step} loss {loss:.4f} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()

"""Where the trainer's episodes come from: the data package's sampler over the training pack (plus
synthetic tasks), or synthetic tasks alone (``--demo-only``). Only numpy/torch modules are imported, so
this runs on a machine without nibabel."""
from __future__ import annotations

from pathlib import Path

from irisseg.config import IrisConfig
from irisseg.train.episode_stream import EpisodeFn


def build_episode_fn(cfg: IrisConfig, synthetic_only: bool = False, base_dir: str | Path | None = None) -> EpisodeFn:
    """``make_episode(rng) -> episode`` for the ``train`` split of ``cfg.data.pack_dir`` (relative to ``base_dir``)."""
    from irisseg.data.episodes import EpisodeSampler

    return EpisodeSampler.from_config(cfg, base_dir=base_dir, split="train", synthetic_only=synthetic_only)

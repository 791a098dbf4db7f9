"""Configuration: dataclasses, the presets in one place, and YAML loading.

A YAML file has up to three sections, ``model:``, ``train:`` and ``data:``; keys override the
defaults of the preset named by ``preset:`` (default ``small``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class ModelConfig:
    """Hyper-parameters of the Iris network (seed keys plus the model grid)."""

    in_channels: int = 1
    base_channels: int = 16
    channels: tuple[int, ...] = (16, 32, 64, 96, 128)
    blocks_per_stage: tuple[int, ...] = (0, 1, 1, 1, 1)  # 0: the stem alone at that scale
    decoder_blocks: tuple[int, ...] = (1, 1, 0, 0)  # deepest first; 0: a light stage (1x1, add, one conv)
    embed_dim: int = 16
    num_query_tokens: int = 10
    num_heads: int = 0  # 0: channels / 32 per scale, at least 1 (as the authors do)
    head_dim: int = 32
    task_blocks: int = 1
    fusion_blocks: int = 1
    task_scales: int = 3
    context_channels: int = 1
    deep_supervision: bool = True
    grid_size: int = 64
    # 3x3x3 convolutions at the full grid resolution (stem and last decoder stage). Off in
    # ``small``: there the full-resolution level is per-voxel (pointwise) and every 3x3x3 conv
    # runs at G/2 or coarser, which makes CPU training ~5x cheaper.
    full_res_convs: bool = True
    # The task encoder's mask/feature fusion runs at grid / context_divisor (1: full resolution,
    # as in the paper). The foreground token always pools the full-resolution mask.
    context_divisor: int = 1
    # The decoder stops at this scale (0: full resolution) and up-samples its logits to the grid.
    output_scale: int = 0
    gradient_checkpointing: bool = False

    def __post_init__(self) -> None:
        self.channels = tuple(int(c) for c in self.channels)
        self.blocks_per_stage = tuple(int(b) for b in self.blocks_per_stage)
        self.decoder_blocks = tuple(int(b) for b in self.decoder_blocks)
        if self.channels[0] != self.base_channels:
            raise ValueError(f"channels[0]={self.channels[0]} must equal base_channels={self.base_channels}")
        if len(self.blocks_per_stage) != len(self.channels):
            raise ValueError("blocks_per_stage needs one entry per encoder scale")
        if len(self.decoder_blocks) != len(self.channels) - 1:
            raise ValueError("decoder_blocks needs one entry per up-sampling stage")
        if not 1 <= self.task_scales <= len(self.channels):
            raise ValueError("task_scales must be between 1 and the number of scales")
        if len(self.channels) - self.task_scales <= self.output_scale:
            raise ValueError(f"the task scales (the {self.task_scales} deepest of {len(self.channels)}) must all lie"
                             f" above output_scale={self.output_scale}: lower task_scales or output_scale")
        if self.grid_size % (2 ** (len(self.channels) - 1)) != 0:
            raise ValueError("grid_size must be divisible by 2^(number of scales - 1)")

    def heads(self, channels: int) -> int:
        """Attention heads at a scale of ``channels`` width."""
        if self.num_heads > 0:
            return self.num_heads
        return max(1, channels // self.head_dim)


@dataclass
class TrainConfig:
    """Optimisation and run settings (see ``irisseg.train``)."""

    iterations: int = 20000
    batch_size: int = 2
    lr: float = 2e-3
    weight_decay: float = 1e-5
    warmup: int = 2000
    optimizer: str = "adamw"
    ds_weights: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4, 0.2)
    checkpoint_every: int = 200
    log_every: int = 10
    amp: bool = True
    seed: int = 0
    num_workers: int = 1
    threads: int = 2
    min_lr_ratio: float = 0.01  # cosine decay ends at lr * min_lr_ratio
    grad_clip: float = 1.0  # max global gradient norm; 0 disables clipping
    weight_ema: float = 0.999  # decay of the exported weight average; 0 disables it
    memory_bank_momentum: float = 0.99
    device: str = "auto"  # auto (CUDA when present), cuda or cpu


@dataclass
class DataConfig:
    """Where episodes come from (see ``irisseg.data``)."""

    pack_dir: str = "pack"
    k_max: int = 3
    synthetic_ratio: float = 0.3  # share of synthetic tasks (SynthSeg-style + shapes) among episodes
    synthseg_ratio: float = 0.5  # share of SynthSeg-style tasks among the synthetic ones (rest: shapes)
    dataset_weights: dict[str, float] = field(default_factory=lambda: {
        "hippocampus": 0.45, "brats": 0.1, "totalseg": 0.2, "voxelmorph": 0.25})  # real tasks per dataset
    class_drop_prob: float = 0.2  # random class dropping
    merge_prob: float = 0.25  # a SynthSeg class merges several labels
    cross_pair_prob: float = 0.3  # voxelmorph brain paired with a SynthSeg-style image
    same_contrast_prob: float = 0.7  # BraTS query in the reference's contrast
    min_class_voxels: int = 16  # at the grid, in both subjects
    query_augment_scale: float = 1.0  # query perturbation: the query's augmentation strength factor
    aug_rotate_deg: float = 15.0
    aug_scale: float = 0.15
    aug_translate: float = 0.08
    aug_flip_prob: float = 0.5  # only along the axes a dataset allows, never for left/right classes
    aug_gamma_std: float = 0.25
    aug_contrast: float = 0.25
    aug_noise_std: float = 0.08
    aug_bias: float = 0.3
    aug_prob_spatial: float = 0.8
    aug_prob_intensity: float = 0.8


@dataclass
class IrisConfig:
    preset: str = "small"
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    data: DataConfig = field(default_factory=DataConfig)


#: The presets, in one place. ``small`` is the model the service ships; ``paper`` is the
#: published size (Gao et al.: channels 32..512, 2 residual blocks per stage, 128^3 input).
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "small": {
        "model": dict(
            base_channels=8,
            channels=(8, 32, 64, 96, 128),
            blocks_per_stage=(0, 1, 1, 1, 1),
            decoder_blocks=(1, 1, 0, 0),
            full_res_convs=False,
            context_divisor=2,
            output_scale=1,
            embed_dim=16,
            num_query_tokens=10,
            head_dim=32,
            task_blocks=1,
            fusion_blocks=1,
            grid_size=64,
        ),
        "train": dict(batch_size=2),
    },
    "paper": {
        "model": dict(
            base_channels=32,
            channels=(32, 64, 128, 256, 512),
            blocks_per_stage=(2, 2, 2, 2, 2),
            decoder_blocks=(2, 2, 2, 2),
            embed_dim=32,
            num_query_tokens=10,
            head_dim=32,
            task_blocks=2,
            fusion_blocks=2,
            grid_size=128,
        ),
        "train": dict(batch_size=32),
    },
}


def _build(cls, defaults: dict[str, Any], overrides: dict[str, Any]):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    return cls(**{**defaults, **overrides})


def preset(name: str, **sections: dict[str, Any]) -> IrisConfig:
    """The named preset, with optional per-section overrides (``model={...}``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {sorted(PRESETS)}")
    base = PRESETS[name]
    return IrisConfig(
        preset=name,
        model=_build(ModelConfig, base.get("model", {}), sections.get("model") or {}),
        train=_build(TrainConfig, base.get("train", {}), sections.get("train") or {}),
        data=_build(DataConfig, base.get("data", {}), sections.get("data") or {}),
    )


def load_config(path: str | Path) -> IrisConfig:
    """Read a YAML config: ``preset:`` plus ``model:``/``train:``/``data:`` overrides."""
    raw = yaml.safe_load(Path(path).read_text()) or {}
    unknown = set(raw) - {"preset", "model", "train", "data"}
    if unknown:
        raise ValueError(f"unknown config sections in {path}: {sorted(unknown)}")
    return preset(raw.get("preset", "small"), model=raw.get("model"), train=raw.get("train"), data=raw.get("data"))


def config_to_dict(cfg: IrisConfig) -> dict[str, Any]:
    """Plain-dict form (tuples as lists) for JSON/YAML."""

    def plain(v: Any) -> Any:
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return plain(dataclasses.asdict(cfg))

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
    # The deepest N scales whose foreground/background prototypes join the embedding and feed the
    # decoder's prototype-matching refiner (irisseg.model.prototypes); 0: no prototype path.
    prototype_scales: int = 0
    # Channels of the refiner's coarse-to-fine pass over the similarity maps and the query's features
    # (irisseg.model.prototypes.PrototypeContext); 0: none, the refiner reads the maps voxel by voxel. Tried
    # once on supervoxel tasks (reports/finetune/README.md, after leg 16): no measurable effect.
    prototype_context: int = 0
    # Key channels of the dense reference memory (irisseg.model.memory): the reference kept voxel by voxel at
    # scale ``memory_scale`` (3: 8^3 on the 64 grid) and read by every query voxel, its read-out joining the
    # prototype refiner's inputs; 0: none.
    memory_channels: int = 0
    memory_scale: int = 3
    gradient_checkpointing: bool = False

    def __post_init__(self) -> None:
        self.channels = tuple(int(c) for c in self.channels)
        self.blocks_per_stage = tuple(int(b) for b in self.blocks_per_stage)
        self.decoder_blocks = tuple(int(b) for b in self.decoder_blocks)
        if not 0 <= self.prototype_scales <= len(self.channels):
            raise ValueError(f"prototype_scales={self.prototype_scales} must be between 0 and the number of scales")
        if self.prototype_context < 0 or (self.prototype_context > 0 and self.prototype_scales == 0):
            raise ValueError(f"prototype_context={self.prototype_context} must be 0, or positive with prototype_scales")
        if self.memory_channels < 0 or (self.memory_channels > 0 and self.prototype_scales == 0):
            raise ValueError(f"memory_channels={self.memory_channels} must be 0, or positive with prototype_scales")
        if self.memory_channels > 0 and not 1 <= self.memory_scale < len(self.channels):
            raise ValueError(f"memory_scale={self.memory_scale} must be a scale between 1 and {len(self.channels) - 1}")
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

    def prototype_scale_ids(self) -> list[int]:
        """Scale ids of the prototype scales, deepest first (e.g. [4, 3, 2, 1])."""
        n = len(self.channels)
        return [n - 1 - i for i in range(self.prototype_scales)]

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
    # weight of the dense correspondence loss (irisseg.train.correspondence) beside the segmentation loss;
    # > 0 needs DataConfig.correspondence
    correspondence_weight: float = 0.0
    # what the correspondence loss compares: the encoder's feature maps ("features"), or the dense reference
    # memory's key and query projections ("memory", a model with model.memory_channels > 0), the maps its
    # read-out matches
    correspondence_on: str = "features"
    device: str = "auto"  # auto (CUDA when present), cuda or cpu


@dataclass(frozen=True)
class AugmentStrength:
    """How strong per-subject augmentation is (0 everywhere = none); see ``irisseg.data.augment``.

    rotate_deg: maximum rotation; scale: maximum relative zoom per axis; translate: maximum shift as a
    fraction of the field of view; flip_prob: probability of mirroring along each permitted axis (never
    for left/right classes); gamma_std: std of log-gamma; contrast: maximum relative contrast change;
    noise_std: maximum noise std relative to the image std; bias: maximum amplitude of the log bias
    field; prob_spatial / prob_intensity: probability of applying each family.
    """

    rotate_deg: float = 15.0
    scale: float = 0.15
    translate: float = 0.08
    flip_prob: float = 0.5
    gamma_std: float = 0.25
    contrast: float = 0.25
    noise_std: float = 0.08
    bias: float = 0.3
    prob_spatial: float = 0.8
    prob_intensity: float = 0.8

    def scaled(self, factor: float) -> "AugmentStrength":
        """Every magnitude times ``factor`` (probabilities unchanged)."""
        return dataclasses.replace(
            self, rotate_deg=self.rotate_deg * factor, scale=self.scale * factor, translate=self.translate * factor,
            gamma_std=self.gamma_std * factor, contrast=self.contrast * factor, noise_std=self.noise_std * factor,
            bias=self.bias * factor)


@dataclass
class DataConfig:
    """Where episodes come from and how they are drawn (see ``irisseg.data.episodes``).

    Episode kinds are mixed by ``kind_weights``: ``real`` (a labelled set of the pack, sets weighted by
    ``dataset_weights``), ``supervoxels`` (label-free: supervoxels of one image under two independent
    crops), ``lesions`` (synthetic lesions placed independently in two real images), ``synthseg``
    (SynthSeg-style images of two label maps) and ``shapes`` (procedural shapes, placed independently
    in the query with ``relocate_prob``).
    """

    pack_dir: str = "pack"
    k_max: int = 6
    kind_weights: dict[str, float] = field(default_factory=lambda: {
        "real": 0.45, "supervoxels": 0.25, "lesions": 0.1, "synthseg": 0.1, "shapes": 0.1})
    dataset_weights: dict[str, float] = field(default_factory=lambda: {
        "hippocampus": 0.45, "brats": 0.08, "totalseg": 0.14, "voxelmorph": 0.18, "fetal": 0.15})
    class_drop_prob: float = 0.2  # random class dropping
    merge_prob: float = 0.25  # a class merges several labels (every labelled set; SynthSeg left/right pairs)
    cross_pair_prob: float = 0.3  # voxelmorph brain paired with a SynthSeg-style image
    same_contrast_prob: float = 0.7  # BraTS query in the reference's contrast
    min_class_voxels: int = 16  # at the grid, in the reference
    crop_prob: float = 0.3  # real tasks: independent crop-zoom of reference and query
    crop_min_fraction: float = 0.55  # a crop keeps at least this fraction of each axis
    self_pair_prob: float = 0.0  # real tasks: the query is the reference's own scan, re-cropped and re-posed
    # self-pair queries re-posed by an axis permutation ("permute"), or by any rotation or mirror by multiples
    # of 90 degrees ("any"; rotations only for left/right classes)
    self_pair_pose: str = "permute"
    focus_prob: float = 0.0  # real tasks: both sides cut to the box policy's boxes (irisseg.data.focus)
    # supervoxel tasks and self-pairs carry where each voxel lies in their shared source volume
    # (ref_coords / query_coords), for the dense correspondence loss (TrainConfig.correspondence_weight)
    correspondence: bool = False
    supervoxel_same_contrast_prob: float = 0.6  # supervoxel tasks: the query in the reference's contrast
    supervoxel_permute_prob: float = 0.5  # supervoxel tasks: the query's axes permuted
    supervoxel_mirror: bool = True  # supervoxel tasks: either view may be mirrored along any axis (augment.flip_prob)
    # supervoxel tasks: mirrors and permutations leave the left-right axis (0) alone, so a lump is never
    # shown where its left-right twin was: poses from the 8 symmetries of the front-back/up-down square
    supervoxel_keep_left_right: bool = False
    empty_query_prob: float = 0.08  # label-free, lesion and focus tasks: the query's crop or image lacks the target
    relocate_prob: float = 0.7  # shapes: the query's shapes placed anew, not near the reference's
    task_augment_prob: float = 0.25  # each of: invert both images, boundary shell, dilate/erode both
    ref_augment_scale: float = 0.5  # the reference's augmentation strength factor (weaker than the query's)
    query_augment_scale: float = 1.0  # the query's augmentation strength factor
    augment: AugmentStrength = field(default_factory=AugmentStrength)

    def __post_init__(self) -> None:
        if self.self_pair_pose not in ("permute", "any"):
            raise ValueError(f"self_pair_pose={self.self_pair_pose!r}: 'permute' or 'any'")


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
            prototype_scales=4,
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


#: Nested settings: section class -> field -> its dataclass (a YAML mapping or dict builds it).
NESTED: dict[type, dict[str, type]] = {DataConfig: {"augment": AugmentStrength}}


def _build(cls, defaults: dict[str, Any], overrides: dict[str, Any]):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    values = {**defaults, **overrides}
    for name, nested_cls in NESTED.get(cls, {}).items():
        if isinstance(values.get(name), dict):
            values[name] = _build(nested_cls, {}, values[name])
    return cls(**values)


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

"""Builds an :class:`IrisModel` from a :class:`ModelConfig`: the one place hyper-parameters
become modules."""
from __future__ import annotations

from irisseg.config import ModelConfig
from irisseg.model.decoder import MaskDecoder
from irisseg.model.encoder import UNetEncoder
from irisseg.model.iris import IrisModel
from irisseg.model.task_encoder import TaskEncoder


def task_scale_ids(cfg: ModelConfig) -> list[int]:
    """Indices of the task scales, deepest first (e.g. [4, 3, 2])."""
    n = len(cfg.channels)
    return [n - 1 - i for i in range(cfg.task_scales)]


def embedding_dim(cfg: ModelConfig) -> int:
    """E = (m + 1) * sum of the task scales' widths + 2 * sum of the prototype scales' widths."""
    tokens = (cfg.num_query_tokens + 1) * sum(cfg.channels[s] for s in task_scale_ids(cfg))
    return tokens + 2 * sum(cfg.channels[s] for s in cfg.prototype_scale_ids())


def build_iris(cfg: ModelConfig) -> IrisModel:
    if cfg.task_scales > len(cfg.channels) - 1:
        raise ValueError("task_scales must leave the finest scale out")
    scales = task_scale_ids(cfg)
    widths = [cfg.channels[s] for s in scales]
    heads = [cfg.heads(c) for c in widths]
    encoder = UNetEncoder(cfg.in_channels, cfg.channels, cfg.blocks_per_stage, cfg.full_res_convs)
    task_encoder = TaskEncoder(scales, widths, cfg.grid_size, cfg.num_query_tokens, heads, cfg.task_blocks,
                               cfg.context_channels, cfg.context_divisor, cfg.prototype_scale_ids())
    decoder = MaskDecoder(list(cfg.channels), list(cfg.decoder_blocks), scales, cfg.grid_size, cfg.num_query_tokens,
                          heads, cfg.fusion_blocks, cfg.embed_dim, cfg.deep_supervision, cfg.full_res_convs,
                          cfg.output_scale, cfg.prototype_scale_ids(), cfg.prototype_context)
    return IrisModel(encoder, task_encoder, decoder, cfg.grid_size, embedding_dim(cfg), cfg.gradient_checkpointing)

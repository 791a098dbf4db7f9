"""Builds an :class:`IrisModel` from a :class:`ModelConfig`: the one place hyper-parameters
become modules."""
from __future__ import annotations

import torch

from irisseg.config import ModelConfig
from irisseg.model.decoder import MaskDecoder
from irisseg.model.encoder import UNetEncoder
from irisseg.model.iris import IrisModel
from irisseg.model.memory import memory_size
from irisseg.model.task_encoder import TaskEncoder


#: The dense reference memory's key and query projections, whose shape depends on the memory's scale: what a warm
#: start moving the memory to another scale starts afresh (``scripts/add_reference_memory.py``).
MEMORY_PROJECTIONS = ("task_encoder.memory.key.weight", "task_encoder.memory.key.bias",
                      "decoder.refiner.memory.query.weight", "decoder.refiner.memory.query.bias")


def task_scale_ids(cfg: ModelConfig) -> list[int]:
    """Indices of the task scales, deepest first (e.g. [4, 3, 2])."""
    n = len(cfg.channels)
    return [n - 1 - i for i in range(cfg.task_scales)]


def embedding_dim(cfg: ModelConfig) -> int:
    """E = (m + 1) * sum of the task scales' widths + 2 * sum of the prototype scales' widths + the dense
    reference memory's (d + 1) * (G / 2^s)^3 (none when ``memory_channels`` is 0)."""
    tokens = (cfg.num_query_tokens + 1) * sum(cfg.channels[s] for s in task_scale_ids(cfg))
    return tokens + 2 * sum(cfg.channels[s] for s in cfg.prototype_scale_ids()) + memory_dim(cfg)


def memory_dim(cfg: ModelConfig) -> int:
    """Values per class of the dense reference memory in the embedding (0 without one)."""
    if cfg.memory_channels == 0:
        return 0
    return memory_size(cfg.grid_size, cfg.memory_scale, cfg.memory_channels)


def build_iris(cfg: ModelConfig) -> IrisModel:
    if cfg.task_scales > len(cfg.channels) - 1:
        raise ValueError("task_scales must leave the finest scale out")
    scales = task_scale_ids(cfg)
    widths = [cfg.channels[s] for s in scales]
    heads = [cfg.heads(c) for c in widths]
    encoder = UNetEncoder(cfg.in_channels, cfg.channels, cfg.blocks_per_stage, cfg.full_res_convs)
    memory = (cfg.memory_scale, cfg.memory_channels)
    memory_width = cfg.channels[cfg.memory_scale] if cfg.memory_channels > 0 else 0
    task_encoder = TaskEncoder(scales, widths, cfg.grid_size, cfg.num_query_tokens, heads, cfg.task_blocks,
                               cfg.context_channels, cfg.context_divisor, cfg.prototype_scale_ids(), memory,
                               memory_width)
    decoder = MaskDecoder(list(cfg.channels), list(cfg.decoder_blocks), scales, cfg.grid_size, cfg.num_query_tokens,
                          heads, cfg.fusion_blocks, cfg.embed_dim, cfg.deep_supervision, cfg.full_res_convs,
                          cfg.output_scale, cfg.prototype_scale_ids(), cfg.prototype_context, memory, memory_width)
    if task_encoder.memory is not None and decoder.refiner is not None and decoder.refiner.memory is not None:
        with torch.no_grad():  # the query projection starts as the key projection: a voxel first matches its twin
            decoder.refiner.memory.query.weight.copy_(task_encoder.memory.key.weight)
            decoder.refiner.memory.query.bias.copy_(task_encoder.memory.key.bias)
    return IrisModel(encoder, task_encoder, decoder, cfg.grid_size, embedding_dim(cfg), cfg.gradient_checkpointing)

"""Task encoding: from reference features and class masks to task tokens (Iris, Sec. 3.2).

Per class and per task scale (the deepest scales), the embedding is ``m + 1`` tokens of the
scale's width ``C``: a foreground token (masked average of the features) followed by ``m``
learnable contextual tokens that attend to mask-conditioned features.
"""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from irisseg.model.attention import CrossAttentionLayer, SelfAttentionLayer
from irisseg.model.blocks import Conv3d, PointwiseMLP, pixel_shuffle_3d, pixel_unshuffle_3d
from irisseg.model.memory import MemoryWriter


def foreground_token(features: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Masked average of features over each class mask.

    features [B, C, n, n, n], masks [B, K, G, G, G] (soft, in [0, 1]) -> [B, K, C].
    Equal to the masked mean of the features up-sampled (nearest) to the mask's grid: the mask
    is area-pooled to the feature grid as weights, so a one-voxel structure still has weight.
    """
    weights = F.adaptive_avg_pool3d(masks, features.shape[2:])  # [B, K, n, n, n]
    w = weights.flatten(2)  # [B, K, n^3]
    f = features.flatten(2)  # [B, C, n^3]
    total = w.sum(-1, keepdim=True).clamp_min(1e-6)
    return torch.einsum("bkv,bcv->bkc", w, f) / total


def on_grid(masks: torch.Tensor, grid: int) -> torch.Tensor:
    """masks [B, K, g, g, g] area-pooled to [B, K, grid, grid, grid] (themselves when already there)."""
    if masks.shape[2] == grid:
        return masks
    return F.adaptive_avg_pool3d(masks, [grid, grid, grid])


class MaskContextFusion(nn.Module):
    """Memory-efficient fusion of the full-resolution mask with low-resolution features.

    1x1 conv C -> c*s^3, 3D pixel shuffle to the grid, concatenate the class mask, a per-voxel
    MLP (c+1 -> 8 -> c; spatial mixing happens in the unshuffle + 1x1 conv, so no 3x3x3
    convolution runs at full resolution), add a learnable position embedding, pixel unshuffle, 1x1 conv back to C, residual add.
    features [B, C, n, n, n], masks [B, K, g, g, g] (any grid; area-pooled to ``grid`` if another)
    -> [B*K, C, n, n, n]
    """

    def __init__(self, channels: int, scale: int, grid: int, context_channels: int = 1):
        """``scale``: up-sampling factor from the feature map to the fusion grid ``grid``."""
        super().__init__()
        self.scale = scale
        self.grid = grid
        self.cc = context_channels
        self.expand = Conv3d(channels, context_channels * scale**3, 1)
        self.mix = PointwiseMLP(context_channels + 1, 8, context_channels)
        self.position = nn.Parameter(torch.zeros(1, context_channels, grid, grid, grid))
        self.reduce = Conv3d(context_channels * scale**3, channels, 1)
        nn.init.trunc_normal_(self.position, std=0.02)

    def forward(self, features: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        b, k = masks.shape[0], masks.shape[1]
        masks = on_grid(masks, self.grid)
        up = pixel_shuffle_3d(self.expand(features), self.scale)  # [B, cc, G, G, G]
        up = up.unsqueeze(1).expand(b, k, self.cc, up.shape[2], up.shape[3], up.shape[4])
        x = torch.cat([up, masks.unsqueeze(2)], dim=2).flatten(0, 1)  # [B*K, cc+1, G, G, G]
        x = self.mix(x) + self.position
        x = self.reduce(pixel_unshuffle_3d(x, self.scale))  # [B*K, C, n, n, n]
        return x + features.repeat_interleave(k, dim=0)


class ScaleTaskEncoder(nn.Module):
    """Task tokens at one scale: [fg; m learnable] tokens refined by attention blocks.

    Each block: self-attention + FFN, cross-attention to mask-conditioned features + FFN,
    self-attention + FFN (pre-norm). features [B, C, n, n, n], masks [B, K, G, G, G],
    context_masks [B, K, g, g, g] (the masks on the context fusion's grid, or the masks themselves)
    -> tokens [B, K, m + 1, C]
    """

    def __init__(self, channels: int, scale: int, grid: int, num_tokens: int, heads: int, blocks: int, context_channels: int):
        """``scale``/``grid``: the context fusion's up-sampling factor and grid (see MaskContextFusion)."""
        super().__init__()
        self.context = MaskContextFusion(channels, scale, grid, context_channels)
        self.queries = nn.Parameter(torch.randn(1, num_tokens, channels) * 0.02)
        self.sa1 = nn.ModuleList([SelfAttentionLayer(channels, heads) for _ in range(blocks)])
        self.ca = nn.ModuleList([CrossAttentionLayer(channels, heads) for _ in range(blocks)])
        self.sa2 = nn.ModuleList([SelfAttentionLayer(channels, heads) for _ in range(blocks)])

    def forward(self, features: torch.Tensor, masks: torch.Tensor, context_masks: torch.Tensor) -> torch.Tensor:
        b, k = masks.shape[0], masks.shape[1]
        fg = foreground_token(features, masks).flatten(0, 1).unsqueeze(1)  # [B*K, 1, C]
        ctx = self.context(features, context_masks).flatten(2).transpose(1, 2)  # [B*K, n^3, C]
        tokens = torch.cat([fg, self.queries.expand(b * k, -1, -1)], dim=1)
        for sa1, ca, sa2 in zip(self.sa1, self.ca, self.sa2):
            tokens = sa2(ca(sa1(tokens), ctx))
        # the foreground token keeps its masked-average identity as a residual anchor
        tokens = torch.cat([tokens[:, :1] + fg, tokens[:, 1:]], dim=1)
        return tokens.reshape(b, k, tokens.shape[1], tokens.shape[2])


class TaskEncoder(nn.Module):
    """Task embedding over the deepest ``len(scale_ids)`` scales, deepest first.

    features: list of N maps (finest first), masks [B, K, G, G, G] -> embedding [B, K, E],
    E = (m + 1) * sum(C_s) + 2 * sum(C_p) (the prototypes of ``prototype_scales``, see
    :mod:`irisseg.model.prototypes`) + the dense reference memory where ``memory`` is given (``(scale id, key
    channels)``, see :mod:`irisseg.model.memory`); layout in docs/export-contract.md.
    """

    # typed for TorchScript, which cannot infer the element type of an empty list (a model without prototypes)
    __annotations__ = {"prototype_scales": List[int]}

    def __init__(self, scale_ids: List[int], channels: List[int], grid: int, num_tokens: int,
                 heads: List[int], blocks: int, context_channels: int, context_divisor: int = 1,
                 prototype_scales: List[int] = (), memory: Tuple[int, int] = (0, 0), memory_width: int = 0):
        """``memory``: (scale id, key channels) of the dense reference memory, ``memory_width`` the encoder's
        channels at that scale; key channels 0: no memory."""
        super().__init__()
        self.scale_ids = scale_ids
        self.prototype_scales = list(prototype_scales)
        self.context_grid = grid // context_divisor
        encoders = []
        for sid, c, h in zip(scale_ids, channels, heads):
            scale = 2**sid // context_divisor
            encoders.append(ScaleTaskEncoder(c, scale, self.context_grid, num_tokens, h, blocks, context_channels))
        self.encoders = nn.ModuleList(encoders)
        self.memory = MemoryWriter(memory[0], memory_width, memory[1]) if memory[1] > 0 else None

    def forward(self, features: List[torch.Tensor], masks: torch.Tensor) -> torch.Tensor:
        parts: List[torch.Tensor] = []
        # every scale fuses the masks on one grid: pooled there once, not once per scale
        context_masks = on_grid(masks, self.context_grid)
        i = 0
        for enc in self.encoders:
            tokens = enc(features[self.scale_ids[i]], masks, context_masks)  # [B, K, m+1, C]
            parts.append(tokens.flatten(2))
            i += 1
        if len(self.prototype_scales) > 0:
            parts.append(prototypes(features, masks, self.prototype_scales))
        if self.memory is not None:
            parts.append(self.memory(features, masks))
        return torch.cat(parts, dim=2)


def prototypes(features: List[torch.Tensor], masks: torch.Tensor, scale_ids: List[int]) -> torch.Tensor:
    """[B, K, 2 * sum(C_s)]: per scale of ``scale_ids``, the foreground then the background prototype."""
    parts: List[torch.Tensor] = []
    for s in scale_ids:
        parts.append(foreground_token(features[s], masks))
        parts.append(foreground_token(features[s], 1.0 - masks))
    return torch.cat(parts, dim=2)

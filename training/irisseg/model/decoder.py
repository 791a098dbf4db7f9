"""Query-based mask decoder: UNet decoder with bidirectional token/feature fusion and a
per-class dynamic head (Iris, Sec. 3.3)."""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from irisseg.model.attention import CrossAttentionLayer, SelfAttentionLayer
from irisseg.model.blocks import Conv3d, ConvNormAct, PointwiseMLP, residual_stage
from irisseg.model.preprocess import upsample_features
from irisseg.model.prototypes import PrototypeRefiner


class UpStage(nn.Module):
    """Up-sample, concatenate the skip, residual blocks (UNet decoder stage).

    x [B, C_hi, n, n, n], skip [B, C_lo, 2n, 2n, 2n] -> [B, C_lo, 2n, 2n, 2n]
    """

    def __init__(self, hi: int, lo: int, blocks: int):
        super().__init__()
        self.blocks = residual_stage(hi + lo, lo, blocks)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = upsample_features(x, [skip.shape[2], skip.shape[3], skip.shape[4]])
        return self.blocks(torch.cat([x, skip], dim=1))


class LightUpStage(nn.Module):
    """Cheap stage for the full-resolution level: 1x1 projection at low resolution, up-sample,
    add the skip, one 3x3x3 conv (or, ``conv=False``, a per-voxel MLP). Used where
    ``decoder_blocks`` is 0.

    x [B, C_hi, n, n, n], skip [B, C_lo, 2n, 2n, 2n] -> [B, C_lo, 2n, 2n, 2n]
    """

    def __init__(self, hi: int, lo: int, conv: bool = True):
        super().__init__()
        self.project = Conv3d(hi, lo, 1)
        self.conv = ConvNormAct(lo, lo) if conv else PointwiseMLP(lo, lo, lo)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = upsample_features(self.project(x), [skip.shape[2], skip.shape[3], skip.shape[4]])
        return self.conv(x + skip)


class FusionLayer(nn.Module):
    """Bidirectional cross-attention between features and all K(m+1) task tokens.

    tokens <- CA(tokens, features) + FFN; features <- CA(features, tokens) + FFN;
    tokens <- SA(tokens) + FFN (classes interact).
    x [B, C, n, n, n], tokens [B, T, C] -> (x, tokens) of the same shapes.
    """

    def __init__(self, channels: int, size: int, heads: int):
        super().__init__()
        self.position = nn.Parameter(torch.randn(1, size**3, channels) * 0.02)
        self.tokens_from_features = CrossAttentionLayer(channels, heads)
        self.features_from_tokens = CrossAttentionLayer(channels, heads)
        self.token_self = SelfAttentionLayer(channels, heads)

    def forward(self, x: torch.Tensor, tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, c, d, h, w = x.shape
        f = x.flatten(2).transpose(1, 2) + self.position  # [B, n^3, C]
        tokens = self.tokens_from_features(tokens, f)
        f = self.features_from_tokens(f, tokens)
        tokens = self.token_self(tokens)
        return f.transpose(1, 2).reshape(b, c, d, h, w), tokens


class DynamicHead(nn.Module):
    """Per-class classifier from the foreground tokens of every task scale.

    class tokens [B, K, sum C_s] -> LayerNorm -> MLP -> weights [B, K, D] and bias [B, K].
    """

    def __init__(self, token_dim: int, embed_dim: int):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.LayerNorm(token_dim), nn.Linear(token_dim, token_dim), nn.GELU(), nn.Linear(token_dim, embed_dim + 1)
        )

    def forward(self, class_tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        out = self.mlp(class_tokens)
        return out[..., :-1], out[..., -1]


def class_logits(features: torch.Tensor, weights: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """features [B, D, ...], weights [B, K, D], bias [B, K] -> logits [B, K, ...]."""
    b, dim = features.shape[0], features.shape[1]
    spatial = features.shape[2:]
    logits = torch.bmm(weights, features.reshape(b, dim, -1)) + bias.unsqueeze(-1)
    return logits.reshape([b, weights.shape[1]] + list(spatial))


class MaskDecoder(nn.Module):
    """Decode query features with a task embedding into K logit maps in one pass.

    features: N maps (finest first), embedding [B, K, E]
    -> logits [B, K, G, G, G], aux: deep-supervision logits at scales o+1..N-1 (finest first), where
    o = ``output_scale``: the decoder stops at scale o and its logits are trilinearly up-sampled to G.
    With ``prototype_scales``, the final logits are refined by prototype matching (see
    :mod:`irisseg.model.prototypes`); the embedding's prototypes follow its tokens, and the dense reference
    memory, where the model has one, follows them.
    """

    def __init__(self, channels: List[int], decoder_blocks: List[int], scale_ids: List[int], grid: int,
                 num_tokens: int, heads: List[int], fusion_blocks: int, embed_dim: int, deep_supervision: bool,
                 full_res_convs: bool = True, output_scale: int = 0, prototype_scales: List[int] = (),
                 prototype_context: int = 0, memory: Tuple[int, int] = (0, 0), memory_width: int = 0):
        """``memory``: (scale id, key channels) of the dense reference memory the refiner reads (0 channels:
        none; :mod:`irisseg.model.memory`), ``memory_width`` the encoder's channels at that scale."""
        super().__init__()
        n = len(channels)
        self.token_dim = (num_tokens + 1) * sum(channels[s] for s in scale_ids)
        self.has_prototypes = len(prototype_scales) > 0
        self.refiner = PrototypeRefiner(list(prototype_scales), [channels[s] for s in prototype_scales],
                                        context=prototype_context, memory=memory,
                                        memory_width=memory_width) if self.has_prototypes else None
        self.output_scale = output_scale
        self.scale_ids = scale_ids  # deepest first, matching the embedding layout
        self.token_widths = [channels[s] for s in scale_ids]
        self.tokens_per_class = num_tokens + 1
        self.deep_supervision = deep_supervision
        fusions = []
        for s, h in zip(scale_ids, heads):
            size = grid // 2**s
            fusions.append(nn.ModuleList([FusionLayer(channels[s], size, h) for _ in range(fusion_blocks)]))
        self.fusions = nn.ModuleList(fusions)
        # up-stage j goes from scale n-1-j to n-2-j
        ups = []
        for j in range(n - 1 - output_scale):
            hi, lo = n - 1 - j, n - 2 - j
            if decoder_blocks[j] > 0:
                ups.append(UpStage(channels[hi], channels[lo], decoder_blocks[j]))
            else:
                ups.append(LightUpStage(channels[hi], channels[lo], conv=full_res_convs or lo != 0))
        self.ups = nn.ModuleList(ups)
        self.head = DynamicHead(sum(self.token_widths), embed_dim)
        self.project = Conv3d(channels[output_scale], embed_dim, 1)
        self.aux_project = nn.ModuleList([Conv3d(channels[s], embed_dim, 1) for s in range(output_scale + 1, n)])

    def split_embedding(self, embedding: torch.Tensor) -> List[torch.Tensor]:
        """[B, K, E] -> per task scale (deepest first) tokens [B, K*(m+1), C_s]."""
        b, k = embedding.shape[0], embedding.shape[1]
        out: List[torch.Tensor] = []
        start = 0
        for c in self.token_widths:
            width = self.tokens_per_class * c
            part = embedding[:, :, start:start + width].reshape(b, k * self.tokens_per_class, c)
            out.append(part)
            start += width
        return out

    def forward(self, features: List[torch.Tensor], embedding: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        b, k = embedding.shape[0], embedding.shape[1]
        tokens = self.split_embedding(embedding)
        n = len(features)
        x = features[n - 1]
        decoded: List[torch.Tensor] = [x]  # decoder maps, deepest first
        fused_tokens: List[torch.Tensor] = []
        for j, up in enumerate(self.ups):
            scale = n - 1 - j
            for f_idx, fusion in enumerate(self.fusions):
                if self.scale_ids[f_idx] == scale:
                    t = tokens[f_idx]
                    for layer in fusion:
                        x, t = layer(x, t)
                    fused_tokens.append(t)
                    decoded[len(decoded) - 1] = x
            x = up(x, features[scale - 1])
            decoded.append(x)
        class_tokens = torch.cat(
            [t.reshape(b, k, self.tokens_per_class, t.shape[2])[:, :, 0] for t in fused_tokens], dim=2
        )
        weights, bias = self.head(class_tokens)
        logits = class_logits(self.project(x), weights, bias)
        if self.refiner is not None:
            logits = self.refiner(logits, features, embedding[:, :, self.token_dim:])
        if self.output_scale > 0:
            g = features[0]
            logits = upsample_features(logits, [g.shape[2], g.shape[3], g.shape[4]])
        aux: List[torch.Tensor] = []
        if self.deep_supervision:
            # decoded is deepest first; aux scales o+1..n-1, finest first
            for i, proj in enumerate(self.aux_project):
                aux.append(class_logits(proj(decoded[n - 2 - i - self.output_scale]), weights, bias))
        return logits, aux

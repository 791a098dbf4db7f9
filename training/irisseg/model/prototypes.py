"""Prototype matching: the explicit path by which a prediction follows its reference.

The task encoder appends, per class and per prototype scale (deepest first), the masked mean of the
reference's features inside the class mask (foreground prototype) and outside it (background
prototype) to the embedding. The decoder compares every query voxel's features with both (cosine
similarity, as in PANet / SSL-ALPNet) and a small per-class convolutional refiner turns the similarity
maps plus the decoder's own logit into a correction of that logit. The refiner's last layer starts
near zero (std 1e-3), so a model warm-started without it predicts almost exactly as before.

With ``context`` channels (:class:`PrototypeContext`), the refiner also reads a per-class coarse-to-fine pass
over the similarity maps and the query's own features at the prototype scales from :data:`CONTEXT_FINEST_SCALE`
up (a small prototype-conditioned UNet decoder), so what it decides at a voxel can depend on the matching around
it, not only on the 5 voxels its two convolutions see. Those channels come last in the refiner's input: a model
warm-started without them reads them through zero weights (``irisseg.weights.widen_inputs``) and predicts
exactly as before (``scripts/add_prototype_context.py`` starts those weights at the other inputs' spread instead).
"""
from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from irisseg.model.blocks import Conv3d
from irisseg.model.memory import READ_CHANNELS, MemoryReader
from irisseg.model.preprocess import upsample_features


def native_similarities(features: List[torch.Tensor], protos: torch.Tensor, scale_ids: List[int],
                         widths: List[int]) -> List[torch.Tensor]:
    """Per prototype scale (deepest first) [B*K, 2, n, n, n]: cosine similarity of the query features at that
    scale with its foreground and background prototype, on the scale's own grid."""
    out: List[torch.Tensor] = []
    start = 0
    for i in range(len(scale_ids)):
        c = widths[i]
        f = F.normalize(features[scale_ids[i]], dim=1)  # [B, C, n, n, n]
        pair: List[torch.Tensor] = []
        for _ in range(2):
            p = F.normalize(protos[:, :, start:start + c], dim=2)  # [B, K, C]
            pair.append(torch.einsum("bkc,bcxyz->bkxyz", p, f))
            start += c
        out.append(torch.stack(pair, dim=2).flatten(0, 1))
    return out


def similarity_maps(features: List[torch.Tensor], protos: torch.Tensor, scale_ids: List[int], widths: List[int],
                    size: List[int]) -> torch.Tensor:
    """[B*K, 2*S, *size]: cosine similarity of the query features with each prototype, up-sampled to ``size``."""
    maps = [upsample_features(m, size) for m in native_similarities(features, protos, scale_ids, widths)]
    return torch.cat(maps, dim=1)


#: Cosine similarities are scaled by this before the refiner (PANet uses 20): a [-1, 1] map becomes a
#: signal of the size of a logit.
SIMILARITY_SCALE = 10.0
#: The refiner's correction is multiplied by this, so that it can outweigh a confident base logit after a
#: few hundred steps rather than thousands (an Adam step moves a weight by about the learning rate).
OUTPUT_GAIN = 8.0


#: The finest scale the context runs at (2: a quarter of the grid, 16^3 on the 64 grid); finer scales would
#: cost K times a convolution at 32^3 or more, and the refiner reads their similarity maps itself.
CONTEXT_FINEST_SCALE = 2


class PrototypeContext(nn.Module):
    """Per class, coarse to fine over the prototype scales from :data:`CONTEXT_FINEST_SCALE` up (``scale_ids``
    deepest first): at each, [2 scaled similarities, the query's features projected to ``channels``, the
    level above up-sampled] -> 3x3x3 conv -> GELU.

    similarities: :func:`native_similarities` (every prototype scale), features: the encoder's maps (finest
    first), ``k`` classes -> [B*K, channels, n, n, n] on the finest of those scales.
    """

    def __init__(self, scale_ids: List[int], widths: List[int], channels: int):
        super().__init__()
        levels = [i for i in range(len(scale_ids)) if scale_ids[i] >= CONTEXT_FINEST_SCALE]
        if len(levels) == 0:
            raise ValueError(f"the prototype context needs a prototype scale of {CONTEXT_FINEST_SCALE} or coarser")
        self.levels = levels
        self.level_scales = [scale_ids[i] for i in levels]
        self.similarity_scale = SIMILARITY_SCALE
        self.project = nn.ModuleList([Conv3d(widths[i], channels, 1) for i in levels])
        self.convs = nn.ModuleList([Conv3d(2 + channels + (channels if j > 0 else 0), channels, 3, padding=1)
                                    for j in range(len(levels))])

    def forward(self, similarities: List[torch.Tensor], features: List[torch.Tensor], k: int) -> torch.Tensor:
        h = torch.zeros(0)
        j = 0
        for project, conv in zip(self.project, self.convs):
            sims = self.similarity_scale * similarities[self.levels[j]]
            f = project(features[self.level_scales[j]]).repeat_interleave(k, dim=0)  # [B*K, c, n, n, n]
            x = torch.cat([sims, f], dim=1)
            if j > 0:
                x = torch.cat([x, upsample_features(h, [x.shape[2], x.shape[3], x.shape[4]])], dim=1)
            h = F.gelu(conv(x))
            j += 1
        return h


class PrototypeRefiner(nn.Module):
    """logits [B, K, *size] + similarity maps -> refined logits (same shape).

    Per class: [logit, 2*S scaled similarities, ``context`` channels of :class:`PrototypeContext` up-sampled
    (none when 0), the dense reference memory's 3 read-out maps scaled and up-sampled (none without a memory,
    :mod:`irisseg.model.memory`)] -> 3x3x3 conv -> GELU -> 3x3x3 conv -> GELU -> 1x1 conv (near zero at start)
    x :data:`OUTPUT_GAIN`.
    """

    def __init__(self, scale_ids: List[int], widths: List[int], hidden: int = 8, context: int = 0,
                 memory: Tuple[int, int] = (0, 0), memory_width: int = 0):
        """``memory``: (scale id, key channels) of the dense reference memory, ``memory_width`` the encoder's
        channels at that scale; key channels 0: no memory."""
        super().__init__()
        self.scale_ids = scale_ids
        self.widths = widths
        self.similarity_scale = SIMILARITY_SCALE
        self.output_gain = OUTPUT_GAIN
        self.context = PrototypeContext(scale_ids, widths, context) if context > 0 else None
        self.prototype_dim = 2 * sum(widths)
        self.memory = MemoryReader(memory[0], memory_width, memory[1]) if memory[1] > 0 else None
        channels = 1 + 2 * len(scale_ids) + context + (READ_CHANNELS if memory[1] > 0 else 0)
        self.conv1 = Conv3d(channels, hidden, 3, padding=1)
        self.conv2 = Conv3d(hidden, hidden, 3, padding=1)
        self.out = Conv3d(hidden, 1, 1)
        nn.init.normal_(self.out.weight, std=1e-3)  # near zero: the path starts silent but trainable
        nn.init.zeros_(self.out.bias)

    def forward(self, logits: torch.Tensor, features: List[torch.Tensor], protos: torch.Tensor) -> torch.Tensor:
        """``protos``: the embedding after its tokens [B, K, E - token values]: the prototypes, then the memory."""
        b, k = logits.shape[0], logits.shape[1]
        size = [logits.shape[2], logits.shape[3], logits.shape[4]]
        native = native_similarities(features, protos, self.scale_ids, self.widths)
        sims = self.similarity_scale * torch.cat([upsample_features(m, size) for m in native], dim=1)
        x = torch.cat([logits.flatten(0, 1).unsqueeze(1), sims], dim=1)
        if self.context is not None:
            x = torch.cat([x, upsample_features(self.context(native, features, k), size)], dim=1)
        if self.memory is not None:
            read = self.memory(features, protos[:, :, self.prototype_dim:])
            x = torch.cat([x, self.similarity_scale * upsample_features(read, size)], dim=1)
        x = F.gelu(self.conv2(F.gelu(self.conv1(x))))
        return logits + self.output_gain * self.out(x).reshape(b, k, size[0], size[1], size[2])

"""Prototype matching: the explicit path by which a prediction follows its reference.

The task encoder appends, per class and per prototype scale (deepest first), the masked mean of the
reference's features inside the class mask (foreground prototype) and outside it (background
prototype) to the embedding. The decoder compares every query voxel's features with both (cosine
similarity, as in PANet / SSL-ALPNet) and a small per-class convolutional refiner turns the similarity
maps plus the decoder's own logit into a correction of that logit. The refiner's last layer starts
near zero (std 1e-3), so a model warm-started without it predicts almost exactly as before.
"""
from __future__ import annotations

from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from irisseg.model.blocks import Conv3d
from irisseg.model.preprocess import upsample_features


def similarity_maps(features: List[torch.Tensor], protos: torch.Tensor, scale_ids: List[int], widths: List[int],
                    size: List[int]) -> torch.Tensor:
    """[B*K, 2*S, *size]: cosine similarity of the query features with each prototype, up-sampled to ``size``."""
    b, k = protos.shape[0], protos.shape[1]
    maps: List[torch.Tensor] = []
    start = 0
    for i in range(len(scale_ids)):
        c = widths[i]
        f = F.normalize(features[scale_ids[i]], dim=1)  # [B, C, n, n, n]
        for _ in range(2):
            p = F.normalize(protos[:, :, start:start + c], dim=2)  # [B, K, C]
            sim = torch.einsum("bkc,bcxyz->bkxyz", p, f)
            maps.append(upsample_features(sim, size))
            start += c
    return torch.stack(maps, dim=2).flatten(0, 1)


#: Cosine similarities are scaled by this before the refiner (PANet uses 20): a [-1, 1] map becomes a
#: signal of the size of a logit.
SIMILARITY_SCALE = 10.0
#: The refiner's correction is multiplied by this, so that it can outweigh a confident base logit after a
#: few hundred steps rather than thousands (an Adam step moves a weight by about the learning rate).
OUTPUT_GAIN = 8.0


class PrototypeRefiner(nn.Module):
    """logits [B, K, *size] + similarity maps -> refined logits (same shape).

    Per class: [logit, 2*S scaled similarities] -> 3x3x3 conv -> GELU -> 3x3x3 conv -> GELU -> 1x1 conv
    (near zero at start) x :data:`OUTPUT_GAIN`.
    """

    def __init__(self, scale_ids: List[int], widths: List[int], hidden: int = 8):
        super().__init__()
        self.scale_ids = scale_ids
        self.widths = widths
        self.similarity_scale = SIMILARITY_SCALE
        self.output_gain = OUTPUT_GAIN
        channels = 1 + 2 * len(scale_ids)
        self.conv1 = Conv3d(channels, hidden, 3, padding=1)
        self.conv2 = Conv3d(hidden, hidden, 3, padding=1)
        self.out = Conv3d(hidden, 1, 1)
        nn.init.normal_(self.out.weight, std=1e-3)  # near zero: the path starts silent but trainable
        nn.init.zeros_(self.out.bias)

    def forward(self, logits: torch.Tensor, features: List[torch.Tensor], protos: torch.Tensor) -> torch.Tensor:
        b, k = logits.shape[0], logits.shape[1]
        size = [logits.shape[2], logits.shape[3], logits.shape[4]]
        sims = self.similarity_scale * similarity_maps(features, protos, self.scale_ids, self.widths, size)
        x = torch.cat([logits.flatten(0, 1).unsqueeze(1), sims], dim=1)
        x = F.gelu(self.conv2(F.gelu(self.conv1(x))))
        return logits + self.output_gain * self.out(x).reshape(b, k, size[0], size[1], size[2])

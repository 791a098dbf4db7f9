"""3D residual UNet encoder shared by reference and query images."""
from __future__ import annotations

from typing import List

import torch
from torch import nn

from irisseg.model.blocks import MaxPool2, Stem, residual_stage


class UNetEncoder(nn.Module):
    """Stem (pointwise lift + conv), then one residual stage per scale with max-pool 2 between scales.

    input  [B, in_channels, G, G, G]
    output list of N feature maps, finest first: f_i [B, channels[i], G/2^i, G/2^i, G/2^i]
    """

    def __init__(self, in_channels: int, channels: tuple[int, ...], blocks_per_stage: tuple[int, ...],
                 full_res_convs: bool = True):
        super().__init__()
        self.stem = Stem(in_channels, channels[0], conv=full_res_convs)
        stages = []
        prev = channels[0]
        for c, n in zip(channels, blocks_per_stage):
            stages.append(residual_stage(prev, c, n))
            prev = c
        self.stages = nn.ModuleList(stages)
        self.pool = MaxPool2()

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x = self.stem(x)
        features: List[torch.Tensor] = []
        for i, stage in enumerate(self.stages):
            if i > 0:
                x = self.pool(x)
            x = stage(x)
            features.append(x)
        return features

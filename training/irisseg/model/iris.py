"""The Iris network (Gao et al., "Show and Segment", CVPR 2025).

All tensors here live on the model grid G^3; native-size handling is in :mod:`irisseg.modules`.
"""
from __future__ import annotations

from typing import List, Tuple

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from irisseg.model.decoder import MaskDecoder
from irisseg.model.encoder import UNetEncoder
from irisseg.model.task_encoder import TaskEncoder


class IrisModel(nn.Module):
    """Encoder + task encoder + mask decoder; built by :func:`irisseg.model.build_iris`.

    - ``encode_image(image [B,1,G,G,G]) -> list of N maps f_i [B, C_i, G/2^i, ...]``
    - ``encode_task(features, masks [B,K,G,G,G]) -> embedding [B, K, E]``
    - ``decode(features, embedding [B,K,E]) -> (logits [B,K,G,G,G], aux logits list)``
    """

    def __init__(self, encoder: UNetEncoder, task_encoder: TaskEncoder, decoder: MaskDecoder,
                 grid_size: int, embedding_dim: int, gradient_checkpointing: bool = False):
        super().__init__()
        self.encoder = encoder
        self.task_encoder = task_encoder
        self.decoder = decoder
        self.grid_size = grid_size
        self.embedding_dim = embedding_dim
        self.gradient_checkpointing = gradient_checkpointing

    def encode_image(self, image: torch.Tensor) -> List[torch.Tensor]:
        if self.gradient_checkpointing and self.training and image.requires_grad is False:
            return checkpoint(self.encoder, image, use_reentrant=False)
        return self.encoder(image)

    def encode_task(self, features: List[torch.Tensor], masks: torch.Tensor) -> torch.Tensor:
        return self.task_encoder(features, masks)

    def decode(self, features: List[torch.Tensor], embedding: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        if embedding.shape[-1] != self.embedding_dim:
            raise ValueError(f"embedding has {embedding.shape[-1]} values per class, the model expects {self.embedding_dim}")
        return self.decoder(features, embedding)

    def forward(self, ref_image: torch.Tensor, ref_masks: torch.Tensor, query_image: torch.Tensor
                ) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        """ref_image [B,1,G,G,G], ref_masks [B,K,G,G,G], query_image [B,1,G,G,G] -> (logits, aux)."""
        embedding = self.encode_task(self.encode_image(ref_image), ref_masks)
        return self.decode(self.encode_image(query_image), embedding)

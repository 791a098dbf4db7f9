"""The training forward pass as one module, so that DDP sees (and synchronises) all of it."""
from __future__ import annotations

from typing import List, Tuple

from torch import Tensor, nn


class EpisodeForward(nn.Module):
    """``(ref_image, ref_masks, query_image) -> (logits, aux, embedding, ref_features, query_features)``.

    Shapes: images ``[B, 1, G, G, G]``, ``ref_masks [B, K, G, G, G]``; returns ``logits [B, K, G, G, G]``,
    the deep-supervision logits (coarse, finest first), the task ``embedding [B, K, E]``, which the
    memory bank records, and both images' feature maps (finest first; the correspondence loss reads them).
    Equivalent to ``IrisModel.forward`` plus the embedding and the features.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ref_image: Tensor, ref_masks: Tensor, query_image: Tensor
                ) -> Tuple[Tensor, List[Tensor], Tensor, List[Tensor], List[Tensor]]:
        ref_features = self.model.encode_image(ref_image)
        embedding = self.model.encode_task(ref_features, ref_masks)
        query_features = self.model.encode_image(query_image)
        logits, aux = self.model.decode(query_features, embedding)
        return logits, aux, embedding, ref_features, query_features

"""The training forward pass as one module, so that DDP sees (and synchronises) all of it."""
from __future__ import annotations

from typing import List, Tuple

from torch import Tensor, nn


class EpisodeForward(nn.Module):
    """``(ref_image, ref_masks, query_image) -> (logits, aux, embedding, ref_features, query_features)``.

    Shapes: images ``[B, 1, G, G, G]``, ``ref_masks [B, K, G, G, G]``; returns ``logits [B, K, G, G, G]``,
    the deep-supervision logits (coarse, finest first), the task ``embedding [B, K, E]``, which the
    memory bank records, and the maps of both images the correspondence loss compares: the feature maps (finest
    first), or, with ``matching="memory"``, the dense reference memory's key map of the reference and query map
    of the query (one each, ``[B, d, n, n, n]`` at the memory's scale; :mod:`irisseg.model.memory`), the
    projections the memory's read-out compares. Equivalent to ``IrisModel.forward`` plus the embedding and those
    maps.
    """

    def __init__(self, model: nn.Module, matching: str = "features") -> None:
        """``matching``: "features" or "memory" (a model with a memory), as ``train.correspondence_on``, which the
        trainer checks."""
        super().__init__()
        self.model = model
        self.matching = matching

    def forward(self, ref_image: Tensor, ref_masks: Tensor, query_image: Tensor
                ) -> Tuple[Tensor, List[Tensor], Tensor, List[Tensor], List[Tensor]]:
        ref_features = self.model.encode_image(ref_image)
        embedding = self.model.encode_task(ref_features, ref_masks)
        query_features = self.model.encode_image(query_image)
        logits, aux = self.model.decode(query_features, embedding)
        if self.matching == "memory":
            writer, reader = self.model.task_encoder.memory, self.model.decoder.refiner.memory
            return (logits, aux, embedding, [writer.key(ref_features[writer.scale_id])],
                    [reader.query(query_features[reader.scale_id])])
        return logits, aux, embedding, ref_features, query_features

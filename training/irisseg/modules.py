"""The three exported modules: native-size wrappers around :class:`IrisModel`.

These are exactly what ``image_encoder.pt``, ``task_encoder.pt`` and ``mask_decoder.pt`` contain
(see docs/export-contract.md); :class:`irisseg.predictor.IrisPredictor` uses the same classes
eagerly, so Python evaluation and the Java service share one preprocessing path.
"""
from __future__ import annotations

import copy
from typing import List, Tuple

import torch
from torch import nn

from irisseg.model.iris import IrisModel
from irisseg.model.preprocess import normalise_intensity, resample_from_grid, resample_to_grid

NUM_FEATURES = 5


def _check_exportable(model: IrisModel) -> None:
    n = len(model.encoder.stages)
    if n != NUM_FEATURES:
        raise ValueError(f"the export contract has {NUM_FEATURES} feature tensors; this model has {n} scales")


class ImageEncoderModule(nn.Module):
    """image [1, 1, X, Y, Z] raw intensities, RAS+ -> (f_0, ..., f_4, size int64 [3])."""

    def __init__(self, model: IrisModel):
        super().__init__()
        _check_exportable(model)
        self.encoder = model.encoder
        self.grid = model.grid_size

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        if image.dim() != 5 or image.shape[0] != 1 or image.shape[1] != 1:
            raise ValueError("image must have shape [1, 1, X, Y, Z]")
        size = torch.tensor([image.shape[2], image.shape[3], image.shape[4]], dtype=torch.long)
        x = normalise_intensity(resample_to_grid(image.float(), self.grid))
        f = self.encoder(x)
        return f[0], f[1], f[2], f[3], f[4], size


class TaskEncoderModule(nn.Module):
    """(f_0..f_4, size, masks [1, K, X, Y, Z] binary at the reference's native size) -> embedding [1, K, E]."""

    def __init__(self, model: IrisModel):
        super().__init__()
        _check_exportable(model)
        self.task_encoder = model.task_encoder
        self.grid = model.grid_size

    def forward(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                size: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        if masks.dim() != 5 or masks.shape[0] != 1:
            raise ValueError("masks must have shape [1, K, X, Y, Z]")
        native: List[int] = size.tolist()
        if [masks.shape[2], masks.shape[3], masks.shape[4]] != native:
            raise ValueError("reference mask grid differs from the reference image grid")
        if bool((masks.flatten(2).sum(-1) <= 0).any()):
            raise ValueError("a class mask of the reference is empty")
        grid_masks = resample_to_grid(masks.float(), self.grid).clamp(0.0, 1.0)
        return self.task_encoder([f0, f1, f2, f3, f4], grid_masks)


class MaskDecoderModule(nn.Module):
    """(f_0..f_4, size, embedding [1, K, E]) -> probabilities [1, K, X, Y, Z] at the query's native size."""

    def __init__(self, model: IrisModel):
        super().__init__()
        _check_exportable(model)
        decoder = copy.deepcopy(model.decoder)
        decoder.deep_supervision = False
        self.decoder = decoder
        self.embedding_dim = model.embedding_dim

    def forward(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                size: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        if embedding.dim() != 3 or embedding.shape[0] != 1 or embedding.shape[2] != self.embedding_dim:
            raise ValueError("embedding must have shape [1, K, E] with the model's E")
        logits, _ = self.decoder([f0, f1, f2, f3, f4], embedding)
        native: List[int] = size.tolist()
        return torch.sigmoid(resample_from_grid(logits, native))


class ExportedModules(nn.Module):
    """The three modules together (eager), built from one model."""

    def __init__(self, model: IrisModel):
        super().__init__()
        self.image_encoder = ImageEncoderModule(model)
        self.task_encoder = TaskEncoderModule(model)
        self.mask_decoder = MaskDecoderModule(model)

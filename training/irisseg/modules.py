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


class GridDecoderModule(nn.Module):
    """(f_0..f_4, size, embedding [1, K, E]) -> logits [1, K, G, G, G] on the model grid:
    ``mask_decoder.pt`` = sigmoid(trilinear(these logits, size))."""

    def __init__(self, model: IrisModel):
        super().__init__()
        _check_exportable(model)
        decoder = copy.deepcopy(model.decoder)
        decoder.deep_supervision = False
        self.decoder = decoder
        self.embedding_dim = model.embedding_dim

    def grid_logits(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                    embedding: torch.Tensor) -> torch.Tensor:
        if embedding.dim() != 3 or embedding.shape[0] != 1 or embedding.shape[2] != self.embedding_dim:
            raise ValueError("embedding must have shape [1, K, E] with the model's E")
        logits, _ = self.decoder([f0, f1, f2, f3, f4], embedding)
        return logits

    def forward(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                size: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        return self.grid_logits(f0, f1, f2, f3, f4, embedding)


class MaskDecoderModule(GridDecoderModule):
    """(f_0..f_4, size, embedding [1, K, E]) -> probabilities [1, K, X, Y, Z] at the query's native size."""

    def forward(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                size: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        native: List[int] = size.tolist()
        return torch.sigmoid(resample_from_grid(self.grid_logits(f0, f1, f2, f3, f4, embedding), native))


class ExportedModules(nn.Module):
    """The three modules together (eager), built from one model."""

    def __init__(self, model: IrisModel):
        super().__init__()
        self.image_encoder = ImageEncoderModule(model)
        self.task_encoder = TaskEncoderModule(model)
        self.mask_decoder = MaskDecoderModule(model)
        self.grid_decoder = GridDecoderModule(model)
        self.region_upsampler = RegionUpsamplerModule()
        self.object_encoder = ObjectEncoderModule(model)


# --- Region modules: the decoder's output kept on the model grid, native values only where needed -------
#
# ``mask_decoder.pt`` returns K probability maps at the query's native size, K x X x Y x Z floats: 13 GB for
# 41 classes of a 512x512x300 CT. The three modules below split it so that a caller never needs K native
# maps at once: ``grid_decoder.pt`` keeps the logits on the model grid (K x G^3), ``region_upsampler.pt``
# gives one class's native probabilities inside the box where they can exceed a threshold, and
# ``object_encoder.pt`` encodes masks given as a box of the native grid. Each equals the corresponding part
# of the three whole-volume modules (same resampling, same weights) within the test-vector tolerance.


def linear_taps(n_in: int, n_out: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per output index along one axis, the two input indices and the weight of the second, exactly as
    ``upsample_trilinear3d`` (align_corners=False, no scale) computes them: src = in/out * (i + 0.5) - 0.5,
    clamped at 0; i0 = floor(src), i1 = i0 + 1 unless i0 is the last index."""
    scale = torch.tensor(float(n_in), dtype=torch.float32) / float(n_out)
    dst = torch.arange(n_out, dtype=torch.float32)
    src = (scale * (dst + 0.5) - 0.5).clamp_min(0.0)
    i0 = src.to(torch.long)
    i1 = torch.where(i0 < n_in - 1, i0 + 1, i0)
    w1 = (src - i0.to(torch.float32)).clamp(0.0, 1.0)
    return i0, i1, w1


def interpolation_matrix(n_in: int, n_out: int, first: int, last: int) -> torch.Tensor:
    """[last - first, n_in]: rows ``first..last`` of the linear map that trilinear interpolation
    (align_corners=False) applies along one axis from ``n_in`` to ``n_out`` values (two taps per row)."""
    i0, i1, w1 = linear_taps(n_in, n_out)
    i0, i1, w1 = i0[first:last], i1[first:last], w1[first:last]
    m = torch.zeros(last - first, n_in)
    rows = torch.arange(last - first)
    m.index_put_([rows, i0], 1.0 - w1, accumulate=True)
    m.index_put_([rows, i1], w1, accumulate=True)
    return m


def resample_to_grid_matrix(n_in: int, grid: int) -> torch.Tensor:
    """[G, n_in]: the linear map that :func:`resample_to_grid` applies along one axis (area averaging down
    to G when the axis is longer, then trilinear interpolation up to G when it is shorter)."""
    if n_in > grid:
        m = torch.zeros(grid, n_in)
        for i in range(grid):
            start = (i * n_in) // grid
            end = ((i + 1) * n_in + grid - 1) // grid
            m[i, start:end] = 1.0 / float(end - start)
        return m
    if n_in == grid:
        return torch.eye(grid)
    i0, i1, w1 = linear_taps(n_in, grid)
    m = torch.zeros(grid, n_in)
    rows = torch.arange(grid)
    m.index_put_([rows, i0], 1.0 - w1, accumulate=True)
    m.index_put_([rows, i1], w1, accumulate=True)
    return m


class RegionUpsamplerModule(nn.Module):
    """(logits [1, 1, G, G, G] of one class, size int64 [3], threshold float32 [1]) ->
    (box int64 [6] = x0, x1, y0, y1, z0, z1 half-open on the native grid, probabilities [1, 1, x1-x0, y1-y0, z1-z0]).

    Inside the box the probabilities are those of ``mask_decoder.pt``; outside it every probability is at
    most the threshold (a native value interpolates grid logits, so it never exceeds the largest of the
    grid cells it reads). A threshold <= 0 gives the whole volume; a class that exceeds it nowhere an
    empty box (x0 = x1 = 0 and so on)."""

    def forward(self, logits: torch.Tensor, size: torch.Tensor, threshold: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        if logits.dim() != 5 or logits.shape[0] != 1 or logits.shape[1] != 1:
            raise ValueError("logits must have shape [1, 1, G, G, G]")
        native: List[int] = size.tolist()
        grid: List[int] = [int(logits.shape[2]), int(logits.shape[3]), int(logits.shape[4])]
        t = float(threshold.reshape(-1)[0].item())
        lo: List[int] = [0, 0, 0]
        hi: List[int] = [native[0], native[1], native[2]]
        taps: List[Tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        for a in range(3):
            taps.append(linear_taps(grid[a], native[a]))
        if t > 0.0:
            if t >= 1.0:
                return torch.zeros(6, dtype=torch.long), torch.zeros(1, 1, 0, 0, 0)
            # a small margin keeps the box a superset despite rounding; the caller applies the threshold
            above = logits[0, 0] > (torch.log(torch.tensor(t / (1.0 - t))) - 1e-3)
            if not bool(above.any()):
                return torch.zeros(6, dtype=torch.long), torch.zeros(1, 1, 0, 0, 0)
            projections = [above.any(dim=2).any(dim=1), above.any(dim=2).any(dim=0), above.any(dim=1).any(dim=0)]
            for a in range(3):
                cells = torch.nonzero(projections[a]).reshape(-1)
                first = int(cells.min())
                last = int(cells.max())
                i0, i1, _ = taps[a]
                hit = torch.nonzero((i1 >= first) & (i0 <= last)).reshape(-1)
                lo[a] = int(hit.min())
                hi[a] = int(hit.max()) + 1
        # separable: one matrix product per axis (dense, two taps per row; fast where gathers are not)
        mx = interpolation_matrix(grid[0], native[0], lo[0], hi[0])
        my = interpolation_matrix(grid[1], native[1], lo[1], hi[1])
        mz = interpolation_matrix(grid[2], native[2], lo[2], hi[2])
        x = torch.matmul(mx, logits[0, 0].reshape(grid[0], grid[1] * grid[2])).reshape(hi[0] - lo[0], grid[1], grid[2])
        x = torch.matmul(my, x)
        x = torch.matmul(x, mz.t())
        box = torch.tensor([lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]], dtype=torch.long)
        return box, torch.sigmoid_(x).unsqueeze(0).unsqueeze(0)


class ObjectEncoderModule(nn.Module):
    """(f_0..f_4, size, masks [1, K, bx, by, bz] binary, origin int64 [3]) -> embedding [1, K, E].

    The masks are a box of the native grid starting at ``origin``; the volume outside the box counts as
    background. Equals ``task_encoder.pt`` given the whole-size masks (zero outside the box)."""

    def __init__(self, model: IrisModel):
        super().__init__()
        _check_exportable(model)
        self.task_encoder = model.task_encoder
        self.grid = model.grid_size

    def forward(self, f0: torch.Tensor, f1: torch.Tensor, f2: torch.Tensor, f3: torch.Tensor, f4: torch.Tensor,
                size: torch.Tensor, masks: torch.Tensor, origin: torch.Tensor) -> torch.Tensor:
        if masks.dim() != 5 or masks.shape[0] != 1:
            raise ValueError("masks must have shape [1, K, bx, by, bz]")
        native: List[int] = size.tolist()
        start: List[int] = origin.tolist()
        extent: List[int] = [int(masks.shape[2]), int(masks.shape[3]), int(masks.shape[4])]
        for a in range(3):
            if start[a] < 0 or extent[a] < 1 or start[a] + extent[a] > native[a]:
                raise ValueError("the mask box lies outside the image grid")
        if bool((masks.flatten(2).sum(-1) <= 0).any()):
            raise ValueError("a class mask of the object is empty")
        k = int(masks.shape[1])
        g = self.grid
        x = masks[0].float()  # [K, bx, by, bz]
        mx = resample_to_grid_matrix(native[0], g)[:, start[0]:start[0] + extent[0]]
        my = resample_to_grid_matrix(native[1], g)[:, start[1]:start[1] + extent[1]]
        mz = resample_to_grid_matrix(native[2], g)[:, start[2]:start[2] + extent[2]]
        # one axis at a time (the resampling is separable): [K, bx, by, bz] -> [K, by, bz, G] -> [K, bz, G, G] -> [K, G, G, G]
        x = torch.matmul(x.permute(0, 2, 3, 1), mx.t())
        x = torch.matmul(x.permute(0, 2, 3, 1), my.t())
        x = torch.matmul(x.permute(0, 2, 3, 1), mz.t())
        return self.task_encoder([f0, f1, f2, f3, f4], x.unsqueeze(0).clamp(0.0, 1.0))

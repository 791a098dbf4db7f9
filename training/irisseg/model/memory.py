"""Dense reference memory: the reference kept voxel by voxel, read by every query voxel.

A prototype is the mean of the reference's features inside (or outside) its mask: one vector per class and
scale. What it cannot tell is which of several places that look alike the reference marks; the copy test (the
query is the reference's own scan) shows it, since a model that matched the query against the reference voxel
by voxel would find every voxel's own twin. Dense correlation between query and support features is what
few-shot segmentation moved to after prototypes (HSNet, Min et al. 2021; space-time memory in video object
segmentation, Oh et al. 2019): this module is its smallest form.

At one scale ``s`` of the encoder (``n = G / 2^s`` voxels a side, ``V = n^3``), the task encoder writes, per
class, the reference's keys (a 1x1 convolution of its features to ``d`` channels, unit length per voxel) and the
class mask area-pooled to that grid (values in [0, 1]). The decoder projects the query's features at the same
scale with its own 1x1 convolution (started equal to the key projection) and, per query voxel and class, reads:

- the attention read-out: the values averaged with weights ``softmax(t * cos(query, key))`` over the ``V``
  reference voxels (``t`` learned, starting at :data:`START_TEMPERATURE`), mapped to [-1, 1];
- the best match inside the class: ``max_j cos(query, key_j) - 2 (1 - value_j)`` (a voxel outside the class
  counts 2 less);
- the best match outside it: ``max_j cos(query, key_j) - 2 value_j``.

Those three maps join the prototype refiner's inputs (:class:`irisseg.model.prototypes.PrototypeRefiner`).

Embedding part per class: ``d * V`` key values (channel-major: ``keys[c, v]`` at ``c * V + v``, ``v`` the
row-major voxel index of the ``n^3`` grid) then ``V`` mask values; ``(d + 1) * V`` in all. Keys are the same for
every class of one reference (and of one average of references), and the reader then compares the query with
them once for all classes; a memory bank's classes, each its own average, are compared one by one. Averaged
embeddings (a context ensemble, the memory bank's EMA) average keys and values voxel by voxel; the reader
re-normalises the keys, so an average is read as a blend of its members.
"""
from __future__ import annotations

import math
from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from irisseg.model.blocks import Conv3d

#: The attention's inverse temperature at the start: cosine similarities in [-1, 1] times 10 (PANet's 20 would
#: make the read-out nearly a hard nearest neighbour before any training).
START_TEMPERATURE = 10.0
#: How much a reference voxel outside (inside) the class is held back in the best match inside (outside) it:
#: more than the whole range of a cosine, so a voxel with value 0 never wins the "inside" match over one with 1.
MASK_PENALTY = 2.0
#: Read-out maps per class.
READ_CHANNELS = 3
#: Values per block when searching the best matches (4 Mi floats, 16 MiB): small enough to stay in cache.
BLOCK_VALUES = 4 * 1024 * 1024


def memory_size(grid: int, scale_id: int, channels: int) -> int:
    """Values per class in the embedding: ``(d + 1) * (G / 2^s)^3``."""
    n = grid // 2**scale_id
    return (channels + 1) * n**3


class MemoryWriter(nn.Module):
    """features: the encoder's maps (finest first), masks [B, K, G, G, G] (soft) -> memory [B, K, (d+1)*V]."""

    def __init__(self, scale_id: int, width: int, channels: int):
        super().__init__()
        self.scale_id = scale_id
        self.key = Conv3d(width, channels, 1)

    def forward(self, features: List[torch.Tensor], masks: torch.Tensor) -> torch.Tensor:
        f = features[self.scale_id]
        b, k = masks.shape[0], masks.shape[1]
        keys = F.normalize(self.key(f), dim=1).flatten(1)  # [B, d*V]
        values = F.adaptive_avg_pool3d(masks, [f.shape[2], f.shape[3], f.shape[4]]).flatten(2)  # [B, K, V]
        return torch.cat([keys.unsqueeze(1).expand(b, k, keys.shape[1]), values], dim=2)


class MemoryReader(nn.Module):
    """features: the query's maps (finest first), memory [B, K, (d+1)*V] -> read-out [B*K, 3, n, n, n] at the
    memory's scale (channels: attention read-out in [-1, 1], best match inside, best match outside)."""

    def __init__(self, scale_id: int, width: int, channels: int):
        super().__init__()
        self.scale_id = scale_id
        self.channels = channels
        self.query = Conv3d(width, channels, 1)
        self.log_temperature = nn.Parameter(torch.tensor(math.log(START_TEMPERATURE)))
        self.mask_penalty = MASK_PENALTY
        self.block_values = BLOCK_VALUES

    def forward(self, features: List[torch.Tensor], memory: torch.Tensor) -> torch.Tensor:
        f = features[self.scale_id]
        b, k = memory.shape[0], memory.shape[1]
        n = [f.shape[2], f.shape[3], f.shape[4]]
        v = n[0] * n[1] * n[2]
        if memory.shape[2] != (self.channels + 1) * v:
            raise ValueError(f"the memory holds {memory.shape[2]} values per class, the model reads "
                             f"{(self.channels + 1) * v}")
        q = F.normalize(self.query(f), dim=1).flatten(2)  # [B, d, V]
        keys = memory[:, :, :self.channels * v].reshape(b, k, self.channels, v)  # normalised where read
        values = memory[:, :, self.channels * v:]  # [B, K, V]
        temperature = self.log_temperature.exp()
        if k == 1 or torch.equal(keys[:, 1:], keys[:, :1].expand(b, k - 1, self.channels, v)):
            maps = self._read(q, keys[:, 0], values, temperature)
        else:  # classes with keys of their own (a memory bank's averages): one class at a time
            per_class: List[torch.Tensor] = []
            for c in range(k):
                per_class.append(self._read(q, keys[:, c], values[:, c:c + 1], temperature))
            maps = torch.cat(per_class, dim=1)
        return maps.reshape(b * k, maps.shape[2], n[0], n[1], n[2])

    def _read(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
              temperature: torch.Tensor) -> torch.Tensor:
        """q [B, d, Q] (unit length), keys [B, d, R] shared by the K classes, values [B, K, R] -> maps [B, K, 3, Q]. The
        similarities and the attention are computed once for all classes, and each best match is the similarity
        at the voxel found without gradient (the gradient of a maximum where it is not tied): with 6 classes on a
        memory of 16^3 voxels, forward and backward take a fifth of the time of reading class by class
        (``scripts/benchmark_memory_step.py``)."""
        sim = torch.einsum("bdr,bdq->bqr", F.normalize(keys, dim=1), q)  # [B, V query, V reference]
        attention = torch.softmax(temperature * sim, dim=2)
        readout = torch.einsum("bqr,bkr->bkq", attention, values)
        k = values.shape[1]
        penalties = torch.cat([self.mask_penalty * (1.0 - values), self.mask_penalty * values], dim=1)  # [B, 2K, R]
        best = self._best_matches(sim, penalties, self.block_values)  # inside, then outside
        return torch.stack([2.0 * readout - 1.0, best[:, :k], best[:, k:]], dim=2)

    @staticmethod
    def _best_matches(sim: torch.Tensor, penalties: torch.Tensor, block_values: int) -> torch.Tensor:
        """sim [B, Q, R], penalties [B, P, R] -> max_r (sim - penalty) [B, P, Q]. The maximising voxels are found
        without gradient, a block of query voxels at a time (blocks of about ``block_values`` values), and the
        similarities there gathered once."""
        b, q, r = sim.shape[0], sim.shape[1], sim.shape[2]
        rows = max(1, block_values // (b * penalties.shape[1] * r))
        found: List[torch.Tensor] = []
        with torch.no_grad():
            for start in range(0, q, rows):
                block = sim[:, start:start + rows].unsqueeze(2) - penalties.unsqueeze(1)  # [B, rows, P, R]
                found.append(block.argmax(dim=3))
        at = torch.cat(found, dim=1)  # [B, Q, P]
        return sim.gather(2, at).transpose(1, 2) - penalties.gather(2, at.transpose(1, 2))

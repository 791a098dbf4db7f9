"""Training episodes: a task, a reference and a query of that task, built so that the model has to read
its reference.

:class:`EpisodeSampler` is called with a numpy ``Generator`` and returns one episode; everything it
draws comes from that generator (torch operations use a ``torch.Generator`` seeded from it), so an
episode is a pure function of the seed. :class:`EpisodeDataset` wraps it as a torch ``IterableDataset``
whose episode ``n`` is seeded by ``(seed, rank, n)`` whatever the number of workers.

Episode (G = model grid, K = ``k_max``; padded classes are all-zero and invalid)::

    ref_image    [1, G, G, G] float32, augmented then normalised (normalise_intensity)
    ref_masks    [K, G, G, G] float32 in {0, 1}
    query_image  [1, G, G, G] float32, augmented then normalised
    query_masks  [K, G, G, G] float32 in {0, 1} (a class may be empty: the right answer is then empty)
    query_ignore [1, G, G, G] float32 in {0, 1}: voxels of unseen structures, zero weight in the loss
    ref_coords, query_coords [4, G/2, G/2, G/2] float32, only with ``DataConfig.correspondence``: where
                 each voxel lies in the source volume of a same-volume episode (supervoxels, self-pairs),
                 times the share of it inside that source, then that share (all zero for other episodes)
    class_valid  [K] bool     a class is valid when it is part of the task and visible in the reference
    class_names  list[str]    (K entries, "" for padding)
    task str, ref str, query str (item keys, for bookkeeping), kind str (see below)

Task kinds, mixed by ``DataConfig.kind_weights`` (see :mod:`irisseg.data.tasks` for how each is drawn):
- ``real``: a labelled set of the pack (weights ``dataset_weights``), 1..K classes present in both
  subjects, random label merges; with ``crop_prob`` both sides are cropped and zoomed independently,
  with ``focus_prob`` cut to the box policy's boxes as the service's focused pass sees them
  (:mod:`irisseg.data.focus`);
- ``supervoxels``: label-free: supervoxels of one image (or a supervoxel merged with neighbours) as
  classes, reference and query the same volume under independent crops, zoom and augmentation;
- ``lesions``: synthetic lesions placed independently in two real images;
- ``synthseg``: SynthSeg-style images of two label maps; ``shapes``: procedural shapes.
Task-level augmentations then act on reference and query alike (inverted intensities, a class replaced
by its boundary shell, dilated or eroded masks), and the reference is augmented more weakly than the
query. Validation subjects never enter a ``split="train"`` sampler; unseen structures
(:mod:`irisseg.data.splits`) are never a target and are ignored in the loss, not taught as background.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import IterableDataset, get_worker_info

from ..config import DataConfig
from ..model.preprocess import normalise_intensity
from . import focus
from .augment import intensity, spatial, warp
from .pack_format import Pack
from .tasks import KINDS, Subject, TaskDrawer, crop_theta, is_lateral, task_augment

__all__ = ["EpisodeSampler", "EpisodeDataset", "is_lateral", "KINDS"]

MAX_TRIES = 6


class EpisodeSampler:
    """Draws episodes from a pack (``None``: synthetic shapes only) for one split."""

    def __init__(self, settings: DataConfig, grid: int, pack: Pack | None = None, split: str = "train",
                 synthetic_only: bool = False):
        self.s = settings
        self.grid = int(grid)
        self.pack = None if synthetic_only else pack
        self.split = split
        if self.pack is not None and self.pack.grid != self.grid:
            raise ValueError(f"pack grid {self.pack.grid} != model grid {self.grid}")
        self.tasks = TaskDrawer(settings, self.grid, self.pack, split)
        available = {k: float(w) for k, w in settings.kind_weights.items() if w > 0 and self.tasks.can_draw(k)}
        unknown = set(settings.kind_weights) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown episode kinds {sorted(unknown)}; known: {list(KINDS)}")
        if not available:
            available = {"shapes": 1.0}
        self.kinds = sorted(available)
        total = sum(available.values())
        self.kind_p = np.array([available[k] / total for k in self.kinds])

    @classmethod
    def from_config(cls, cfg, base_dir: str | Path | None = None, split: str = "train",
                    synthetic_only: bool = False) -> "EpisodeSampler":
        """From an ``IrisConfig``: ``cfg.data.pack_dir`` (relative to ``base_dir``) and ``cfg.model.grid_size``."""
        pack = None
        if not synthetic_only:
            path = Path(cfg.data.pack_dir)
            if not path.is_absolute() and base_dir is not None:
                path = Path(base_dir) / path
            pack = Pack(path)
        return cls(cfg.data, cfg.model.grid_size, pack, split, synthetic_only)

    def __call__(self, rng: np.random.Generator) -> dict:
        """One episode; redrawn (from the same generator) while no class is visible in the reference."""
        for attempt in range(MAX_TRIES):
            gen = torch.Generator().manual_seed(int(rng.integers(0, 2**62)))
            kind = self.kinds[int(rng.choice(len(self.kinds), p=self.kind_p))]
            ref, query, names, task = self.tasks.draw(kind, rng, gen)
            episode = self._finish(ref, query, names, task, kind, rng, gen)
            if bool(episode["class_valid"].any()) or attempt == MAX_TRIES - 1:
                return episode
        raise AssertionError("unreachable")

    def _finish(self, ref: Subject, query: Subject, names: list[str], task: str, kind: str,
                rng: np.random.Generator, gen: torch.Generator) -> dict:
        s = self.s
        ref, query = task_augment(ref, query, rng, s.task_augment_prob, s.min_class_voxels)
        out = {}
        k_max, g = s.k_max, self.grid
        side_mm = 0.0
        for side, subject, scale in (("ref", ref, s.ref_augment_scale), ("query", query, s.query_augment_scale)):
            masks = torch.cat([subject.masks.float(), subject.ignore[None].float()])
            image = subject.image[None].float()
            if s.correspondence:  # coordinates move as the image does; a last mask of ones marks the source
                coords = subject.coords if subject.coords is not None else torch.zeros((3, g, g, g))
                image = torch.cat([image, coords.float()])
                masks = torch.cat([masks, torch.full((1, g, g, g), float(subject.coords is not None))])
            if subject.focus and side == "ref" and bool(subject.masks.any()):
                side_mm = focus.reference_side(subject.masks, subject.spacing)
                image, masks = warp(image, masks, focus.reference_theta(subject.masks, subject.spacing))
            elif subject.focus and side == "query" and side_mm > 0:
                empty = rng.random() < s.empty_query_prob
                image, masks = warp(image, masks, focus.query_theta(subject.masks, subject.spacing, side_mm, rng, empty))
            elif subject.crop:
                empty = side == "query" and subject.masks.shape[0] > 0 and rng.random() < s.empty_query_prob
                image, masks = warp(image, masks, crop_theta(subject.masks, rng, s.crop_min_fraction, empty,
                                                             s.min_class_voxels))
            strength = s.augment.scaled(scale) if scale != 1.0 else s.augment
            image, masks = spatial(image, masks, gen, strength, subject.flip_axes)
            if s.correspondence:
                out[f"{side}_coords"] = coordinate_channels(image[1:], masks[-1:])
                image, masks = image[:1], masks[:-1]
            image = intensity(image, gen, strength)
            out[f"{side}_image"] = normalise_intensity(image[None])[0].contiguous()
            padded = torch.zeros((k_max, g, g, g))
            padded[: masks.shape[0] - 1] = masks[:-1]
            out[f"{side}_masks"] = padded
            if side == "query":
                out["query_ignore"] = masks[-1:].contiguous()
        k = len(names)
        valid = torch.zeros(k_max, dtype=torch.bool)
        valid[:k] = out["ref_masks"][:k].flatten(1).sum(1) >= max(1, s.min_class_voxels // 4)
        out["ref_masks"][~valid] = 0
        out["query_masks"][~valid] = 0
        out["class_valid"] = valid
        out["class_names"] = list(names) + [""] * (k_max - k)
        out.update(task=task, ref=ref.key, query=query.key, kind=kind)
        return out


def coordinate_channels(coords: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """[4, G/2, G/2, G/2]: source coordinates ``coords [3, G, G, G]`` weighted by ``valid [1, G, G, G]`` and
    the valid share, each summed over 2^3 voxels and divided by 8 (what :mod:`irisseg.train.correspondence`
    reads: coordinates times validity, then validity)."""
    weighted = torch.cat([coords * valid, valid])
    return F.avg_pool3d(weighted[None], 2)[0].contiguous()


class EpisodeDataset(IterableDataset):
    """Unlimited episodes from a sampler; episode ``n`` is drawn with ``default_rng([seed, rank, n])``.

    Workers split the episode numbers (worker ``w`` of ``W`` takes ``n = start + w, start + w + W, ...``),
    so the stream of episodes is the same for any number of workers, and ``start`` resumes it.
    """

    def __init__(self, sampler: EpisodeSampler, seed: int = 0, rank: int = 0, start: int = 0, stop: int | None = None):
        self.sampler = sampler
        self.seed, self.rank, self.start, self.stop = int(seed), int(rank), int(start), stop

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        if info is not None:
            torch.set_num_threads(1)
        n = self.start + worker
        while self.stop is None or n < self.stop:
            yield self.sampler(np.random.default_rng([self.seed, self.rank, n]))
            n += workers

"""Training episodes: a task, a reference subject and a different query subject of that task.

:class:`EpisodeSampler` is called with a numpy ``Generator`` and returns one episode; everything it
draws comes from that generator (torch operations use a ``torch.Generator`` seeded from it), so an
episode is a pure function of the seed. :class:`EpisodeDataset` wraps it as a torch ``IterableDataset``
whose episode ``n`` is seeded by ``(seed, rank, n)`` whatever the number of workers.

Episode (G = model grid, K = ``k_max``; padded classes are all-zero and invalid)::

    ref_image   [1, G, G, G] float32, augmented then normalised (normalise_intensity)
    ref_masks   [K, G, G, G] float32 in {0, 1}
    query_image [1, G, G, G] float32, augmented then normalised
    query_masks [K, G, G, G] float32 in {0, 1}
    class_valid [K] bool     a class is valid when it is part of the task and visible in the reference
    class_names list[str]    (K entries, "" for padding)
    task str, ref str, query str (item keys, for bookkeeping), kind str (real | synthseg | shapes)

Task kinds, mixed by ``DataConfig``:
- real: a dataset of the pack with images (weights ``dataset_weights``), 1..K of its training classes
  present in both subjects. Multi-subject sets pair two different subjects (BraTS may pair two
  contrasts; TotalSegmentator pairs CT with MR); the single voxelmorph brain pairs with another
  augmentation of itself or, with ``cross_pair_prob``, with a SynthSeg-style image of a SynthSeg map;
- synthseg (``synthetic_ratio * synthseg_ratio``): two SynthSeg label maps painted in one random
  contrast, classes are single labels or merged groups;
- shapes (the rest of ``synthetic_ratio``): procedural shapes, see :func:`irisseg.data.synthetic.shapes_task`.
Validation subjects never enter a ``split="train"`` sampler, and classes whose ``training`` flag is
false (BraTS tumour, thalamus) are never a target; the thalamus is never part of a SynthSeg class.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from ..model.preprocess import normalise_intensity
from . import splits
from .augment import AugmentStrength, intensity, spatial
from .pack_format import Pack
from .synthetic import Palette, shapes_task, synthseg_image

#: voxelmorph view -> the SynthSeg view covering the same field of view (for cross pairs).
CROSS_VIEWS = {"whole": "brain", "subcortical": "subcortical"}
DEFAULT_DATASET_WEIGHTS = {"hippocampus": 0.45, "brats": 0.1, "totalseg": 0.2, "voxelmorph": 0.25}


@dataclass
class EpisodeSettings:
    """What the sampler needs from ``DataConfig`` (see :meth:`EpisodeSettings.from_data_config`)."""

    k_max: int = 3
    synthetic_ratio: float = 0.3
    synthseg_ratio: float = 0.5
    dataset_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DATASET_WEIGHTS))
    augment: AugmentStrength = field(default_factory=AugmentStrength)
    query_augment_scale: float = 1.0
    class_drop_prob: float = 0.2
    merge_prob: float = 0.25
    cross_pair_prob: float = 0.3
    same_contrast_prob: float = 0.7
    min_class_voxels: int = 16

    @staticmethod
    def from_data_config(data) -> "EpisodeSettings":
        """Build from a ``DataConfig`` (fields it lacks keep their defaults)."""
        defaults = EpisodeSettings()
        aug_fields = AugmentStrength.__dataclass_fields__
        augment = AugmentStrength(**{n: getattr(data, f"aug_{n}", getattr(defaults.augment, n)) for n in aug_fields})
        kwargs = {n: getattr(data, n) for n in EpisodeSettings.__dataclass_fields__ if n != "augment" and hasattr(data, n)}
        if kwargs.get("dataset_weights") is None:
            kwargs.pop("dataset_weights", None)
        return EpisodeSettings(augment=augment, **kwargs)


def is_lateral(name: str) -> bool:
    """Whether a class name says left or right (such classes are never mirrored)."""
    lowered = name.lower()
    return "left" in lowered or "right" in lowered


@dataclass
class _Subject:
    """One side of an episode before augmentation: raw image [G,G,G], masks [k,G,G,G] bool."""

    key: str
    image: torch.Tensor
    masks: torch.Tensor
    flip_axes: tuple[int, ...]


class EpisodeSampler:
    """Draws episodes from a pack (``None``: synthetic shapes only) for one split."""

    def __init__(self, settings: EpisodeSettings, grid: int, pack: Pack | None = None, split: str = "train",
                 synthetic_only: bool = False):
        self.s = settings
        self.grid = int(grid)
        self.pack = None if synthetic_only else pack
        self.split = split
        if self.pack is not None and self.pack.grid != self.grid:
            raise ValueError(f"pack grid {self.pack.grid} != model grid {self.grid}")
        self.real: dict[str, dict[str, list[str]]] = {}
        self.label_maps: dict[str, list[str]] = {}
        self.flip_axes: dict[str, tuple[int, ...]] = {}
        if self.pack is not None:
            for key, meta in self.pack.items.items():
                if meta["split"] != split:
                    continue
                if meta["contrasts"]:
                    self.real.setdefault(meta["dataset"], {}).setdefault(meta["view"], []).append(key)
                elif meta["dataset"] == "synthseg":
                    self.label_maps.setdefault(meta["view"], []).append(key)
            self.flip_axes = {d: tuple(v.get("flip_axes", ())) for d, v in self.pack.index["datasets"].items()}
        weights = {d: float(w) for d, w in self.s.dataset_weights.items() if d in self.real and w > 0}
        self.datasets = sorted(weights)
        total = sum(weights.values())
        self.dataset_p = np.array([weights[d] / total for d in self.datasets]) if total > 0 else np.array([])

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
        return cls(EpisodeSettings.from_data_config(cfg.data), cfg.model.grid_size, pack, split, synthetic_only)

    # -----------------------------------------------------------------------------------------

    def __call__(self, rng: np.random.Generator) -> dict:
        gen = torch.Generator().manual_seed(int(rng.integers(0, 2**62)))
        u = rng.random()
        if not self.datasets or u < self.s.synthetic_ratio:
            if self.label_maps and rng.random() < self.s.synthseg_ratio:
                kind, (ref, query, names, task) = "synthseg", self._synthseg(rng, gen)
            else:
                kind, (ref, query, names, task) = "shapes", self._shapes(rng, gen)
        else:
            kind, (ref, query, names, task) = "real", self._real(rng, gen)
        return self._finish(ref, query, names, task, kind, gen)

    def _k(self, rng: np.random.Generator, available: int) -> int:
        return int(rng.integers(1, min(self.s.k_max, available) + 1))

    def _drop(self, rng: np.random.Generator, chosen: list) -> list:
        """Random class dropping: with ``class_drop_prob``, remove some classes (at least one stays)."""
        if len(chosen) > 1 and rng.random() < self.s.class_drop_prob:
            keep = max(1, len(chosen) - int(rng.integers(1, len(chosen))))
            idx = sorted(rng.choice(len(chosen), size=keep, replace=False))
            chosen = [chosen[i] for i in idx]
        return chosen

    # real tasks ---------------------------------------------------------------------------------

    def _real(self, rng: np.random.Generator, gen: torch.Generator):
        dataset = self.datasets[int(rng.choice(len(self.datasets), p=self.dataset_p))]
        views = sorted(self.real[dataset])
        view = views[int(rng.integers(len(views)))]
        keys = self.real[dataset][view]
        ref_key = keys[int(rng.integers(len(keys)))]
        others = [k for k in keys if self.pack.items[k]["subject"] != self.pack.items[ref_key]["subject"]]
        cross = dataset == "voxelmorph" and rng.random() < self.s.cross_pair_prob and self.label_maps.get(CROSS_VIEWS.get(view, ""))
        if cross:
            maps = self.label_maps[CROSS_VIEWS[view]]
            query_key = maps[int(rng.integers(len(maps)))]
        elif others:
            query_key = others[int(rng.integers(len(others)))]
        else:  # single-subject set: the query is another augmentation of the same subject
            query_key = ref_key
        ref_meta, query_meta = self.pack.items[ref_key], self.pack.items[query_key]
        names = self._shared_classes(ref_meta, query_meta)
        if not names:  # nothing in common at this view: fall back to the same subject
            query_key, query_meta = ref_key, ref_meta
            names = self._shared_classes(ref_meta, ref_meta)
        chosen = [names[i] for i in sorted(rng.choice(len(names), size=self._k(rng, len(names)), replace=False))]
        chosen = self._drop(rng, chosen)
        ref_contrast = ref_meta["contrasts"][int(rng.integers(len(ref_meta["contrasts"])))]
        palette = None
        if cross:
            values = sorted(set(ref_meta["labels_present"]) | set(query_meta["labels_present"]) | {0})
            palette = Palette.random(values, gen)
        if rng.random() < 0.5 and cross:  # the synthetic side may be the reference or the query
            ref_key, query_key, ref_meta, query_meta = query_key, ref_key, query_meta, ref_meta
        lateral = any(is_lateral(n) for n in chosen)
        flips = () if lateral else self.flip_axes.get(dataset, ())
        sides = []
        for key, meta in ((ref_key, ref_meta), (query_key, query_meta)):
            item = self.pack.load(key)
            groups = [meta["classes"][n]["labels"] for n in chosen]
            masks = torch.from_numpy(np.stack([np.isin(item.labels, g) for g in groups]))
            if item.images:
                contrast = ref_contrast if ref_contrast in item.images and (
                    key == ref_key or rng.random() < self.s.same_contrast_prob) else meta["contrasts"][
                    int(rng.integers(len(meta["contrasts"])))]
                image = torch.from_numpy(item.raw(contrast))
            else:
                image = synthseg_image(torch.from_numpy(item.labels.astype(np.int64)), palette, gen)
            sides.append(_Subject(key, image, masks, flips))
        task = f"{dataset}/{view}:{','.join(chosen)}"
        return sides[0], sides[1], chosen, task

    def _shared_classes(self, a: dict, b: dict) -> list[str]:
        m = self.s.min_class_voxels
        return sorted(n for n, c in a["classes"].items()
                      if c["training"] and c["voxels"] >= m and n in b["classes"]
                      and b["classes"][n]["training"] and b["classes"][n]["voxels"] >= m)

    # synthetic tasks ----------------------------------------------------------------------------

    def _synthseg(self, rng: np.random.Generator, gen: torch.Generator):
        views = sorted(v for v, keys in self.label_maps.items() if len(keys) >= 2)
        if not views:
            return self._shapes(rng, gen)
        view = views[int(rng.integers(len(views)))]
        keys = self.label_maps[view]
        a, b = rng.choice(len(keys), size=2, replace=False)
        ref_key, query_key = keys[int(a)], keys[int(b)]
        ref_meta, query_meta = self.pack.items[ref_key], self.pack.items[query_key]
        m = self.s.min_class_voxels
        counts = [{v: 0 for v in meta["labels_present"]} for meta in (ref_meta, query_meta)]
        for meta, count in zip((ref_meta, query_meta), counts):
            for c in meta["classes"].values():
                if len(c["labels"]) == 1:
                    count[c["labels"][0]] = c["voxels"]
        usable = sorted(v for v in splits.trainable_labels("synthseg", counts[0])
                        if counts[0].get(v, 0) >= m and counts[1].get(v, 0) >= m)
        if not usable:
            return self._shapes(rng, gen)
        names_of = {c["labels"][0]: n for n, c in ref_meta["classes"].items() if len(c["labels"]) == 1}
        groups = self._label_groups(rng, usable, names_of)
        names = ["+".join(names_of.get(v, f"label_{v}") for v in g) for g in groups]
        values = sorted(set(ref_meta["labels_present"]) | set(query_meta["labels_present"]) | {0})
        palette = Palette.random(values, gen)
        flips = () if any(is_lateral(n) for n in names) else self.flip_axes.get("synthseg", ())
        sides = []
        for key, pal in ((ref_key, palette), (query_key, palette.jittered(gen))):
            labels = self.pack.load(key).labels
            masks = torch.from_numpy(np.stack([np.isin(labels, g) for g in groups]))
            image = synthseg_image(torch.from_numpy(labels.astype(np.int64)), pal, gen)
            sides.append(_Subject(key, image, masks, flips))
        return sides[0], sides[1], names, f"synthseg/{view}:{','.join(names)}"

    def _label_groups(self, rng: np.random.Generator, usable: list[int], names_of: dict[int, str]) -> list[list[int]]:
        """1..K classes from ``usable`` labels: single labels, or (``merge_prob``) a merged group: the
        left/right pair of a structure when there is one, else 2-3 random labels."""
        pool = list(usable)
        groups: list[list[int]] = []
        for _ in range(self._k(rng, len(pool))):
            if not pool:
                break
            first = pool.pop(int(rng.integers(len(pool))))
            group = [first]
            if pool and rng.random() < self.s.merge_prob:
                name = names_of.get(first, "")
                partner = {"Left-": "Right-", "Right-": "Left-"}
                twin = next((v for v in pool for a, b in partner.items()
                             if name.startswith(a) and names_of.get(v) == b + name[len(a):]), None)
                if twin is not None:
                    group.append(twin)
                else:
                    extra = int(rng.integers(1, min(2, len(pool)) + 1))
                    group.extend(pool[int(i)] for i in rng.choice(len(pool), size=extra, replace=False))
                pool = [v for v in pool if v not in group]
            groups.append(sorted(group))
        return self._drop(rng, groups)

    def _shapes(self, rng: np.random.Generator, gen: torch.Generator):
        k = int(rng.integers(1, self.s.k_max + 1))
        (ri, rm), (qi, qm) = shapes_task(k, self.grid, gen, min_voxels=self.s.min_class_voxels)
        names = [f"shape{j}" for j in range(rm.shape[0])]
        return (_Subject("shapes/ref", ri, rm, ()), _Subject("shapes/query", qi, qm, ()), names,
                f"shapes:{rm.shape[0]}")

    # --------------------------------------------------------------------------------------------

    def _finish(self, ref: _Subject, query: _Subject, names: list[str], task: str, kind: str,
                gen: torch.Generator) -> dict:
        out = {}
        k_max, g = self.s.k_max, self.grid
        for side, subject, scale in (("ref", ref, 1.0), ("query", query, self.s.query_augment_scale)):
            strength = self.s.augment.scaled(scale) if scale != 1.0 else self.s.augment
            image, masks = spatial(subject.image[None].float(), subject.masks.float(), gen, strength, subject.flip_axes)
            image = intensity(image, gen, strength)
            out[f"{side}_image"] = normalise_intensity(image[None])[0].contiguous()
            padded = torch.zeros((k_max, g, g, g))
            padded[: masks.shape[0]] = masks
            out[f"{side}_masks"] = padded
        k = len(names)
        valid = torch.zeros(k_max, dtype=torch.bool)
        valid[:k] = out["ref_masks"][:k].flatten(1).sum(1) > 0
        out["ref_masks"][~valid] = 0
        out["query_masks"][~valid] = 0
        out["class_valid"] = valid
        out["class_names"] = list(names) + [""] * (k_max - k)
        out.update(task=task, ref=ref.key, query=query.key, kind=kind)
        return out


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

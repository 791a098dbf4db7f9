"""How each kind of training task is drawn (before per-subject augmentation): see ``episodes.py``.

Every drawer returns ``(ref, query, class_names, task_name)``, two :class:`Subject` on the model grid.
numpy and torch only (no scipy, no nibabel): this runs on the GPU machine from the pack alone.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from ..config import DataConfig
from . import splits
from .augment import warp
from .lesions import lesion_task
from .pack_format import Pack
from .poses import flipped, permuted, re_pose, with_coords
from .synthetic import Palette, shapes_task, synthseg_image

KINDS = ("real", "supervoxels", "lesions", "synthseg", "shapes")

#: voxelmorph view -> the SynthSeg view covering the same field of view (for cross pairs).
CROSS_VIEWS = {"whole": "brain", "subcortical": "subcortical"}
#: Supervoxels whose voxels are more than this share unseen structures are never a class.
MAX_IGNORED_SHARE = 0.3


def is_lateral(name: str) -> bool:
    """Whether a class name says left or right (such classes are never mirrored)."""
    lowered = name.lower()
    return "left" in lowered or "right" in lowered


@dataclass
class Subject:
    """One side of an episode before augmentation.

    image [G, G, G] raw intensities; masks [k, G, G, G] bool; ignore [G, G, G] bool (unseen structures:
    zero loss weight); ``crop``: crop and zoom this side independently before augmentation; ``focus``:
    cut both sides to the box policy's boxes instead (:mod:`irisseg.data.focus`), which needs ``spacing``
    (mm per grid voxel along each axis). ``coords`` [3, G, G, G] (or None): where each voxel lies in the
    source volume both sides of a same-volume episode come from (:func:`irisseg.data.poses.identity_coords`), moved with it.
    """

    key: str
    image: torch.Tensor
    masks: torch.Tensor
    flip_axes: tuple[int, ...]
    ignore: torch.Tensor
    crop: bool = False
    focus: bool = False
    spacing: tuple[float, float, float] = (1.0, 1.0, 1.0)
    coords: torch.Tensor | None = None


def no_ignore(grid: int) -> torch.Tensor:
    return torch.zeros((grid, grid, grid), dtype=torch.bool)


def ignore_mask(dataset: str, labels: np.ndarray) -> torch.Tensor:
    """bool [G, G, G]: voxels of ``dataset``'s unseen structures."""
    values = sorted(splits.ignore_labels(dataset))
    return torch.from_numpy(np.isin(labels, values)) if values else torch.zeros(labels.shape, dtype=torch.bool)


class TaskDrawer:
    """The pack's items of one split, sorted by what each kind of task needs."""

    def __init__(self, settings: DataConfig, grid: int, pack: Pack | None, split: str):
        self.s = settings
        self.grid = grid
        self.pack = pack
        self.real: dict[str, dict[str, list[str]]] = {}
        self.label_maps: dict[str, list[str]] = {}
        self.images: dict[str, list[str]] = {}  # dataset -> items with an image (lesion hosts)
        self.supervoxel_items: dict[str, list[str]] = {}  # dataset -> items with supervoxel maps
        self.flip_axes: dict[str, tuple[int, ...]] = {}
        if pack is not None:
            for key, meta in pack.items.items():
                if meta["split"] != split:
                    continue
                if meta["contrasts"]:
                    self.images.setdefault(meta["dataset"], []).append(key)
                    if any(c["training"] for c in meta["classes"].values()):
                        self.real.setdefault(meta["dataset"], {}).setdefault(meta["view"], []).append(key)
                    if meta.get("supervoxels"):
                        self.supervoxel_items.setdefault(meta["dataset"], []).append(key)
                elif meta["dataset"] == "synthseg":
                    self.label_maps.setdefault(meta["view"], []).append(key)
            self.flip_axes = {d: tuple(v.get("flip_axes", ())) for d, v in pack.index["datasets"].items()}
        weights = {d: float(w) for d, w in settings.dataset_weights.items() if d in self.real and w > 0}
        self.datasets = sorted(weights)
        total = sum(weights.values())
        self.dataset_p = np.array([weights[d] / total for d in self.datasets]) if total > 0 else np.array([])

    def can_draw(self, kind: str) -> bool:
        return {"real": bool(self.datasets), "supervoxels": bool(self.supervoxel_items),
                "lesions": bool(self.images), "synthseg": any(len(v) >= 2 for v in self.label_maps.values()),
                "shapes": True}[kind]

    def draw(self, kind: str, rng: np.random.Generator, gen: torch.Generator):
        return getattr(self, f"_{kind}")(rng, gen)

    @staticmethod
    def _any_item(rng: np.random.Generator, by_dataset: dict[str, list[str]]) -> str:
        """A dataset drawn uniformly, then one of its items (so the large hippocampus set does not dominate)."""
        datasets = sorted(by_dataset)
        keys = by_dataset[datasets[int(rng.integers(len(datasets)))]]
        return keys[int(rng.integers(len(keys)))]

    def _k(self, rng: np.random.Generator, available: int) -> int:
        return int(rng.integers(1, max(1, min(self.s.k_max, available)) + 1))

    def _drop(self, rng: np.random.Generator, chosen: list) -> list:
        """Random class dropping: with ``class_drop_prob``, remove some classes (at least one stays)."""
        if len(chosen) > 1 and rng.random() < self.s.class_drop_prob:
            keep = max(1, len(chosen) - int(rng.integers(1, len(chosen))))
            idx = sorted(rng.choice(len(chosen), size=keep, replace=False))
            chosen = [chosen[i] for i in idx]
        return chosen

    def _groups(self, rng: np.random.Generator, names: list[str]) -> list[list[str]]:
        """1..K classes from ``names``: single names or, with ``merge_prob``, a merge of 2-3 names."""
        pool = [names[i] for i in rng.permutation(len(names))]
        groups: list[list[str]] = []
        for _ in range(self._k(rng, len(pool))):
            if not pool:
                break
            group = [pool.pop()]
            if pool and rng.random() < self.s.merge_prob:
                for _ in range(int(rng.integers(1, min(2, len(pool)) + 1))):
                    group.append(pool.pop())
            groups.append(sorted(group))
        return self._drop(rng, groups)

    def _side(self, key: str, image: torch.Tensor, masks: torch.Tensor, labels: np.ndarray, dataset: str,
              flips: tuple[int, ...], crop: bool = False) -> Subject:
        return Subject(key, image, masks, flips, ignore_mask(dataset, labels), crop)

    # real tasks ---------------------------------------------------------------------------------

    def _real(self, rng: np.random.Generator, gen: torch.Generator):
        dataset = self.datasets[int(rng.choice(len(self.datasets), p=self.dataset_p))]
        views = sorted(self.real[dataset])
        view = views[int(rng.integers(len(views)))]
        keys = self.real[dataset][view]
        ref_key = keys[int(rng.integers(len(keys)))]
        items = self.pack.items
        others = [k for k in keys if items[k]["subject"] != items[ref_key]["subject"]]
        cross = dataset == "voxelmorph" and rng.random() < self.s.cross_pair_prob and self.label_maps.get(
            CROSS_VIEWS.get(view, ""))
        if cross:
            maps = self.label_maps[CROSS_VIEWS[view]]
            query_key = maps[int(rng.integers(len(maps)))]
        elif others and not (self.s.self_pair_prob > 0 and rng.random() < self.s.self_pair_prob):
            query_key = others[int(rng.integers(len(others)))]
        else:  # single-subject set: the query is another augmentation of the same subject
            query_key = ref_key
        ref_meta, query_meta = items[ref_key], items[query_key]
        names = self._shared_classes(ref_meta, query_meta)
        if not names:  # nothing in common at this view: fall back to the same subject
            query_key, query_meta = ref_key, ref_meta
            names = self._shared_classes(ref_meta, ref_meta)
        groups = self._groups(rng, names)
        chosen = ["+".join(g) for g in groups]
        ref_contrast = ref_meta["contrasts"][int(rng.integers(len(ref_meta["contrasts"])))]
        palette = None
        if cross:
            values = sorted(set(ref_meta["labels_present"]) | set(query_meta["labels_present"]) | {0})
            palette = Palette.random(values, gen)
        if rng.random() < 0.5 and cross:  # the synthetic side may be the reference or the query
            ref_key, query_key, ref_meta, query_meta = query_key, ref_key, query_meta, ref_meta
        lateral = any(is_lateral(n) for n in chosen)
        flips = () if lateral else self.flip_axes.get(dataset, ())
        crop = bool(rng.random() < self.s.crop_prob)
        # drawn only when enabled, so that runs without focus crops keep their episode streams
        focus = self.s.focus_prob > 0 and bool(rng.random() < self.s.focus_prob)
        sides = []
        for key, meta in ((ref_key, ref_meta), (query_key, query_meta)):
            item = self.pack.load(key)
            values = [sorted({v for n in g for v in meta["classes"][n]["labels"]}) for g in groups]
            masks = torch.from_numpy(np.stack([np.isin(item.labels, v) for v in values]))
            if item.images:
                contrast = ref_contrast if ref_contrast in item.images and (
                    key == ref_key or rng.random() < self.s.same_contrast_prob) else meta["contrasts"][
                    int(rng.integers(len(meta["contrasts"])))]
                image = torch.from_numpy(item.raw(contrast))
            else:
                image = synthseg_image(torch.from_numpy(item.labels.astype(np.int64)), palette, gen)
            side = self._side(key, image, masks, item.labels, meta["dataset"], flips, crop)
            sides.append(replace(side, focus=focus, spacing=tuple(float(v) for v in meta["spacing_grid"])))
        if query_key == ref_key and not cross:
            if self.s.correspondence:
                sides = [with_coords(side) for side in sides]
            # the same scan on both sides: the query is cropped apart and re-posed (axes permuted; for
            # left/right classes only by a rotation, which keeps handedness), so the task is solved by
            # reading the reference, not by where the mask was
            if self.s.self_pair_pose == "any":
                flips, order = re_pose(rng, proper=lateral)
                sides[1] = replace(permuted(flipped(sides[1], flips), order), crop=True)
            else:
                orders = ((1, 2, 0), (2, 0, 1)) if lateral else ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))
                sides[1] = replace(permuted(sides[1], orders[int(rng.integers(len(orders)))]), crop=True)
            return sides[0], sides[1], chosen, f"{dataset}/{view}/self:{','.join(chosen)}"
        return sides[0], sides[1], chosen, f"{dataset}/{view}:{','.join(chosen)}"

    def _shared_classes(self, a: dict, b: dict) -> list[str]:
        m = self.s.min_class_voxels
        return sorted(n for n, c in a["classes"].items()
                      if c["training"] and c["voxels"] >= m and n in b["classes"]
                      and b["classes"][n]["training"] and b["classes"][n]["voxels"] >= m)

    # label-free tasks ---------------------------------------------------------------------------

    def _supervoxels(self, rng: np.random.Generator, gen: torch.Generator):
        key = self._any_item(rng, self.supervoxel_items)
        item = self.pack.load(key)
        meta = item.meta
        count = sorted(item.supervoxels)[int(rng.integers(len(item.supervoxels)))]
        sv = item.supervoxels[count]
        ignore = ignore_mask(meta["dataset"], item.labels).numpy()
        sizes = np.bincount(sv.ravel(), minlength=256)
        ignored = np.bincount(sv.ravel(), weights=ignore.ravel().astype(np.float64), minlength=256)
        candidates = [v for v in range(1, int(sv.max()) + 1)
                      if sizes[v] >= self.s.min_class_voxels and ignored[v] <= MAX_IGNORED_SHARE * sizes[v]]
        if not candidates:
            return self._shapes(rng, gen)
        used: set[int] = set()
        groups: list[list[int]] = []
        for _ in range(self._k(rng, len(candidates))):
            free = [v for v in candidates if v not in used]
            if not free:
                break
            group = [free[int(rng.integers(len(free)))]]
            if rng.random() < 0.5:
                near = [v for v in touching(sv, group[0]) if v not in used and v != group[0]]
                if near:
                    take = min(len(near), int(rng.integers(1, 4)))
                    group += [near[int(i)] for i in rng.choice(len(near), size=take, replace=False)]
            used.update(group)
            groups.append(sorted(group))
        masks = torch.from_numpy(np.stack([np.isin(sv, g) for g in groups]))
        contrasts = meta["contrasts"]
        ref_contrast = contrasts[int(rng.integers(len(contrasts)))]
        query_contrast = (ref_contrast if rng.random() < self.s.supervoxel_same_contrast_prob
                          else contrasts[int(rng.integers(len(contrasts)))])
        names = [f"supervoxel{j}" for j in range(len(groups))]
        # a supervoxel has no side and no orientation: either view may be mirrored along any axis
        # (supervoxel_mirror), and the query's axes are permuted (supervoxel_permute_prob), so matching must not
        # rely on the pose. In near-symmetric anatomy a left-right mirror shows a lump where its twin was, which
        # no image can tell apart: supervoxel_keep_left_right keeps axis 0 out of both
        axes = (1, 2) if self.s.supervoxel_keep_left_right else (0, 1, 2)  # the axes a pose may touch
        flips = axes if self.s.supervoxel_mirror else ()
        sides = [Subject(key, torch.from_numpy(item.raw(c)), masks.clone(), flips, torch.from_numpy(ignore), True)
                 for c in (ref_contrast, query_contrast)]
        if self.s.correspondence:
            sides = [with_coords(side) for side in sides]
        if rng.random() < self.s.supervoxel_permute_prob:
            order = list(range(3))
            for a, b in zip(axes, rng.permutation(axes)):
                order[a] = int(b)
            sides[1] = permuted(sides[1], tuple(order))
        return sides[0], sides[1], names, f"supervoxels/{meta['dataset']}:{count}x{len(groups)}"

    def _lesions(self, rng: np.random.Generator, gen: torch.Generator):
        hosts = [self._any_item(rng, self.images) for _ in range(2)]
        k = int(rng.integers(1, min(3, self.s.k_max) + 1))
        sides = []
        raw = []
        for key in hosts:
            item = self.pack.load(key)
            contrasts = item.meta["contrasts"]
            image = torch.from_numpy(item.raw(contrasts[int(rng.integers(len(contrasts)))]))
            raw.append((key, image, item.labels, item.meta["dataset"]))
        (ref_image, ref_masks), (query_image, query_masks) = lesion_task(
            k, raw[0][1], raw[1][1], rng, gen, self.s.empty_query_prob)
        for (key, _, labels, dataset), image, masks in ((raw[0], ref_image, ref_masks), (raw[1], query_image, query_masks)):
            sides.append(self._side(key, image, masks, labels, dataset, (), crop=False))
        names = [f"lesion{j}" for j in range(k)]
        return sides[0], sides[1], names, f"lesions:{k}"

    # synthetic tasks ----------------------------------------------------------------------------

    def _synthseg(self, rng: np.random.Generator, gen: torch.Generator):
        views = sorted(v for v, keys in self.label_maps.items() if len(keys) >= 2)
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
            sides.append(self._side(key, image, masks, labels, "synthseg", flips))
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
        relocate = bool(rng.random() < self.s.relocate_prob)
        (ri, rm), (qi, qm) = shapes_task(k, self.grid, gen, min_voxels=self.s.min_class_voxels, relocate=relocate)
        names = [f"shape{j}" for j in range(rm.shape[0])]
        empty = no_ignore(self.grid)
        return (Subject("shapes/ref", ri, rm, (), empty), Subject("shapes/query", qi, qm, (), empty), names,
                f"shapes:{rm.shape[0]}")


def touching(labels: np.ndarray, value: int) -> list[int]:
    """Values of ``labels`` that touch ``value`` along an axis (6-connectivity), background excluded."""
    mask = labels == value
    found: set[int] = set()
    for axis in range(3):
        for shift in (1, -1):
            moved = np.roll(mask, shift, axis=axis)
            found.update(int(v) for v in np.unique(labels[moved & ~mask]))
    found.discard(0)
    found.discard(value)
    return sorted(found)


def crop_theta(masks: torch.Tensor, rng: np.random.Generator, min_fraction: float, empty: bool,
               min_voxels: int) -> torch.Tensor:
    """[3, 4] theta for :func:`irisseg.data.augment.warp`: a box inside the volume (each axis at least
    ``min_fraction`` of it, zoomed to the grid) that holds the centre of a random class, or, with
    ``empty``, the smallest box in the corner farthest from class 0 when it holds fewer than
    ``min_voxels`` of its voxels (else a box as without ``empty``)."""
    g = masks.shape[-1]
    present = [j for j in range(masks.shape[0]) if bool(masks[j].any())]
    if not present:
        return _box(np.ones(3), np.zeros(3))
    if empty and 0 in present:
        fractions = np.full(3, min_fraction)
        best, best_voxels = None, None
        for corner in np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1], indexing="ij")).reshape(3, -1).T:
            theta = _box(fractions, corner * (1 - fractions))
            _, moved = warp(torch.zeros((1, g, g, g)), masks[:1].float(), theta)
            voxels = float(moved.sum())
            if best_voxels is None or voxels < best_voxels:
                best, best_voxels = theta, voxels
        if best_voxels < min_voxels:
            return best
    f = float(rng.uniform(min_fraction, 1.0))
    fractions = np.clip(f * rng.uniform(0.85, 1.15, size=3), min_fraction, 1.0)
    j = present[int(rng.integers(len(present)))]
    points = masks[j].nonzero().float()
    target = ((points.mean(0).numpy() + 0.5) / g) * 2 - 1
    centre = target + rng.uniform(-0.7, 0.7, size=3) * fractions
    return _box(fractions, np.clip(centre, -(1 - fractions), 1 - fractions))


def _box(fractions: np.ndarray, centre: np.ndarray) -> torch.Tensor:
    theta = torch.zeros(3, 4)
    theta[:, :3] = torch.diag(torch.tensor(fractions, dtype=torch.float32))
    theta[:, 3] = torch.tensor(centre, dtype=torch.float32)
    return theta


def _dilate(masks: torch.Tensor) -> torch.Tensor:
    return F.max_pool3d(masks.float()[None], 3, stride=1, padding=1)[0] > 0.5


def _erode(masks: torch.Tensor) -> torch.Tensor:
    return ~_dilate(~masks.bool())


def task_augment(ref: Subject, query: Subject, rng: np.random.Generator, prob: float, min_voxels: int
                 ) -> tuple[Subject, Subject]:
    """Task-level augmentation, the same for both sides: inverted intensities; every class replaced by
    its boundary shell; every class dilated or eroded by one voxel. A mask change that would leave a
    reference class with fewer than ``min_voxels`` voxels is not applied."""
    if prob <= 0 or ref.masks.shape[0] == 0:
        return ref, query
    if rng.random() < prob:
        ref, query = replace(ref, image=-ref.image), replace(query, image=-query.image)
    ops = []
    if rng.random() < prob:
        ops.append(lambda m: m & ~_erode(m))
    if rng.random() < prob:
        ops.append(_dilate if rng.random() < 0.5 else _erode)
    for op in ops:
        changed = op(ref.masks.bool())
        if bool((changed.flatten(1).sum(1) >= min_voxels).all()):
            ref, query = replace(ref, masks=changed), replace(query, masks=op(query.masks.bool()))
    return ref, query

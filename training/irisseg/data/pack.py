"""Build the training pack: ``python -m irisseg.data.pack --data ../shared/data --out pack --grid 64``.

Every subject of every set (and a few regions around structure groups of the large volumes, see
:mod:`irisseg.data.regions`) is read in canonical RAS+ order, resampled to the model grid and written
as one bzip2 ``.npz`` (format: :mod:`irisseg.data.pack_format`), with an ``index.json`` that lists
datasets, items, classes (label values, whether training may use them, voxels at the grid), split,
spacing at the grid and source shapes. Images go through the model's own
:func:`irisseg.model.preprocess.resample_to_grid`; label maps through the same function one label at
a time, each voxel taking the label of largest weight (a majority vote where the grid is coarser,
nearest-label where it is finer), so image and labels stay aligned exactly.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from ..model.preprocess import resample_to_grid
from . import splits
from .pack_format import FORMAT_VERSION, INDEX_FILE, round_float16, save_npz
from .regions import REGIONS, crop, region_box
from .sources import READERS, Subject, iter_subjects
from .supervoxels import GRANULARITIES, supervoxels

#: Which sets may be paired in one task (same structures, same label numbering).
FAMILIES = {"hippocampus": "hippocampus", "brats": "brats", "totalseg": "totalseg",
            "voxelmorph": "freesurfer_brain", "synthseg": "freesurfer_brain", "fetal": "fetal", "stroke": "stroke"}

#: Canonical axes along which a set may be mirrored (0 = left-right). Lateralised classes
#: (``left``/``right`` in the name) are never mirrored, whatever is listed here; the anterior-posterior
#: axis (1) and the superior-inferior axis (2) never are.
FLIP_AXES = {"hippocampus": [0], "brats": [0], "totalseg": [], "voxelmorph": [0], "synthseg": [0], "fetal": [0],
             "stroke": [0]}

#: Supervoxel maps are stored for at most this many subjects of a set (the rest: none), in sorted order
#: of subject id; the hippocampus set is large and its crops alike, so 40 of them are enough.
SUPERVOXEL_SUBJECTS = {"hippocampus": 40}

DEFAULT_MANTISSA_BITS = 7
FLOAT16_SAFE_MAX = 2.0**15
DEFAULT_MAX_MIB = 60.0  # the pack travels to a GPU machine with at most 64 MiB of carried files


def resample_image(image: np.ndarray, grid: int) -> np.ndarray:
    """[X, Y, Z] float -> [G, G, G] float32 through the model's resample_to_grid."""
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None, None]
    return resample_to_grid(x, grid)[0, 0].numpy()


def axis_weights(size: int, grid: int) -> torch.Tensor:
    """[G, size]: resample_to_grid along one axis as a matrix (area average when the axis is longer
    than G, then linear interpolation, align_corners=False). resample_to_grid is separable, so the
    3D operator is the outer product of the three axis matrices."""
    eye = torch.eye(size, dtype=torch.float64)[:, None, :]  # [size, 1, size]: one delta per batch entry
    if size > grid:
        eye = F.adaptive_avg_pool1d(eye, grid)
    if eye.shape[-1] != grid:
        eye = F.interpolate(eye, size=grid, mode="linear", align_corners=False)
    return eye[:, 0, :].T.contiguous()


def resample_labels(labels: np.ndarray, grid: int) -> np.ndarray:
    """[X, Y, Z] integer map -> [G, G, G]: each grid voxel takes the label whose mask, resampled like
    an image (resample_to_grid), weighs most there (ties: the smaller label value).

    Each label's weight is computed on its bounding box only, with the separable axis matrices of
    :func:`axis_weights`, so a 256^3 map with 50 labels takes seconds, not minutes.
    """
    labels = np.ascontiguousarray(labels)
    if all(n % grid == 0 for n in labels.shape):
        return _block_majority(labels, grid)
    mats = [axis_weights(n, grid).to(torch.float32) for n in labels.shape]
    boxes = {v: box for v, box in enumerate(ndimage.find_objects(labels.astype(np.int32) + 1)) if box is not None}
    # the label with the largest box is the remainder: the operator keeps constants (rows sum to
    # one), so its weight is one minus the others'
    sizes = {v: np.prod([s.stop - s.start for s in box]) for v, box in boxes.items()}
    remainder = max(sizes, key=lambda v: (sizes[v], -v))
    weights = {}
    total = torch.zeros((grid, grid, grid))
    for value, box in boxes.items():
        if value == remainder:
            continue
        sub = torch.from_numpy(labels[box] == value).to(torch.float32)
        w = torch.tensordot(mats[0][:, box[0]], sub, dims=([1], [0]))  # [G, y, z]
        w = torch.tensordot(w, mats[1][:, box[1]], dims=([1], [1]))  # [G, z, G]
        w = torch.tensordot(w, mats[2][:, box[2]], dims=([1], [1]))  # [G, G, G]
        weights[value] = w
        total += w
    weights[remainder] = 1.0 - total
    best = torch.full((grid, grid, grid), -1.0)
    out = torch.zeros((grid, grid, grid), dtype=torch.int64)
    values = sorted(weights)
    for value in values:
        better = weights[value] > best + 1e-6
        best = torch.where(better, weights[value], best)
        out[better] = value
    dtype = np.uint8 if max(values) < 256 else np.uint16
    return out.numpy().astype(dtype)


def _block_majority(labels: np.ndarray, grid: int) -> np.ndarray:
    """resample_labels when every axis is a multiple of G: the operator is a plain block average, so
    one bincount over (block, label) gives every label's weight at once."""
    values = np.flatnonzero(np.bincount(labels.ravel().astype(np.int64)))
    lut = np.zeros(int(values[-1]) + 1, dtype=np.int64)
    lut[values] = np.arange(len(values))
    compact = lut[labels]
    fx, fy, fz = (n // grid for n in labels.shape)
    gx, gy, gz = np.meshgrid(*(np.arange(n) // f for n, f in zip(labels.shape, (fx, fy, fz))), indexing="ij", sparse=True)
    block = (gx * grid + gy) * grid + gz  # [X, Y, Z] block index, broadcast
    counts = np.bincount((block * len(values) + compact).ravel(), minlength=grid**3 * len(values))
    winner = counts.reshape(grid**3, len(values)).argmax(axis=1)  # first maximum = smaller label value
    dtype = np.uint8 if values.max() < 256 else np.uint16
    return values[winner].reshape(grid, grid, grid).astype(dtype)


def float16_scale(image: np.ndarray) -> float:
    """1, or the power of two that brings ``max |image|`` to at most 2^15 (float16 ends at 65504).
    Some MSD hippocampus images reach 10^6."""
    peak = float(np.abs(image).max()) if image.size else 0.0
    if peak <= FLOAT16_SAFE_MAX:
        return 1.0
    return float(2.0 ** -np.ceil(np.log2(peak / FLOAT16_SAFE_MAX)))


def item_arrays(images: dict[str, np.ndarray], labels: np.ndarray, grid: int,
                mantissa_bits: int, with_supervoxels: bool = False) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The ``.npz`` arrays of one item and the scale applied to each contrast (stored = raw * scale).

    With ``with_supervoxels`` (and images), ``supervoxels_<n>`` maps of the first contrast are added
    for every granularity of :data:`irisseg.data.supervoxels.GRANULARITIES`."""
    arrays, scales = {}, {}
    for contrast, image in images.items():
        resampled = resample_image(image, grid)
        scales[contrast] = float16_scale(resampled)
        stored = round_float16(resampled * scales[contrast], mantissa_bits)
        if not np.isfinite(stored).all():
            raise ValueError(f"non-finite values in contrast {contrast!r} after resampling")
        arrays[f"image_{contrast}"] = stored
    arrays["labels"] = resample_labels(labels, grid)
    if with_supervoxels and images:
        first = arrays[f"image_{sorted(images)[0]}"].astype(np.float32)
        for count in GRANULARITIES:
            arrays[f"supervoxels_{count}"] = supervoxels(first, count)
    return arrays, scales


def item_meta(subject: Subject, view: str, box, labels_grid: np.ndarray, grid: int, shape) -> dict:
    counts = dict(zip(*np.unique(labels_grid, return_counts=True)))
    classes = {}
    for name, values in subject.classes.items():
        classes[name] = {"labels": [int(v) for v in values],
                         "training": splits.is_training_class(subject.dataset, name, values),
                         "voxels": int(sum(counts.get(v, 0) for v in values))}
    suffix = "" if view == "whole" else f"@{view}"
    key = f"{subject.key}{suffix}"
    return {
        "key": key,
        "dataset": subject.dataset,
        "subject": subject.subject_id,
        "view": view,
        "family": FAMILIES.get(subject.dataset, subject.dataset),
        "file": f"{subject.dataset}/{subject.subject_id}{suffix}.npz",
        "contrasts": sorted(subject.images),
        "modality": subject.modality,
        "split": "train",
        "classes": classes,
        "labels_present": [int(v) for v in sorted(counts) if v != 0],
        "source_shape": [int(s) for s in shape],
        "source_spacing": [float(s) for s in subject.spacing],
        "spacing_grid": [float(s * sp / grid) for s, sp in zip(shape, subject.spacing)],
        "box": [list(b) for b in box] if box is not None else None,
        "notes": list(subject.notes),
    }


def build_pack(data_root: str | Path, out: str | Path, grid: int = 64, limit: int | None = None,
               datasets: list[str] | None = None, mantissa_bits: int = DEFAULT_MANTISSA_BITS,
               regions: bool = True, log=print) -> dict:
    """Write the pack into ``out`` and return its index.

    The pack is built next to ``out`` and swapped in only when complete, so a failed build leaves the
    previous pack as it was, and a run reading the previous pack loses it only for an instant.
    """
    final = Path(out)
    if final.exists() and not (final / INDEX_FILE).exists() and any(final.iterdir()):
        raise FileExistsError(f"{final} exists and is not a pack; refusing to replace it")
    out = final.with_name(final.name + ".building")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    items, total_bytes = [], 0
    started = time.perf_counter()
    supervoxel_subjects: dict[str, int] = {}
    for subject in iter_subjects(data_root, datasets=datasets, limit=limit):
        seen = supervoxel_subjects.get(subject.dataset, 0)
        with_supervoxels = seen < SUPERVOXEL_SUBJECTS.get(subject.dataset, 10**9)
        supervoxel_subjects[subject.dataset] = seen + 1
        views = [("whole", None, subject.images, subject.labels)]
        if regions:
            for region in REGIONS:
                if subject.dataset in region.datasets:
                    box = region_box(subject, region)
                    if box is not None:
                        views.append((region.name, box, *crop(subject, box)))
        for view, box, images, labels in views:
            arrays, scales = item_arrays(images, labels, grid, mantissa_bits, with_supervoxels)
            meta = item_meta(subject, view, box, arrays["labels"], grid, labels.shape)
            meta["image_scale"] = scales
            meta["supervoxels"] = sorted(int(k.split("_")[1]) for k in arrays if k.startswith("supervoxels_"))
            total_bytes += save_npz(out / meta["file"], arrays)
            items.append(meta)
        log(f"{subject.key}: {len(views)} item(s), {total_bytes / 2**20:.1f} MiB so far, "
            f"{time.perf_counter() - started:.0f} s")
    assign_splits(items)
    index = {
        "format_version": FORMAT_VERSION,
        "grid": grid,
        "image_dtype": "float16",
        "image_mantissa_bits": mantissa_bits,
        "image_normalised": False,
        "orientation": "RAS+ (nibabel as_closest_canonical)",
        "datasets": describe_datasets(items),
        "splits": splits.describe(),
        "items": items,
        "total_bytes": total_bytes,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    (out / INDEX_FILE).write_text(json.dumps(index, indent=1))
    if final.exists():
        previous = final.with_name(final.name + ".previous")
        if previous.exists():
            shutil.rmtree(previous)
        final.rename(previous)
        out.rename(final)
        shutil.rmtree(previous)
    else:
        out.rename(final)
    return index


def assign_splits(items: list[dict]) -> None:
    """Mark the validation subjects' items (all views of a held-out subject) as ``val``."""
    by_dataset: dict[str, set[str]] = {}
    for item in items:
        by_dataset.setdefault(item["dataset"], set()).add(item["subject"])
    held_out = {d: set(splits.validation_subjects(d, sorted(ids))) for d, ids in by_dataset.items()}
    for item in items:
        item["split"] = "val" if item["subject"] in held_out[item["dataset"]] else "train"


def describe_datasets(items: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for item in items:
        d = out.setdefault(item["dataset"], {
            "family": item["family"], "modality": set(), "contrasts": set(), "flip_axes": FLIP_AXES.get(item["dataset"], []),
            "views": set(), "subjects": set(), "validation": set(), "classes": set(), "unseen_classes": set()})
        d["modality"].add(item["modality"])
        d["contrasts"].update(item["contrasts"])
        d["views"].add(item["view"])
        d["subjects"].add(item["subject"])
        if item["split"] == "val":
            d["validation"].add(item["subject"])
        for name, c in item["classes"].items():
            (d["classes"] if c["training"] else d["unseen_classes"]).add(name)
    for d in out.values():
        for k, v in list(d.items()):
            if isinstance(v, set):
                d[k] = sorted(v)
        d["has_images"] = bool(d["contrasts"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m irisseg.data.pack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data", help="data root (../shared/data)")
    parser.add_argument("--out", default="pack", help="output directory (replaced)")
    parser.add_argument("--grid", type=int, default=64, help="model grid G")
    parser.add_argument("--limit", type=int, default=None, help="at most this many subjects per set (tests)")
    parser.add_argument("--datasets", nargs="*", default=None, choices=sorted(READERS), help="only these sets")
    parser.add_argument("--mantissa-bits", type=int, default=DEFAULT_MANTISSA_BITS,
                        help="float16 mantissa bits kept for images (10 = lossless float16)")
    parser.add_argument("--no-regions", action="store_true", help="whole volumes only")
    parser.add_argument("--max-mib", type=float, default=DEFAULT_MAX_MIB, help="fail if the pack is larger")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if not Path(args.data).is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    index = build_pack(args.data, args.out, args.grid, args.limit, args.datasets, args.mantissa_bits,
                       not args.no_regions)
    mib = index["total_bytes"] / 2**20
    n_val = sum(i["split"] == "val" for i in index["items"])
    print(f"pack: {len(index['items'])} items ({n_val} validation), {mib:.1f} MiB, {index['build_seconds']:.0f} s "
          f"-> {args.out}")
    if mib > args.max_mib:
        print(f"pack is {mib:.1f} MiB, over the {args.max_mib} MiB limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The training pack on disk: ``index.json`` plus one ``.npz`` per item. Numpy only.

This module is all a GPU machine needs to read a pack (no nibabel, no scipy). An item is a subject
or a region of a subject, already in canonical RAS+ order and resampled to the model grid G:

- ``image_<contrast>``: float16 [G, G, G], raw intensities (not normalised) times the item's
  ``image_scale[contrast]`` (1, or a power of two below 1 for images beyond float16's range), mantissa
  rounded to ``index["image_mantissa_bits"]`` bits (relative error below 2^-(bits+1)) so that it
  compresses;
- ``labels``: uint8 or uint16 [G, G, G], the label map (values as in the source).

The ``.npz`` members are bzip2-compressed; ``numpy.load`` reads them as any ``.npz``.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

INDEX_FILE = "index.json"
FORMAT_VERSION = 3  # 2: images beyond float16 range are stored scaled (image_scale); 3: supervoxel maps


def round_float16(x: np.ndarray, mantissa_bits: int) -> np.ndarray:
    """float16 copy of ``x`` keeping ``mantissa_bits`` (<= 10) of the mantissa, rounded to nearest."""
    h = np.asarray(x, dtype=np.float16)
    drop = 10 - int(mantissa_bits)
    if drop <= 0:
        return h
    bits = h.view(np.uint16).astype(np.uint32)
    bits = ((bits + (1 << (drop - 1))) >> drop) << drop
    out = bits.astype(np.uint16).view(np.float16)
    return np.where(np.isfinite(out), out, h)


def save_npz(path: str | Path, arrays: dict[str, np.ndarray]) -> int:
    """Write ``arrays`` as a bzip2-compressed ``.npz``; returns the file size in bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_BZIP2, compresslevel=9) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(f"{name}.npy", buf.getvalue())
    tmp.replace(path)
    return path.stat().st_size


@dataclass
class PackItem:
    """One item of the pack, in memory.

    images: contrast -> float16 [G, G, G] raw intensities (as stored; cast before use);
    labels: uint8/uint16 label map [G, G, G].
    meta: the item's entry in ``index.json``.
    supervoxels: granularity -> uint8 supervoxel map [G, G, G] (0 = background); may be empty.
    """

    images: dict[str, np.ndarray]
    labels: np.ndarray
    meta: dict
    supervoxels: dict[int, np.ndarray] = field(default_factory=dict)

    def raw(self, contrast: str) -> np.ndarray:
        """float32 [G, G, G] raw intensities of one contrast (the stored scale undone)."""
        scale = float(self.meta.get("image_scale", {}).get(contrast, 1.0))
        return self.images[contrast].astype(np.float32) / np.float32(scale)


class Pack:
    """Read access to a pack directory: the index and the items (loaded lazily, cached)."""

    def __init__(self, root: str | Path, cache: bool = True):
        self.root = Path(root)
        self.index = json.loads((self.root / INDEX_FILE).read_text())
        if self.index.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{self.root}: pack format {self.index.get('format_version')} != {FORMAT_VERSION}")
        self.items: dict[str, dict] = {item["key"]: item for item in self.index["items"]}
        self._cache: dict[str, PackItem] | None = {} if cache else None

    @property
    def grid(self) -> int:
        return int(self.index["grid"])

    def keys(self, split: str | None = None, dataset: str | None = None, view: str | None = None) -> list[str]:
        """Item keys filtered by split (``train``/``val``), dataset and view (``whole``, ...)."""
        return [k for k, m in self.items.items()
                if (split is None or m["split"] == split) and (dataset is None or m["dataset"] == dataset)
                and (view is None or m["view"] == view)]

    def load(self, key: str) -> PackItem:
        if self._cache is not None and key in self._cache:
            return self._cache[key]
        meta = self.items[key]
        with np.load(self.root / meta["file"]) as data:
            images = {c: data[f"image_{c}"] for c in meta["contrasts"]}
            labels = data["labels"]
            maps = {int(n): data[f"supervoxels_{n}"] for n in meta.get("supervoxels", [])}
        item = PackItem(images, labels, meta, maps)
        if self._cache is not None:
            self._cache[key] = item
        return item

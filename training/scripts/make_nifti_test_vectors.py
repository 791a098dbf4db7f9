"""Write the expected NIfTI geometry and canonical arrays of every file in ../shared/data as test vectors.

The Java reader (``org.irisseg.nifti``) is checked against nibabel with these vectors. For every
``*.nii`` / ``*.nii.gz`` under the data root this records:

- ``path``: relative to the data root (forward slashes),
- ``shape``: the native spatial shape ``[X, Y, Z]`` (singleton 4th dimension dropped),
- ``affine``: the 4x4 voxel->world affine nibabel uses (``img.affine``), row-major,
- ``axcodes``: ``nibabel.aff2axcodes(img.affine)`` of the original file, e.g. ``"LPS"``,
- ``canonical_shape`` and ``canonical_affine``: of ``nibabel.as_closest_canonical(img)``,
- ``canonical_sha256``: SHA-256 of the canonical array as little-endian float32 bytes in C order
  (z fastest). The array is ``as_closest_canonical(img).get_fdata(dtype=float64)`` (scaling applied in
  float64) cast to float32, i.e. each voxel is ``float32(raw * scl_slope + scl_inter)`` computed in
  double precision, which is what the Java reader does,
- ``canonical_sum``: float64 sum of those float32 values (a readable cross-check of the hash),
- ``label_like``: all values finite, non-negative integers (so the file reads as a label map),
- ``max_value``: the largest voxel value.

Usage (from the repository root)::

    .venv/bin/python training/scripts/make_nifti_test_vectors.py \
        --data ../shared/data --out src/test/resources/nifti/shared-data-vectors.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import nibabel as nib
import numpy as np


def canonical_float32(img: nib.spatialimages.SpatialImage) -> tuple[np.ndarray, np.ndarray]:
    """Canonical (closest RAS+) array as float32 ``[X, Y, Z]`` in C order, and its 4x4 affine."""
    canonical = nib.as_closest_canonical(img)
    data = np.asarray(canonical.get_fdata(dtype=np.float64))
    data = data.reshape(data.shape[:3]).astype("<f4")
    return np.ascontiguousarray(data), np.asarray(canonical.affine, dtype=np.float64)


def vector_for(path: Path, root: Path) -> dict:
    """Expected values for one NIfTI file (see module docstring)."""
    img = nib.load(str(path))
    if len(img.shape) > 3 and any(n != 1 for n in img.shape[3:]):
        raise ValueError(f"{path}: not a single 3D volume, shape {img.shape}")
    data, affine = canonical_float32(img)
    finite = bool(np.isfinite(data).all())
    label_like = finite and bool((data >= 0).all()) and bool((data == np.round(data)).all())
    return {
        "path": path.relative_to(root).as_posix(),
        "shape": [int(n) for n in img.shape[:3]],
        "affine": np.asarray(img.affine, dtype=np.float64).tolist(),
        "axcodes": "".join(nib.aff2axcodes(img.affine)),
        "canonical_shape": [int(n) for n in data.shape],
        "canonical_affine": affine.tolist(),
        "canonical_sha256": hashlib.sha256(data.tobytes(order="C")).hexdigest(),
        "canonical_sum": float(data.sum(dtype=np.float64)),
        "label_like": label_like,
        "max_value": float(data.max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("src/test/resources/nifti/shared-data-vectors.json"))
    args = parser.parse_args()
    root = args.data.resolve()
    files = sorted(p for p in root.rglob("*") if p.name.endswith((".nii", ".nii.gz")))
    if not files:
        raise SystemExit(f"no NIfTI files under {root}")
    vectors = [vector_for(p, root) for p in files]
    doc = {
        "description": "Expected NIfTI geometry and canonical arrays of ../shared/data, written by "
        "training/scripts/make_nifti_test_vectors.py with nibabel " + nib.__version__,
        "files": vectors,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(vectors)} vectors to {args.out}")


if __name__ == "__main__":
    main()

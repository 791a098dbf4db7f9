"""NIfTI reading and writing in canonical RAS+ voxel order, nnU-Net style.

`read_volume` returns the voxel array re-ordered to the closest canonical orientation
(nibabel's ``as_closest_canonical``: increasing index runs towards +R, +A, +S), exactly what the
service and the export do, together with a :class:`Geometry` that remembers the file's own
orientation and header. `write_volume` takes an array in canonical order and writes it back in the
original orientation with the original header, so a read/write round trip moves nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np
from nibabel.orientations import apply_orientation, axcodes2ornt, io_orientation, ornt_transform

_RAS = axcodes2ornt(("R", "A", "S"))


@dataclass(frozen=True)
class Geometry:
    """Where a canonical voxel array sits in the world, and how to write it back.

    original_affine: 4x4 voxel-to-world (mm) of the file as stored.
    canonical_affine: 4x4 voxel-to-world of the canonical (RAS+) array.
    spacing: voxel size in mm, canonical axis order (3,).
    original_axcodes: the file's axis codes, e.g. ('L', 'P', 'S').
    original_shape: spatial shape as stored (3,).
    header: a copy of the file's NIfTI header (datatype, qform/sform codes, descriptions).
    """

    original_affine: np.ndarray
    canonical_affine: np.ndarray
    spacing: tuple[float, float, float]
    original_axcodes: tuple[str, str, str]
    original_shape: tuple[int, int, int]
    header: nib.Nifti1Header

    @property
    def canonical_shape(self) -> tuple[int, int, int]:
        """Spatial shape of the canonical array (the original shape, permuted)."""
        order = np.argsort(self._to_canonical()[:, 0])  # canonical axis i comes from original axis order[i]
        return tuple(int(self.original_shape[int(a)]) for a in order)

    def _to_canonical(self) -> np.ndarray:
        return ornt_transform(io_orientation(self.original_affine), _RAS)

    def to_canonical(self, array: np.ndarray) -> np.ndarray:
        """Original voxel order [X0,Y0,Z0,...] -> canonical RAS+ order [X,Y,Z,...]."""
        return apply_orientation(array, self._to_canonical())

    def to_original(self, array: np.ndarray) -> np.ndarray:
        """Canonical RAS+ order [X,Y,Z,...] -> the file's own voxel order."""
        return apply_orientation(array, ornt_transform(_RAS, io_orientation(self.original_affine)))


def _spacing(affine: np.ndarray) -> tuple[float, float, float]:
    zooms = np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))
    return tuple(float(z) for z in zooms)


def read_geometry(path: str | Path, affine: np.ndarray | None = None) -> Geometry:
    """The :class:`Geometry` of a NIfTI file, without reading its voxels.

    ``affine`` replaces the file's own voxel-to-world matrix, for files known to carry a wrong one.
    """
    img = nib.load(str(path))
    if affine is not None:
        img = nib.Nifti1Image(img.dataobj, np.asarray(affine, dtype=np.float64), header=img.header)
    canonical = nib.as_closest_canonical(img)
    return Geometry(
        original_affine=np.array(img.affine, dtype=np.float64),
        canonical_affine=np.array(canonical.affine, dtype=np.float64),
        spacing=_spacing(canonical.affine),
        original_axcodes=tuple(nib.aff2axcodes(img.affine)),
        original_shape=tuple(int(s) for s in img.shape[:3]),
        header=img.header.copy(),
    )


def read_volume(path: str | Path, label: bool = False, affine: np.ndarray | None = None) -> tuple[np.ndarray, Geometry]:
    """Read a 3D NIfTI file as a canonical RAS+ array.

    Returns ``(array [X,Y,Z], geometry)``. Images come back as float32 (scaling applied); label maps
    (``label=True``) are rounded to integers and returned in the smallest of uint8 / uint16 / int32
    that holds them. ``affine`` overrides the file's voxel-to-world matrix (see :func:`read_geometry`).
    """
    img = nib.load(str(path))
    geometry = read_geometry(path, affine)
    if label:
        data = np.asanyarray(img.dataobj)
        if not np.issubdtype(data.dtype, np.integer):
            data = np.rint(data)
        lo, hi = (int(data.min()), int(data.max())) if data.size else (0, 0)
        if lo >= 0 and hi < 256:
            dtype = np.uint8
        elif lo >= 0 and hi < 65536:
            dtype = np.uint16
        else:
            dtype = np.int32
        data = data.astype(dtype, copy=False)
    else:
        data = np.asarray(img.get_fdata(dtype=np.float32), dtype=np.float32)
    array = np.ascontiguousarray(geometry.to_canonical(data))
    return array, geometry


def write_volume(path: str | Path, array: np.ndarray, geometry: Geometry, dtype=None) -> None:
    """Write a canonical RAS+ array [X,Y,Z] in the original orientation and header of `geometry`.

    The voxel data type defaults to the original file's; pass ``dtype`` to override (e.g. uint8 for
    a predicted label map written next to a float image).
    """
    expected = geometry.canonical_shape
    if tuple(array.shape[:3]) != expected:
        raise ValueError(f"array shape {array.shape[:3]} does not match canonical shape {expected}")
    header = geometry.header.copy()
    out_dtype = np.dtype(dtype) if dtype is not None else header.get_data_dtype()
    header.set_data_dtype(out_dtype)
    data = geometry.to_original(np.asarray(array))
    if np.issubdtype(out_dtype, np.integer) and not np.issubdtype(data.dtype, np.integer):
        data = np.rint(data)
    img = nib.Nifti1Image(data.astype(out_dtype, copy=False), geometry.original_affine, header=header)
    # keep the original qform/sform codes (nibabel would otherwise pick its own)
    qform, qcode = geometry.header.get_qform(coded=True)
    sform, scode = geometry.header.get_sform(coded=True)
    img.set_qform(geometry.original_affine if qform is None else qform, code=int(qcode))
    img.set_sform(geometry.original_affine if sform is None else sform, code=int(scode))
    nib.save(img, str(path))

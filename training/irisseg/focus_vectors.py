"""The ``focus`` test vectors: locate, then focus on real cases, as the service must reproduce them.

    python -m irisseg.focus_vectors --model ../models/iris-small --data ../../shared/data   (from training/)

adds (or replaces) the cases (:data:`CASES`: one focused pass, and overlapping windows) in
``MODEL_DIR/testvectors/testvectors.json`` and lists them in model.json's ``testvectors``; the modules,
their hashes and the version are untouched. The boxes come from
:mod:`irisseg.boxes` alone and the passes from :mod:`irisseg.evaluation.focus`, run through the exported
modules (:class:`irisseg.predictor.IrisPredictor`). Format: docs/export-contract.md, "Focus".
"""
from __future__ import annotations

import argparse
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from irisseg import boxes
from irisseg.evaluation.cases import Subject
from irisseg.evaluation.focus import focused_embedding, windowed_locate_and_focus
from irisseg.predictor import IrisPredictor
from irisseg.testvectors import TOLERANCE

#: Sampled voxels of the final probabilities: half inside the query box, half outside.
NUM_SAMPLES = 4096
#: Voxels per face of the query box taken just inside it and just outside it.
FACE_SAMPLES = 24
SEED = 20250
CANONICALISATION = "nibabel as_closest_canonical, get_fdata(float32); masks[k] = (label == labels[k])"
ATLAS = "fetal_brain_atlas/fetal_SB_atlas_GA{}/{}"


@dataclass(frozen=True)
class CaseSpec:
    """A case's inputs under the shared data folder: reference image and label map, query image, and the
    reference's label values (one class each)."""

    name: str
    reference_image: str
    reference_label: str
    query_image: str
    labels: tuple[int, ...]

    @property
    def files(self) -> tuple[str, str, str]:
        return self.reference_image, self.reference_label, self.query_image


#: Fetal atlas weeks (135x189x155, 0.8 mm, RAS), deep grey matter and brainstem, with the shipped models:
#: ``focus``: the reference box is a real crop and the query box (one focused pass) neither empty nor the
#: whole volume; ``focus_windows``: a younger, smaller brain as the reference and an older, larger one as
#: the query, whose found extent needs overlapping windows (``boxes.query_windows``). Both stable at the
#: found threshold.
CASES = (
    CaseSpec("focus", ATLAS.format("27_operated", "srr.nii.gz"), ATLAS.format("27_operated", "parcellation.nii.gz"),
             ATLAS.format("21_notoperated", "srr.nii.gz"), (6, 7)),
    CaseSpec("focus_windows", ATLAS.format("21_notoperated", "srr.nii.gz"),
             ATLAS.format("21_notoperated", "parcellation.nii.gz"), ATLAS.format("34_operated", "srr.nii.gz"), (6, 7)),
)
CASE_NAMES = tuple(c.name for c in CASES)


class FocusCaseError(RuntimeError):
    """A focus case cannot be written with this model: its coarse pass finds nothing in the query, or the
    bounds of what it finds move within the tolerance of the found threshold (the boxes would not be exact)."""


@dataclass(frozen=True)
class FocusCase:
    """Everything a case states: inputs' spacings, the reference box, the side, the focus embedding ``[K, E]``,
    the query's windows (one box where the reference box holds what was found) and the box around them,
    the final probabilities ``[K, X, Y, Z]`` of the query."""

    reference_shape: tuple[int, int, int]
    reference_spacing: tuple[float, float, float]
    query_spacing: tuple[float, float, float]
    reference_box: boxes.Box
    side_mm: float
    embedding: np.ndarray
    query_windows: tuple[boxes.Box, ...]
    probabilities: np.ndarray

    @property
    def query_box(self) -> boxes.Box:
        """The box around every window (the service reports its size)."""
        return boxes.Box(tuple(min(w.start[a] for w in self.query_windows) for a in range(3)),
                         tuple(max(w.stop[a] for w in self.query_windows) for a in range(3)))


def load_canonical(data_root: Path, rel: str) -> tuple[np.ndarray, tuple[float, float, float]]:
    """A NIfTI file as the contract reads it: canonical (RAS+) float32 voxels and voxel sizes (mm)."""
    import nibabel as nib

    img = nib.as_closest_canonical(nib.load(str(Path(data_root) / rel)))
    spacing = tuple(float(z) for z in img.header.get_zooms()[:3])
    return np.ascontiguousarray(img.get_fdata(dtype=np.float32)), spacing


def compute(predictor, data_root: Path, spec: CaseSpec = CASES[0]) -> FocusCase:
    """Locate, then focus on the case's files; raises :class:`FocusCaseError` when nothing is found or the
    found bounds are not stable within the tolerance of the threshold."""
    ref_image, ref_spacing = load_canonical(data_root, spec.reference_image)
    labels, _ = load_canonical(data_root, spec.reference_label)
    query_image, query_spacing = load_canonical(data_root, spec.query_image)
    masks = np.stack([labels == v for v in spec.labels])
    reference = Subject("reference", ref_image, masks, ref_spacing)
    query = Subject("query", query_image, np.zeros((0, *query_image.shape), dtype=bool), query_spacing)
    embedding, side = focused_embedding(predictor, reference)
    result = windowed_locate_and_focus(predictor, query, predictor.encode_image(query_image), embedding, side)
    if not result.boxes:
        raise FocusCaseError(f"{spec.name}: the coarse pass finds nothing in the query with this model")
    bounds = [found_bounds(result.coarse, boxes.FOUND_THRESHOLD + d) for d in (-TOLERANCE, TOLERANCE)]
    if bounds[0] != bounds[1]:
        raise FocusCaseError(f"{spec.name}: the found bounds move within the tolerance of the threshold "
                             f"({bounds[0]} against {bounds[1]})")
    return FocusCase(ref_image.shape, ref_spacing, query_spacing, boxes.reference_box(masks, ref_spacing), side,
                     embedding.numpy(), tuple(result.boxes), result.probabilities)


def found_bounds(coarse: np.ndarray, threshold: float) -> tuple:
    """Bounds ``(lows, highs)`` of the voxels where some class of ``coarse`` ``[K, X, Y, Z]`` exceeds ``threshold``."""
    where = np.argwhere((coarse > threshold).any(axis=0))
    return tuple(where.min(axis=0).tolist()), tuple(where.max(axis=0).tolist())


def sample_indices(shape: Sequence[int], box: boxes.Box, count: int = NUM_SAMPLES, seed: int = SEED) -> np.ndarray:
    """Sorted unique flat C-order indices ``(x*Y + y)*Z + z`` of about ``count`` voxels of a volume of
    ``shape``: half inside ``box`` (its 8 corners and voxels on its faces among them), half outside (voxels
    just outside its faces among them), the rest drawn at random with ``seed``."""
    rng = np.random.default_rng(seed)
    inside = np.zeros(tuple(shape), dtype=bool)
    inside[box.slices()] = True
    corners = np.array(np.meshgrid(*[(a, b - 1) for a, b in zip(box.start, box.stop)], indexing="ij")).reshape(3, -1).T
    wanted_in, wanted_out = [corners], []
    for axis in range(3):
        for layer, out in ((box.start[axis], False), (box.stop[axis] - 1, False),
                           (box.start[axis] - 1, True), (box.stop[axis], True)):
            if not 0 <= layer < shape[axis]:
                continue
            points = np.stack([rng.integers(a, b, FACE_SAMPLES) for a, b in zip(box.start, box.stop)], axis=1)
            points[:, axis] = layer
            (wanted_out if out else wanted_in).append(points)

    def flat(points: list[np.ndarray]) -> np.ndarray:
        if not points:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.ravel_multi_index(tuple(np.concatenate(points).T), tuple(shape)))

    chosen = []
    for wanted, region in ((flat(wanted_in), inside), (flat(wanted_out), ~inside)):
        rest = np.setdiff1d(np.flatnonzero(region), wanted, assume_unique=True)
        extra = rng.choice(rest, size=max(0, min(count // 2 - wanted.size, rest.size)), replace=False)
        chosen += [wanted, extra]
    return np.unique(np.concatenate(chosen)).astype(np.int64)


def box_list(box: boxes.Box) -> list[int]:
    """``[x0, x1, y0, y1, z0, z1]``: a box as the case states it."""
    return [int(v) for a, b in zip(box.start, box.stop) for v in (a, b)]


def write_case(predictor, out: Path, data_root: Path, spec: CaseSpec = CASES[0]) -> dict[str, Any]:
    """Compute the case, write its arrays under ``out/<name>/`` and return its entry of testvectors.json."""
    case = compute(predictor, data_root, spec)
    (out / spec.name).mkdir(parents=True, exist_ok=True)
    indices = sample_indices(case.probabilities.shape[1:], case.query_box)
    samples = case.probabilities.reshape(case.probabilities.shape[0], -1)[:, indices]
    arrays = {"focus_embedding": (case.embedding[None], "<f4"), "sample_indices": (indices, "<i8"),
              "sample_probabilities": (samples, "<f4")}
    for key, (array, dtype) in arrays.items():
        np.save(out / spec.name / f"{key}.npy", np.ascontiguousarray(array, dtype=dtype))
    return {
        "name": spec.name, "tolerance": TOLERANCE,
        "data_root": "../shared/data (relative to the repository root)",
        "inputs": {"reference_image": spec.reference_image, "reference_label": spec.reference_label,
                   "query_image": spec.query_image},
        "labels": list(spec.labels),
        "canonicalisation": CANONICALISATION,
        "policy": policy(),
        "reference_spacing": list(case.reference_spacing), "query_spacing": list(case.query_spacing),
        "reference_box": box_list(case.reference_box),
        "side_mm": case.side_mm,
        "focus_embedding": f"{spec.name}/focus_embedding.npy",
        "query_box": box_list(case.query_box),
        "query_windows": [box_list(w) for w in case.query_windows],
        "sample_indices": f"{spec.name}/sample_indices.npy",
        "sample_probabilities": f"{spec.name}/sample_probabilities.npy",
        "foreground_voxels": [int(n) for n in (case.probabilities > boxes.FOUND_THRESHOLD).sum(axis=(1, 2, 3))],
    }


def policy() -> dict[str, float]:
    """The box policy's constants, as every case states them."""
    return {"margin_factor": boxes.MARGIN_FACTOR, "min_side_mm": boxes.MIN_SIDE_MM,
            "found_threshold": boxes.FOUND_THRESHOLD, "window_overlap": boxes.WINDOW_OVERLAP,
            "max_windows": boxes.MAX_WINDOWS}


def has_inputs(data_root: Path | None) -> bool:
    """Whether ``data_root`` holds every case's files."""
    return data_root is not None and all((Path(data_root) / f).exists() for c in CASES for f in c.files)


def add_cases(predictor, vectors_dir: Path, data_root: Path) -> list[str]:
    """Write every case into ``vectors_dir`` and put it in its testvectors.json (in place of an earlier case
    of that name); a case this model cannot give (:class:`FocusCaseError`) is left out with a warning.
    Returns the names written."""
    index = vectors_dir / "testvectors.json"
    written = []
    for spec in CASES:
        try:
            entry = write_case(predictor, vectors_dir, data_root, spec)
        except FocusCaseError as e:
            warnings.warn(f"no {spec.name} test vector: {e}")
            continue
        cases = [c for c in json.loads(index.read_text())["cases"] if c["name"] != spec.name]
        index.write_text(json.dumps({"cases": [*cases, entry]}, indent=2) + "\n")
        written.append(spec.name)
    return written


def predictor_from_export(model_dir: Path) -> IrisPredictor:
    """The predictor of an exported model directory, built from the weights its modules hold."""
    from irisseg.model.builder import build_iris
    from irisseg.weights import config_from_dict, state_from_export

    card = json.loads((Path(model_dir) / "model.json").read_text())
    model = build_iris(config_from_dict(card["config"]).model)
    model.load_state_dict(state_from_export(model_dir))
    return IrisPredictor(model.eval())


def add_to_model(model_dir: Path, data_root: Path) -> list[dict[str, Any]]:
    """The cases added to an existing model directory, and named in model.json's ``testvectors``; the
    modules, ``files`` and ``version`` stay as they are. Returns the cases written."""
    written = add_cases(predictor_from_export(model_dir), model_dir / "testvectors", data_root)
    card_file = model_dir / "model.json"
    card = json.loads(card_file.read_text())
    missing = [n for n in written if n not in card.get("testvectors", [])]
    if missing:
        card["testvectors"] = [*card.get("testvectors", []), *missing]
        card_file.write_text(json.dumps(card, indent=2) + "\n")
    cases = json.loads((model_dir / "testvectors" / "testvectors.json").read_text())["cases"]
    return [c for c in cases if c["name"] in written]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m irisseg.focus_vectors", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="exported model directory (model.json, testvectors/)")
    p.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    args = p.parse_args(argv)
    if not has_inputs(args.data):
        p.error(f"the focus cases' files are not under {args.data}")
    for case in add_to_model(args.model, args.data):
        print(case["name"], json.dumps({k: case[k] for k in ("reference_box", "side_mm", "query_windows",
                                                              "foreground_voxels")}))


if __name__ == "__main__":
    main()

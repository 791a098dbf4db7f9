"""The ``focus`` test vector: locate, then focus on a real case, as the service must reproduce it.

    python -m irisseg.focus_vectors --model ../models/iris-small --data ../../shared/data   (from training/)

adds (or replaces) the case in ``MODEL_DIR/testvectors/testvectors.json`` and lists it in model.json's
``testvectors``; the modules, their hashes and the version are untouched. The boxes come from
:mod:`irisseg.boxes` alone and the passes from :mod:`irisseg.evaluation.focus`, run through the exported
modules (:class:`irisseg.predictor.IrisPredictor`). Format: docs/export-contract.md, "Focus".
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from irisseg import boxes
from irisseg.evaluation.cases import Subject
from irisseg.evaluation.focus import focused_embedding, locate_and_focus
from irisseg.predictor import IrisPredictor
from irisseg.testvectors import TOLERANCE

CASE_NAME = "focus"
#: Two fetal atlas weeks (135x189x155, 0.8 mm, RAS), deep grey matter and brainstem: with the shipped models the
#: reference box is a real crop and the query box neither empty nor the whole volume, stable at the threshold.
REFERENCE_IMAGE = "fetal_brain_atlas/fetal_SB_atlas_GA27_operated/srr.nii.gz"
REFERENCE_LABEL = "fetal_brain_atlas/fetal_SB_atlas_GA27_operated/parcellation.nii.gz"
QUERY_IMAGE = "fetal_brain_atlas/fetal_SB_atlas_GA21_notoperated/srr.nii.gz"
LABELS = (6, 7)
#: Sampled voxels of the final probabilities: half inside the query box, half outside.
NUM_SAMPLES = 4096
#: Voxels per face of the query box taken just inside it and just outside it.
FACE_SAMPLES = 24
SEED = 20250
CANONICALISATION = "nibabel as_closest_canonical, get_fdata(float32); masks[k] = (label == labels[k])"


class FocusCaseError(RuntimeError):
    """The focus case cannot be written with this model (its coarse pass finds nothing in the query)."""


@dataclass(frozen=True)
class FocusCase:
    """Everything the case states: inputs' spacings, both boxes, the side, the focus embedding ``[K, E]``,
    the final probabilities ``[K, X, Y, Z]`` of the query."""

    reference_shape: tuple[int, int, int]
    reference_spacing: tuple[float, float, float]
    query_spacing: tuple[float, float, float]
    reference_box: boxes.Box
    side_mm: float
    embedding: np.ndarray
    query_box: boxes.Box
    probabilities: np.ndarray


def load_canonical(data_root: Path, rel: str) -> tuple[np.ndarray, tuple[float, float, float]]:
    """A NIfTI file as the contract reads it: canonical (RAS+) float32 voxels and voxel sizes (mm)."""
    import nibabel as nib

    img = nib.as_closest_canonical(nib.load(str(Path(data_root) / rel)))
    spacing = tuple(float(z) for z in img.header.get_zooms()[:3])
    return np.ascontiguousarray(img.get_fdata(dtype=np.float32)), spacing


def compute(predictor, data_root: Path) -> FocusCase:
    """Locate, then focus on the case's files; raises :class:`FocusCaseError` when nothing is found."""
    ref_image, ref_spacing = load_canonical(data_root, REFERENCE_IMAGE)
    labels, _ = load_canonical(data_root, REFERENCE_LABEL)
    query_image, query_spacing = load_canonical(data_root, QUERY_IMAGE)
    masks = np.stack([labels == v for v in LABELS])
    reference = Subject("reference", ref_image, masks, ref_spacing)
    query = Subject("query", query_image, np.zeros((0, *query_image.shape), dtype=bool), query_spacing)
    embedding, side = focused_embedding(predictor, reference)
    result = locate_and_focus(predictor, query, predictor.encode_image(query_image), embedding, side)
    if result.box is None:
        raise FocusCaseError("the coarse pass finds nothing in the focus case's query with this model")
    return FocusCase(ref_image.shape, ref_spacing, query_spacing, boxes.reference_box(masks, ref_spacing), side,
                     embedding.numpy(), result.box, result.probabilities)


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


def write_case(predictor, out: Path, data_root: Path) -> dict[str, Any]:
    """Compute the case, write its arrays under ``out/focus/`` and return its entry of testvectors.json."""
    case = compute(predictor, data_root)
    (out / CASE_NAME).mkdir(parents=True, exist_ok=True)
    indices = sample_indices(case.probabilities.shape[1:], case.query_box)
    samples = case.probabilities.reshape(case.probabilities.shape[0], -1)[:, indices]
    arrays = {"focus_embedding": (case.embedding[None], "<f4"), "sample_indices": (indices, "<i8"),
              "sample_probabilities": (samples, "<f4")}
    for key, (array, dtype) in arrays.items():
        np.save(out / CASE_NAME / f"{key}.npy", np.ascontiguousarray(array, dtype=dtype))
    return {
        "name": CASE_NAME, "tolerance": TOLERANCE,
        "data_root": "../shared/data (relative to the repository root)",
        "inputs": {"reference_image": REFERENCE_IMAGE, "reference_label": REFERENCE_LABEL, "query_image": QUERY_IMAGE},
        "labels": list(LABELS),
        "canonicalisation": CANONICALISATION,
        "policy": {"margin_factor": boxes.MARGIN_FACTOR, "min_side_mm": boxes.MIN_SIDE_MM,
                   "found_threshold": boxes.FOUND_THRESHOLD},
        "reference_spacing": list(case.reference_spacing), "query_spacing": list(case.query_spacing),
        "reference_box": box_list(case.reference_box),
        "side_mm": case.side_mm,
        "focus_embedding": f"{CASE_NAME}/focus_embedding.npy",
        "query_box": box_list(case.query_box),
        "sample_indices": f"{CASE_NAME}/sample_indices.npy",
        "sample_probabilities": f"{CASE_NAME}/sample_probabilities.npy",
        "foreground_voxels": [int(n) for n in (case.probabilities > boxes.FOUND_THRESHOLD).sum(axis=(1, 2, 3))],
    }


def has_inputs(data_root: Path | None) -> bool:
    """Whether ``data_root`` holds the case's three files."""
    return data_root is not None and all((Path(data_root) / f).exists()
                                         for f in (REFERENCE_IMAGE, REFERENCE_LABEL, QUERY_IMAGE))


def add_case(predictor, vectors_dir: Path, data_root: Path) -> str:
    """Write the case into ``vectors_dir`` and put it in its testvectors.json (in place of any earlier
    ``focus`` case); returns the case name."""
    index = vectors_dir / "testvectors.json"
    cases = [c for c in json.loads(index.read_text())["cases"] if c["name"] != CASE_NAME]
    cases.append(write_case(predictor, vectors_dir, data_root))
    index.write_text(json.dumps({"cases": cases}, indent=2) + "\n")
    return CASE_NAME


def predictor_from_export(model_dir: Path) -> IrisPredictor:
    """The predictor of an exported model directory, built from the weights its modules hold."""
    from irisseg.model.builder import build_iris
    from irisseg.weights import config_from_dict, state_from_export

    card = json.loads((Path(model_dir) / "model.json").read_text())
    model = build_iris(config_from_dict(card["config"]).model)
    model.load_state_dict(state_from_export(model_dir))
    return IrisPredictor(model.eval())


def add_to_model(model_dir: Path, data_root: Path) -> dict[str, Any]:
    """The case added to an existing model directory, and named in model.json's ``testvectors``; the
    modules, ``files`` and ``version`` stay as they are. Returns the case."""
    add_case(predictor_from_export(model_dir), model_dir / "testvectors", data_root)
    card_file = model_dir / "model.json"
    card = json.loads(card_file.read_text())
    if CASE_NAME not in card.get("testvectors", []):
        card["testvectors"] = [*card.get("testvectors", []), CASE_NAME]
        card_file.write_text(json.dumps(card, indent=2) + "\n")
    cases = json.loads((model_dir / "testvectors" / "testvectors.json").read_text())["cases"]
    return next(c for c in cases if c["name"] == CASE_NAME)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m irisseg.focus_vectors", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="exported model directory (model.json, testvectors/)")
    p.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    args = p.parse_args(argv)
    if not has_inputs(args.data):
        p.error(f"the focus case's files are not under {args.data}")
    case = add_to_model(args.model, args.data)
    print(json.dumps({k: case[k] for k in ("reference_box", "side_mm", "query_box", "foreground_voxels")}))


if __name__ == "__main__":
    main()

"""Test vectors that keep Python and Java byte-for-byte honest (docs/export-contract.md).

``testvectors/testvectors.json`` lists cases; arrays are ``.npy`` (little-endian float32, C order):
- ``random``: small random reference image/masks and query image, all inputs and outputs;
- ``hippocampus``: MSD hippocampus subjects read from the shared data folder (canonical RAS+ via
  nibabel's ``as_closest_canonical``); only the expected embedding and probabilities are written;
- ``focus``: locate, then focus on two fetal atlas weeks, written by :mod:`irisseg.focus_vectors`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from irisseg.model.iris import IrisModel
from irisseg.modules import ExportedModules

TOLERANCE = 1e-4
#: Embeddings are compared element-wise within ``TOLERANCE + EMBEDDING_RTOL * |expected|``: their prototypes are
#: float32 means over up to G^3 voxels, whose rounding depends on the CPU's vector width (up to 3.7e-4 on a value of
#: 0.88 between two x86 CPUs, docs/export-contract.md). Every other output keeps ``TOLERANCE`` alone.
EMBEDDING_RTOL = 1e-3
HIPPOCAMPUS_REFERENCE = "hippocampus_001"
HIPPOCAMPUS_QUERY = "hippocampus_003"


def random_case_inputs(seed: int = 1234) -> dict[str, np.ndarray]:
    """Reference image [1,1,21,26,17], masks [1,2,21,26,17], query image [1,1,19,23,25]."""
    rng = np.random.default_rng(seed)
    ref = rng.uniform(0, 1000, size=(1, 1, 21, 26, 17)).astype(np.float32)
    masks = np.zeros((1, 2, 21, 26, 17), dtype=np.float32)
    masks[0, 0, 3:9, 4:12, 2:8] = 1
    masks[0, 1, 11:18, 14:22, 8:15] = 1
    query = rng.uniform(0, 1000, size=(1, 1, 19, 23, 25)).astype(np.float32)
    return {"reference_image": ref, "reference_masks": masks, "query_image": query}


def run_case(modules: ExportedModules, reference_image: np.ndarray, reference_masks: np.ndarray,
             query_image: np.ndarray) -> dict[str, np.ndarray]:
    """embedding [1,K,E] and probabilities [1,K,X,Y,Z] through the three exported modules."""
    with torch.no_grad():
        ref = modules.image_encoder(torch.from_numpy(reference_image))
        emb = modules.task_encoder(*ref, torch.from_numpy(reference_masks))
        qry = modules.image_encoder(torch.from_numpy(query_image))
        probs = modules.mask_decoder(*qry, emb)
    return {"embedding": emb.numpy(), "probabilities": probs.numpy()}


def hippocampus_inputs(data_root: Path) -> dict[str, Any]:
    """Canonical (RAS+) reference image/masks and query image of two MSD hippocampus subjects."""
    import nibabel as nib

    def load(rel: str) -> np.ndarray:
        img = nib.as_closest_canonical(nib.load(str(data_root / rel)))
        return np.asarray(img.get_fdata(dtype=np.float32))

    ref_rel = f"hippocampus/imagesTr/{HIPPOCAMPUS_REFERENCE}.nii.gz"
    lab_rel = f"hippocampus/labelsTr/{HIPPOCAMPUS_REFERENCE}.nii.gz"
    qry_rel = f"hippocampus/imagesTr/{HIPPOCAMPUS_QUERY}.nii.gz"
    labels = load(lab_rel)
    masks = np.stack([(labels == v).astype(np.float32) for v in (1, 2)])[None]
    return {
        "files": {"reference_image": ref_rel, "reference_label": lab_rel, "query_image": qry_rel},
        "reference_image": load(ref_rel)[None, None],
        "reference_masks": masks,
        "query_image": load(qry_rel)[None, None],
    }


def write_test_vectors(model: IrisModel, out: Path, data_root: Path | None) -> list[str]:
    """Write the cases under ``out``; returns the case names."""
    modules = ExportedModules(model.eval()).eval()
    cases: list[dict[str, Any]] = []
    (out / "random").mkdir(parents=True, exist_ok=True)
    inputs = random_case_inputs()
    outputs = run_case(modules, **inputs)
    for key, arr in {**inputs, **outputs}.items():
        np.save(out / "random" / f"{key}.npy", np.ascontiguousarray(arr, dtype="<f4"))
    cases.append({"name": "random", "tolerance": TOLERANCE,
                  **{k: f"random/{k}.npy" for k in (*inputs, *outputs)}})
    if data_root is not None and (data_root / "hippocampus").exists():
        hip = hippocampus_inputs(data_root)
        outputs = run_case(modules, hip["reference_image"], hip["reference_masks"], hip["query_image"])
        (out / "hippocampus").mkdir(parents=True, exist_ok=True)
        for key, arr in outputs.items():
            np.save(out / "hippocampus" / f"{key}.npy", np.ascontiguousarray(arr, dtype="<f4"))
        cases.append({
            "name": "hippocampus", "tolerance": TOLERANCE,
            "data_root": "../shared/data (relative to the repository root)",
            "inputs": hip["files"], "labels": [1, 2],
            "canonicalisation": "nibabel as_closest_canonical, get_fdata(float32); masks[k] = (label == labels[k])",
            "embedding": "hippocampus/embedding.npy", "probabilities": "hippocampus/probabilities.npy",
        })
    (out / "testvectors.json").write_text(json.dumps({"cases": cases}, indent=2) + "\n")
    return [c["name"] for c in cases]


def embedding_excess(expected: np.ndarray, actual: np.ndarray, tolerance: float = TOLERANCE) -> float:
    """The largest amount by which ``actual`` misses ``expected`` beyond the embedding tolerance (<= 0: within it)."""
    return float((np.abs(actual - expected) - (tolerance + EMBEDDING_RTOL * np.abs(expected))).max())

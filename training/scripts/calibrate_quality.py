"""Calibrates the service's quality-flag thresholds on held-out development data, over HTTP.

Drives a running service (``--url``) with real files from ``../shared/data``: every case is segmented
twice (the label map, scored with Dice against the ground truth, and the JSON statistics, whose per-class
``quality`` metrics are recorded). Cases:

- ``good``: hippocampus, references and queries from the 40 held-out subjects (one-shot and ensemble);
- ``wrong``: a task of other structures (TotalSegmentator MR kidneys) applied to hippocampus queries;
- ``blank``: hippocampus references whose masks are a 2x2x2 voxel cube per class (an all-zero mask is
  refused by the service, so this is the nearest blank reference it accepts);
- ``unseen``: BraTS whole tumour (never a training target; volumes cropped to 96^3 around the tumour) and
  TotalSegmentator spleen, pancreas and adrenal glands across CT and MR; ``seen`` organs (liver, kidneys)
  across CT and MR as well.

The cases are split in two halves (``tune``: even held-out hippocampus subjects, CT->MR, BraTS queries
pat0003/pat0004; ``report``: odd subjects, MR->CT, pat0005/pat0006): thresholds are chosen on ``tune``
alone (per metric, the value with the largest share of Dice < 0.5 answers flagged minus the share of
Dice > 0.8 answers flagged, with at most ``--max-false`` of the latter) and the separation table is
reported on ``report``. Writes ``--out`` (JSON: every answer's metrics and Dice, the thresholds, the table)
and prints the table as Markdown.

    java -jar target/iris-service.jar --iris.store.dir=/tmp/iris-calibration --server.port=18080 &
    ../.venv/bin/python training/scripts/calibrate_quality.py --url http://localhost:18080 \\
        --out training/reports/quality_calibration.json
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nibabel as nib
import numpy as np

HIPPOCAMPUS_VALIDATION_COUNT = 40
HIPPOCAMPUS_SPLIT_SEED = 20250  # irisseg.data.splits: the held-out hippocampus subjects
BRATS = ("brats_2013_pat0003_1", "brats_2013_pat0004_1", "brats_2013_pat0005_1", "brats_2013_pat0006_1")
UNSEEN_ORGANS = {"spleen": (1,), "pancreas": (7,), "adrenal glands": (8, 9)}
SEEN_ORGANS = {"liver": (5,), "kidney_right": (2,), "kidney_left": (3,)}
METRICS = ("meanProbability", "referenceSimilarity", "memberAgreement")
FLAGS = ("EMPTY", "VOLUME_OUTSIDE_REFERENCE_RANGE", "LOW_CONFIDENCE", "LOW_REFERENCE_SIMILARITY",
         "MEMBERS_DISAGREE")


# ---------------------------------------------------------------- HTTP


class Service:
    def __init__(self, url: str, api_key: str | None = None):
        self.url = url.rstrip("/")
        self.headers = {"X-API-Key": api_key} if api_key else {}

    def _post(self, path: str, fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[int, bytes, dict]:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
        for name, filename, data in files:
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                       f"Content-Type: application/octet-stream\r\n\r\n".encode())
            body.write(data)
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(self.url + path, data=body.getvalue(), method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                  **self.headers})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def register(self, name: str, pairs: list[tuple[bytes, bytes]]) -> str:
        files = []
        for i, (image, mask) in enumerate(pairs):
            files += [("references", f"ref{i}.nii.gz", image), ("masks", f"mask{i}.nii.gz", mask)]
        status, body, _ = self._post("/api/v1/tasks", {"name": name}, files)
        if status != 201:
            raise RuntimeError(f"registration {name}: {status} {body[:300]!r}")
        return json.loads(body)["id"]

    def segment(self, task: str, image: bytes, mode: str, output: str) -> bytes:
        status, body, _ = self._post(f"/api/v1/segmentations?output={output}", {"taskId": task, "mode": mode},
                                     [("image", "query.nii.gz", image)])
        if status != 200:
            raise RuntimeError(f"segmentation: {status} {body[:300]!r}")
        return body


# ---------------------------------------------------------------- data


def nifti_bytes(data: np.ndarray, affine: np.ndarray, dtype) -> bytes:
    image = nib.Nifti1Image(np.asarray(data, dtype=dtype), affine)
    raw = image.to_bytes()
    return gzip.compress(raw, compresslevel=1)


def hippocampus_validation(root: Path) -> list[str]:
    ids = sorted(p.name.replace(".nii.gz", "") for p in (root / "hippocampus" / "labelsTr").glob("hippocampus_*.nii.gz"))
    count = min(HIPPOCAMPUS_VALIDATION_COUNT, max(len(ids) // 5, 1))
    rng = np.random.default_rng(HIPPOCAMPUS_SPLIT_SEED)
    return sorted(ids[i] for i in rng.choice(len(ids), size=count, replace=False))


class Volume:
    """An image and its label map (integer array) on one grid."""

    def __init__(self, image: np.ndarray, labels: np.ndarray, affine: np.ndarray):
        self.image, self.labels, self.affine = image, labels.astype(np.int32), affine

    def image_bytes(self) -> bytes:
        return nifti_bytes(self.image, self.affine, np.float32)

    def mask_bytes(self, classes: dict[int, tuple[int, ...]]) -> bytes:
        """Label map with class i (1-based, in order) = the union of its source labels."""
        out = np.zeros(self.labels.shape, np.uint8)
        for i, source in enumerate(classes.values(), start=1):
            out[np.isin(self.labels, source)] = i
        return nifti_bytes(out, self.affine, np.uint8)

    def crop(self, centre: np.ndarray, size: int) -> "Volume":
        lo = [int(max(0, min(c - size // 2, s - size))) for c, s in zip(centre, self.labels.shape)]
        sl = tuple(slice(a, a + size) for a in lo)
        affine = self.affine.copy()
        affine[:3, 3] = self.affine[:3, :3] @ np.array(lo) + self.affine[:3, 3]
        return Volume(self.image[sl], self.labels[sl], affine)


def load(image: Path, labels: Path) -> Volume:
    img = nib.load(str(image))
    lab = nib.load(str(labels))
    return Volume(np.asanyarray(img.dataobj).astype(np.float32), np.rint(np.asanyarray(lab.dataobj)), img.affine)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * np.logical_and(a, b).sum() / total)


# ---------------------------------------------------------------- cases


def answers(service: Service, task: str, query: Volume, classes: dict[int, tuple[int, ...]], mode: str,
            scenario: str, split: str, case: str) -> list[dict]:
    """One row per class: Dice of the label map against the query's truth, and the statistics' quality."""
    image = query.image_bytes()
    label_map = nib.Nifti1Image.from_bytes(gzip.decompress(service.segment(task, image, mode, "label-map")))
    predicted = np.asanyarray(label_map.dataobj).astype(np.int32)
    statistics = json.loads(service.segment(task, image, mode, "statistics"))
    rows = []
    for i, (name, source) in enumerate(classes.items(), start=1):
        quality = next(c["quality"] for c in statistics["classes"] if c["label"] == i)
        truth = np.isin(query.labels, source)
        c = next(c for c in statistics["classes"] if c["label"] == i)
        rows.append({"scenario": scenario, "split": split, "case": case, "mode": mode, "class": name,
                     "dice": dice(predicted == i, truth), "voxels": c["voxels"], "volumeMl": c["volumeMl"],
                     **{k: quality.get(k) for k in ("referenceVolumeMinMl", "referenceVolumeMaxMl", *METRICS,
                                                    "members", "flags")}})
    return rows


def hippocampus_cases(service: Service, root: Path, wrong_task: str) -> list[dict]:
    rows = []
    held_out = hippocampus_validation(root)
    names = {"anterior": (1,), "posterior": (2,)}
    for split, subjects in (("tune", held_out[0::2]), ("report", held_out[1::2])):
        volumes = {s: load(root / "hippocampus/imagesTr" / f"{s}.nii.gz", root / "hippocampus/labelsTr" / f"{s}.nii.gz")
                   for s in subjects}
        refs, queries = subjects[:3], subjects[3:]
        good = service.register(f"good-{split}", [(volumes[s].image_bytes(), volumes[s].mask_bytes(names))
                                                 for s in refs])
        blank_pairs = []
        for s in refs:
            v = volumes[s]
            cubes = np.zeros(v.labels.shape, np.int32)
            cx, cy, cz = (d // 2 for d in v.labels.shape)
            cubes[cx - 3:cx - 1, cy:cy + 2, cz:cz + 2] = 1
            cubes[cx + 1:cx + 3, cy:cy + 2, cz:cz + 2] = 2
            blank_pairs.append((v.image_bytes(), Volume(v.image, cubes, v.affine).mask_bytes(names)))
        blank = service.register(f"blank-{split}", blank_pairs)
        for q in queries:
            for mode in ("one-shot", "ensemble"):
                rows += answers(service, good, volumes[q], names, mode, "good", split, q)
            rows += answers(service, wrong_task, volumes[q], names, "one-shot", "wrong", split, q)
            rows += answers(service, blank, volumes[q], names, "ensemble", "blank", split, q)
    return rows


def totalseg_cases(service: Service, root: Path) -> list[dict]:
    ct = load(root / "totalsegmentator/example_ct_sm.nii.gz", root / "totalsegmentator/example_seg.nii.gz")
    mr = load(root / "totalsegmentator/example_mr_sm.nii.gz", root / "totalsegmentator/example_seg_mr.nii.gz")
    rows = []
    for split, ref, query, case in (("tune", ct, mr, "ct->mr"), ("report", mr, ct, "mr->ct")):
        for scenario, organs in (("unseen", UNSEEN_ORGANS), ("seen", SEEN_ORGANS)):
            task = service.register(f"totalseg-{scenario}-{case}", [(ref.image_bytes(), ref.mask_bytes(organs))])
            rows += answers(service, task, query, organs, "one-shot", scenario, split, case)
    return rows


def brats_cases(service: Service, root: Path) -> list[dict]:
    whole = {"whole tumour": (1, 2, 3, 4)}
    crops = {}
    for s in BRATS:
        v = load(root / "brats" / s / "Flair_subtrMeanDivStd.nii.gz", root / "brats" / s / "OTMultiClass.nii.gz")
        centre = np.round(np.argwhere(v.labels > 0).mean(axis=0)).astype(int)
        crops[s] = v.crop(centre, 96)
    rows = []
    for i, q in enumerate(BRATS):
        split = "tune" if i < 2 else "report"
        refs = [s for s in BRATS if s != q]
        task = service.register(f"brats-{q}", [(crops[s].image_bytes(), crops[s].mask_bytes(whole)) for s in refs])
        for mode in ("one-shot", "ensemble"):
            rows += answers(service, task, crops[q], whole, mode, "unseen", split, q)
    return rows


# ---------------------------------------------------------------- thresholds


def flags(row: dict, t: dict) -> set[str]:
    """The service's rule (QualityFlag.of) with thresholds t."""
    if row["voxels"] == 0:
        return {"EMPTY"}
    out = set()
    lo, hi = row["referenceVolumeMinMl"], row["referenceVolumeMaxMl"]
    if lo is not None and (row["volumeMl"] < lo * (1 - t["volumeTolerance"]) or
                           row["volumeMl"] > hi * (1 + t["volumeTolerance"])):
        out.add("VOLUME_OUTSIDE_REFERENCE_RANGE")
    for metric, key, flag in (("meanProbability", "minMeanProbability", "LOW_CONFIDENCE"),
                              ("referenceSimilarity", "minReferenceSimilarity", "LOW_REFERENCE_SIMILARITY"),
                              ("memberAgreement", "minMemberAgreement", "MEMBERS_DISAGREE")):
        if row[metric] is not None and row[metric] < t[key]:
            out.add(flag)
    return out


def shares(rows: list[dict], t: dict, flag: str | None = None) -> tuple[float, float, int, int]:
    """(share of Dice < 0.5 answers flagged, share of Dice > 0.8 answers flagged, counts)."""
    bad = [r for r in rows if r["dice"] < 0.5]
    good = [r for r in rows if r["dice"] > 0.8]

    def raised(r):
        f = flags(r, t)
        return bool(f) if flag is None else flag in f

    return (sum(map(raised, bad)) / max(1, len(bad)), sum(map(raised, good)) / max(1, len(good)), len(bad), len(good))


def tune(rows: list[dict], max_false: float) -> dict:
    """Per threshold, the value that best separates bad from good answers on these rows alone."""
    neutral = {"volumeTolerance": 1e9, "minMeanProbability": -1, "minReferenceSimilarity": -2, "minMemberAgreement": -1}
    grids = {"volumeTolerance": np.round(np.arange(0.0, 3.01, 0.05), 2),
             "minMeanProbability": np.round(np.arange(0.5, 1.0, 0.01), 2),
             "minReferenceSimilarity": np.round(np.concatenate([np.arange(0.0, 0.9, 0.05), np.arange(0.9, 1.0, 0.002)]), 3),
             "minMemberAgreement": np.round(np.arange(0.0, 1.0, 0.02), 2)}
    flag_of = {"volumeTolerance": "VOLUME_OUTSIDE_REFERENCE_RANGE", "minMeanProbability": "LOW_CONFIDENCE",
               "minReferenceSimilarity": "LOW_REFERENCE_SIMILARITY", "minMemberAgreement": "MEMBERS_DISAGREE"}
    chosen = {}
    for key, grid in grids.items():
        best = None
        for value in grid:
            t = dict(neutral, **{key: float(value)})
            hit, false, _, _ = shares(rows, t, flag_of[key])
            if false <= max_false and (best is None or hit - false > best[0]):
                best = (hit - false, float(value))
        chosen[key] = best[1] if best else neutral[key]
    return chosen


def table(rows: list[dict], t: dict) -> str:
    lines = ["| flag | Dice < 0.5 flagged | Dice > 0.8 flagged |", "|---|---|---|"]
    for flag in (*FLAGS, None):
        hit, false, n_bad, n_good = shares(rows, t, flag)
        lines.append(f"| {flag or '**any flag**'} | {hit:.0%} of {n_bad} | {false:.0%} of {n_good} |")
    lines += ["", "| scenario | answers | Dice < 0.5 | flagged | Dice > 0.8 | flagged |", "|---|---|---|---|---|---|"]
    for scenario in sorted({r["scenario"] for r in rows}):
        sub = [r for r in rows if r["scenario"] == scenario]
        hit, false, n_bad, n_good = shares(sub, t)
        lines.append(f"| {scenario} | {len(sub)} | {n_bad} | {hit:.0%} | {n_good} | {false:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY"),
                        help="sent as X-API-Key (default: environment IRIS_API_KEY)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "../shared/data")
    parser.add_argument("--out", type=Path, default=Path("quality_calibration.json"))
    parser.add_argument("--max-false", type=float, default=0.05,
                        help="largest share of Dice > 0.8 answers one flag may raise on the tune split")
    parser.add_argument("--rows", type=Path, help="reuse the answers of an earlier --out instead of the service")
    args = parser.parse_args()
    if args.rows:
        rows = json.loads(args.rows.read_text())["answers"]
    else:
        service = Service(args.url, args.api_key)
        root = args.data.resolve()
        mr = load(root / "totalsegmentator/example_mr_sm.nii.gz", root / "totalsegmentator/example_seg_mr.nii.gz")
        kidneys = {"kidney_right": (2,), "kidney_left": (3,)}
        wrong = service.register("wrong-kidneys", [(mr.image_bytes(), mr.mask_bytes(kidneys))])
        rows = hippocampus_cases(service, root, wrong) + totalseg_cases(service, root) + brats_cases(service, root)
    thresholds = tune([r for r in rows if r["split"] == "tune"], args.max_false)
    report = [r for r in rows if r["split"] == "report"]
    text = table(report, thresholds)
    args.out.write_text(json.dumps({"thresholds": thresholds, "max_false": args.max_false, "table": text,
                                    "tune_table": table([r for r in rows if r["split"] == "tune"], thresholds),
                                    "answers": rows}, indent=1))
    print("thresholds (chosen on the tune split):", json.dumps(thresholds))
    print("\nreport split:\n" + text)


if __name__ == "__main__":
    main()

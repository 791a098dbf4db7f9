"""Locate, then focus over HTTP: what registration with a focus box and segmentation with one focused pass or
with overlapping windows cost, run by hand.

Uses the model's two focus test-vector cases (``docs/export-contract.md``, "Focus"), fetal atlas weeks from
the shared data: ``focus`` (week 27 -> week 21) and ``focus_windows`` (week 21 -> week 34). Per case it
registers the reference ``--runs`` times (registration encodes each class whole and again inside its focus
box) and segments the query ``--runs`` times without and with ``focus=true`` after a warm-up, the two
series interleaved, and reports medians of the client's wall time and of the ``Server-Timing`` model stages,
the focused passes the service ran (``focus.windows``) and the ratio focus / no focus.

    java -jar target/iris-service.jar --iris.store.dir=/tmp/iris-focus --server.port=18082 &
    IRIS_API_KEY=<key> python3 scripts/benchmark_focus.py --url http://localhost:18082 --runs 5

Needs numpy and nibabel (the training venv has them).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_clinical_ct import Service, timings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def focus_cases(model_dir: Path) -> list[dict]:
    cases = json.loads((model_dir / "testvectors" / "testvectors.json").read_text())["cases"]
    return [c for c in cases if c["name"].startswith("focus")]


def reference_mask(data: Path, case: dict, work: Path) -> bytes:
    """The reference label map with the case's labels only."""
    label = nib.load(str(data / case["inputs"]["reference_label"]))
    values = np.asarray(label.dataobj)
    kept = np.where(np.isin(values, case["labels"]), values, 0).astype(np.int16)
    path = work / f"{case['name']}_mask.nii.gz"
    nib.save(nib.Nifti1Image(kept, label.affine), str(path))
    return path.read_bytes()


def timed(call):
    start = time.perf_counter()
    status, body, headers = call()
    return status, body, headers, time.perf_counter() - start


def run_case(service: Service, data: Path, case: dict, runs: int, work: Path) -> dict:
    reference = (data / case["inputs"]["reference_image"]).read_bytes()
    mask = reference_mask(data, case, work)
    query = (data / case["inputs"]["query_image"]).read_bytes()
    names = json.dumps({str(v): f"label {v}" for v in case["labels"]})
    register_s, task = [], None
    for _ in range(runs + 1):
        status, body, _, seconds = timed(lambda: service.post(
            "/api/v1/tasks", {"name": case["name"], "labels": names},
            [("references", "reference.nii.gz", reference), ("masks", "mask.nii.gz", mask)]))
        if status != 201:
            raise SystemExit(f"{case['name']}: registration {status} {body[:300]!r}")
        task = task or json.loads(body)["id"]
        register_s.append(seconds)
    series = {False: [], True: []}
    for i in range(runs + 1):
        for focus in (False, True):
            status, body, headers, seconds = timed(lambda: service.post(
                "/api/v1/segmentations?output=statistics",
                {"taskId": task, "mode": "one-shot", "focus": str(focus).lower()},
                [("image", "query.nii.gz", query)]))
            if status != 200:
                raise SystemExit(f"{case['name']}: segmentation focus={focus} {status} {body[:300]!r}")
            if i > 0:
                series[focus].append((seconds, timings(headers), json.loads(body).get("focus")))
    out = {"case": case["name"], "register_s": statistics.median(register_s[1:])}
    for focus, rows in series.items():
        key = "focus" if focus else "plain"
        out[f"{key}_s"] = statistics.median(r[0] for r in rows)
        stages = {name for r in rows for name in r[1]}
        out[f"{key}_stages_ms"] = {name: statistics.median(r[1].get(name, 0.0) for r in rows) for name in sorted(stages)}
    out["windows"] = series[True][0][2]["windows"] if series[True][0][2] else None
    out["ratio"] = out["focus_s"] / out["plain_s"]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://localhost:8080")
    p.add_argument("--model", type=Path, default=ROOT / "models" / "iris-small",
                   help="the model directory the service runs (its focus test-vector cases)")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY", ""))
    args = p.parse_args()
    service = Service(args.url, {"X-API-Key": args.api_key} if args.api_key else {})
    with tempfile.TemporaryDirectory() as work:
        for case in focus_cases(args.model):
            print(json.dumps(run_case(service, args.data, case, args.runs, Path(work))), flush=True)


if __name__ == "__main__":
    main()

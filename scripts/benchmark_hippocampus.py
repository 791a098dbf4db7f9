"""Hippocampus one-shot and ensemble requests over HTTP, from a client process of its own, run by hand.

The service's own benchmark (``SegmentationBenchmarkTest``) sends its requests from the JVM that serves
them, so the client's work (building the upload, reading the answer) shares the service's two cores and
heap. This is the same measurement from outside, as a hospital system calls the service: it registers the
task the Java benchmark registers (the ten first training subjects other than the query, labels 1 and 2),
then segments ``--query`` ``--runs`` times in one-shot and in ensemble mode after ``--warm-up`` requests of
each, the two series interleaved so that load from other processes hits both alike. Reports per mode the
p50 and p90 of the client's wall time (upload and answer included), the medians of the ``Server-Timing``
stages, and the ensemble / one-shot ratio of the p50s.

    java -jar target/iris-service.jar --iris.store.dir=/tmp/iris-bench --server.port=18082 &
    IRIS_API_KEY=<key> .venv/bin/python scripts/benchmark_hippocampus.py --url http://localhost:18082 --runs 30

Runs in the training venv (its HTTP client, ``benchmark_clinical_ct.Service``, sits beside numpy and nibabel).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_clinical_ct import Service, timings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("image-encoding", "decoding", "quality", "total")


def references(data: Path, query: str, count: int) -> list[str]:
    """The first ``count`` subjects with a label map, in name order, the query left out."""
    names = sorted(p.name.removesuffix(".nii.gz") for p in (data / "labelsTr").glob("*.nii.gz"))
    return [n for n in names if n != query][:count]


def register(service: Service, data: Path, subjects: list[str]) -> str:
    files = []
    for s in subjects:
        files.append(("references", f"{s}.nii.gz", (data / "imagesTr" / f"{s}.nii.gz").read_bytes()))
        files.append(("masks", f"{s}.nii.gz", (data / "labelsTr" / f"{s}.nii.gz").read_bytes()))
    status, body, _ = service.post("/api/v1/tasks", {"name": "hippocampus-benchmark",
                                                     "labels": json.dumps({"1": "anterior", "2": "posterior"})}, files)
    if status != 201:
        raise SystemExit(f"registration: {status} {body[:300]!r}")
    return json.loads(body)["id"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://localhost:8080")
    p.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY"))
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "hippocampus")
    p.add_argument("--query", default="hippocampus_048")
    p.add_argument("--references", type=int, default=10)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--warm-up", type=int, default=5)
    args = p.parse_args()
    service = Service(args.url, {"X-API-Key": args.api_key} if args.api_key else {})
    task = register(service, args.data, references(args.data, args.query, args.references))
    query = (args.data / "imagesTr" / f"{args.query}.nii.gz").read_bytes()
    modes = ("one-shot", "ensemble")
    walls: dict[str, list[float]] = {m: [] for m in modes}
    stages: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    for i in range(args.warm_up + args.runs):
        for mode in modes:
            start = time.perf_counter()
            status, body, headers = service.post("/api/v1/segmentations", {"taskId": task, "mode": mode},
                                                 [("image", f"{args.query}.nii.gz", query)])
            wall = (time.perf_counter() - start) * 1000
            if status != 200:
                raise SystemExit(f"{mode}: {status} {body[:300]!r}")
            if i >= args.warm_up:
                walls[mode].append(wall)
                stages[mode].append(timings(headers))
    print(f"hippocampus over HTTP: query {args.query}, task of {args.references} references, {args.runs} timed runs "
          f"per mode after {args.warm_up} warm-up, {args.url}")
    for mode in modes:
        medians = ", ".join(f"{s} {statistics.median(t.get(s, 0.0) for t in stages[mode]):.1f}" for s in STAGES)
        print(f"{mode:9s} p50 {percentile(walls[mode], 50):7.1f} ms  p90 {percentile(walls[mode], 90):7.1f} ms"
              f"  (Server-Timing medians, ms: {medians})")
    print(f"ensemble / one-shot p50 {percentile(walls['ensemble'], 50) / percentile(walls['one-shot'], 50):.3f}")


if __name__ == "__main__":
    main()

"""Prices every segmentation output over HTTP: milliseconds per request, median of several, per mode.

Registers a hippocampus task (3 held-out subjects as references) on a running service (``--url``) and
segments one held-out query with every ``output`` (label-map, statistics, probabilities, uncertainty,
preview) in one-shot and ensemble mode (uncertainty in ensemble only), the series interleaved so that load from other processes hits
them alike. Reports per combination the median wall time of the request as the client sees it, the
median ``total`` and ``quality`` durations of its ``Server-Timing`` header, and the answer's size.

    java -jar target/iris-service.jar --iris.store.dir=/tmp/iris-bench --server.port=18081 &
    .venv/bin/python training/scripts/benchmark_outputs.py --url http://localhost:18081 --runs 15
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibrate_quality import Service, hippocampus_validation  # noqa: E402

OUTPUTS = ("label-map", "statistics", "probabilities", "uncertainty", "preview")
MODES = ("one-shot", "ensemble")


def timing(headers: dict, stage: str) -> float:
    for part in headers.get("Server-Timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name == stage:
            return float(duration)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY"),
                        help="sent as X-API-Key (default: environment IRIS_API_KEY)")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "../shared/data")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warm-up", type=int, default=3)
    args = parser.parse_args()
    root = args.data.resolve() / "hippocampus"
    held_out = hippocampus_validation(args.data.resolve())
    service = Service(args.url, args.api_key)
    pairs = [((root / "imagesTr" / f"{s}.nii.gz").read_bytes(), (root / "labelsTr" / f"{s}.nii.gz").read_bytes())
             for s in held_out[:3]]
    task = service.register("benchmark", pairs)
    query = (root / "imagesTr" / f"{held_out[3]}.nii.gz").read_bytes()
    runs: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    for i in range(args.warm_up + args.runs):
        for mode in MODES:
            for output in OUTPUTS:
                if output == "uncertainty" and mode == "one-shot":
                    continue  # one member: refused (400)
                start = time.perf_counter()
                status, body, headers = service._post(f"/api/v1/segmentations?output={output}",
                                                      {"taskId": task, "mode": mode}, [("image", "q.nii.gz", query)])
                wall = (time.perf_counter() - start) * 1000
                if status != 200:
                    raise RuntimeError(f"{output} {mode}: {status} {body[:200]!r}")
                if i >= args.warm_up:
                    runs.setdefault((output, mode), []).append(
                        (wall, timing(headers, "total"), timing(headers, "quality"), len(body)))
    print(f"query {held_out[3]} ({len(query)} bytes), task of 3 references, {args.runs} runs after "
          f"{args.warm_up} warm-up rounds; medians in ms\n")
    print("| output | mode | request (client) | service total | of which quality checks | answer bytes |")
    print("|---|---|---|---|---|---|")
    for (output, mode), rows in runs.items():
        med = [statistics.median(r[j] for r in rows) for j in range(4)]
        print(f"| {output} | {mode} | {med[0]:.0f} | {med[1]:.0f} | {med[2]:.0f} | {int(med[3])} |")


if __name__ == "__main__":
    main()

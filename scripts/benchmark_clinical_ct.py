"""Clinical-size CT over HTTP: wall time, stage times and the JVM's peak RSS per request, run by hand.

Builds a 512x512x300 int16 CT from the TotalSegmentator example (``example_ct_sm``, 122x101x30 at 3 mm,
trilinearly resampled; written under ``--work``, never into the repository), registers a 41-class task
from ``example_ct_sm`` + ``example_seg`` on a running service and segments the large CT with all classes
and with one class, ``--runs`` times each after a warm-up, the two series interleaved. Reports per series
the status, the median wall time as the client sees it, the median ``Server-Timing`` stages and the peak
resident set of the service's process during the series (``VmHWM``, reset through ``/proc/<pid>/clear_refs``
before each series; needs ``--pid`` of a process this user owns).

    java -jar target/iris-service.jar --iris.store.dir=/tmp/iris-ct --server.port=18082 &
    IRIS_API_KEY=<key> python3 scripts/benchmark_clinical_ct.py --url http://localhost:18082 --pid $! --runs 5

Every request carries ``--api-key`` (default: environment ``IRIS_API_KEY``) as ``X-API-Key``.

With ``--focus-label L`` it also registers a one-class task from ``example_seg == L`` (a small organ: its
focus box is a part of the volume) and segments the large CT with it, with ``focus=true`` and without, two
more series interleaved with the others.

Needs numpy, nibabel and scipy (the training venv has them).
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import statistics
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nibabel as nib
import numpy as np

SHAPE = (512, 512, 300)


def build_ct(source: Path, out: Path) -> Path:
    """The example CT resampled to SHAPE (order-1 interpolation), int16, spacing scaled to keep its extent."""
    if out.exists():
        return out
    from scipy.ndimage import zoom

    img = nib.load(str(source))
    data = np.asarray(img.dataobj).astype(np.float32)
    factors = [t / s for t, s in zip(SHAPE, data.shape)]
    big = zoom(data, factors, order=1)
    big = np.clip(np.rint(big), -32768, 32767).astype(np.int16)
    assert big.shape == SHAPE, big.shape
    affine = img.affine.copy()
    affine[:3, :3] = affine[:3, :3] / np.array(factors)[None, :]
    out.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(big, affine), str(out))
    return out


class Service:
    def __init__(self, url: str, extra_headers: dict[str, str]):
        self.url = url.rstrip("/")
        self.extra_headers = extra_headers

    def post(self, path: str, fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[int, bytes, dict]:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
        for name, filename, content in files:
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                       "Content-Type: application/gzip\r\n\r\n".encode())
            body.write(content)
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        headers.update(self.extra_headers)
        request = urllib.request.Request(self.url + path, data=body.getvalue(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)


def timings(headers: dict) -> dict[str, float]:
    out = {}
    for part in headers.get("Server-Timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            out[name] = float(duration)
    return out


def reset_peak(pid: int | None) -> None:
    if pid is not None:
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mib(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def register_one_class(service: "Service", data: Path, label: int, work: Path) -> str:
    """A task whose one reference is ``example_ct_sm`` with the voxels of ``label`` in ``example_seg`` only."""
    seg = nib.load(str(data / "example_seg.nii.gz"))
    values = np.asarray(seg.dataobj)
    if not (values == label).any():
        raise SystemExit(f"example_seg has no voxel of label {label}")
    one = nib.Nifti1Image((values == label).astype(np.uint8) * np.uint8(label), seg.affine)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"seg_label_{label}.nii.gz"
    nib.save(one, str(path))
    status, body, _ = service.post("/api/v1/tasks", {"name": f"totalsegmentator-label-{label}"},
                                   [("references", "ct.nii.gz", (data / "example_ct_sm.nii.gz").read_bytes()),
                                    ("masks", "seg.nii.gz", path.read_bytes())])
    if status != 201:
        raise SystemExit(f"registration of label {label}: {status} {body[:300]!r}")
    return json.loads(body)["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--pid", type=int, default=None, help="the service's process, for its peak RSS")
    parser.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY"),
                        help="sent as X-API-Key (default: environment IRIS_API_KEY)")
    parser.add_argument("--header", action="append", default=[], metavar="NAME:VALUE",
                        help="sent with every request (e.g. the service's credentials); repeatable")
    parser.add_argument("--data", type=Path,
                        default=Path(__file__).resolve().parents[1] / "../shared/data/totalsegmentator")
    parser.add_argument("--work", type=Path, default=Path("/tmp/iris-clinical-ct"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm-up", type=int, default=1)
    parser.add_argument("--mode", default="ensemble")
    parser.add_argument("--focus-label", type=int, default=None,
                        help="also segment with a one-class task of this label of example_seg, focused and not")
    args = parser.parse_args()
    data = args.data.resolve()
    ct = build_ct(data / "example_ct_sm.nii.gz", args.work / "ct_512x512x300.nii.gz").read_bytes()
    headers = dict(h.split(":", 1) for h in args.header)
    if args.api_key:
        headers.setdefault("X-API-Key", args.api_key)
    service = Service(args.url, headers)
    status, body, _ = service.post("/api/v1/tasks", {"name": "totalsegmentator-example"},
                                   [("references", "ct.nii.gz", (data / "example_ct_sm.nii.gz").read_bytes()),
                                    ("masks", "seg.nii.gz", (data / "example_seg.nii.gz").read_bytes())])
    if status != 201:
        raise SystemExit(f"registration: {status} {body[:300]!r}")
    task = json.loads(body)
    labels = [c["label"] for c in task["classes"]]
    series = {f"{len(labels)} classes": (task["id"], "", False), "1 class": (task["id"], str(labels[0]), False)}
    if args.focus_label is not None:
        organ = register_one_class(service, data, args.focus_label, args.work)
        series[f"label {args.focus_label} alone"] = (organ, "", False)
        series[f"label {args.focus_label} alone, focus"] = (organ, "", True)
    rows: dict[str, list[tuple[int, float, dict]]] = {name: [] for name in series}
    peaks: dict[str, float] = {name: 0.0 for name in series}
    for i in range(args.warm_up + args.runs):
        for name, (task_id, classes, focus) in series.items():
            fields = {"taskId": task_id, "mode": args.mode}
            if classes:
                fields["classes"] = classes
            if focus:
                fields["focus"] = "true"
            reset_peak(args.pid)
            start = time.perf_counter()
            status, body, headers = service.post("/api/v1/segmentations", fields, [("image", "ct.nii.gz", ct)])
            wall = time.perf_counter() - start
            peaks[name] = max(peaks[name], peak_rss_mib(args.pid))
            if status != 200:
                print(f"{name}: {status} {body[:300]!r}")
            if i >= args.warm_up:
                rows[name].append((status, wall, timings(headers)))
    for name, (task_id, classes, focus) in series.items():
        if focus:
            status, body, _ = service.post("/api/v1/segmentations?output=statistics",
                                           {"taskId": task_id, "mode": args.mode, "focus": "true"},
                                           [("image", "ct.nii.gz", ct)])
            print(f"{name}: {status} focus {json.loads(body).get('focus') if status == 200 else body[:200]!r}")
    load = os.getloadavg()
    print(f"query {SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} int16 ({len(ct) / 2**20:.1f} MiB gzip), task of "
          f"{len(labels)} classes, mode {args.mode}, {args.runs} runs after {args.warm_up} warm-up; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; times in seconds, medians\n")
    stages = ("image-encoding", "task-encoding", "decoding", "quality", "total")
    print("| classes | status | request (client) | " + " | ".join(stages) + " | peak RSS (MiB) |")
    print("|---|---|---|" + "---|" * len(stages) + "---|")
    for name, runs in rows.items():
        statuses = sorted({r[0] for r in runs})
        wall = statistics.median(r[1] for r in runs)
        med = [statistics.median(r[2].get(s, float("nan")) for r in runs) / 1000 for s in stages]
        print(f"| {name} | {','.join(map(str, statuses))} | {wall:.2f} | "
              + " | ".join(f"{m:.2f}" for m in med) + f" | {peaks[name]:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Bounded soak of running Iris replicas on loopback (standard library only).

N clients for a fixed time send a mix of registrations, added references, segmentations, task reads and
listings to the replicas in turn, with a burst of oversized uploads half-way (a file over the multipart
limit, and a small gzip declaring a 512^3 volume that the memory budget can never admit). Expected: no
5xx but 503 (busy or store unavailable), only 429/503/413 when saturated, every task whose registration
was answered 201 served by every replica afterwards with at least the references it was answered with,
and each replica's heap below its maximum throughout.

  IRIS_API_KEY=<a key of IRIS_API_KEYS> python3 scripts/soak.py \\
      --targets http://127.0.0.1:8081,http://127.0.0.1:8082 \\
      --management-targets http://127.0.0.1:9081,http://127.0.0.1:9082 \\
      --data ../shared/data/hippocampus --clients 32 --duration 300 --upload-limit 16MB

Every API call carries the key (--api-key, default: environment IRIS_API_KEY) as X-API-Key; the heap is
read from each replica's management port (--management-targets, in the order of --targets).

Prints a JSON report; exit status 0 when every expectation held, 1 otherwise.
"""
import argparse
import gzip
import http.client
import json
import os
import random
import struct
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

LABELS = '{"1":"anterior","2":"posterior"}'
# answers of a saturated replica (retry after Retry-After); 413 only for the oversized uploads
BUSY = {429, 503}


def parse_size(text):
    units = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
    text = text.strip().upper()
    for unit in ("KB", "MB", "GB", "B"):
        if text.endswith(unit):
            return int(text[: -len(unit)]) * units[unit]
    return int(text)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, filename, content in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                'Content-Type: application/octet-stream\r\n\r\n').encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


def huge_declared_volume():
    """A NIfTI-1 header declaring 512^3 uint8 voxels, zeros, gzipped (about 130 kB)."""
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, 512, 512, 512, 1, 1, 1, 1)
    struct.pack_into("<hh", header, 70, 2, 8)  # datatype uint8, bitpix 8
    struct.pack_into("<8f", header, 76, 1, 1, 1, 1, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<h", header, 252, 0)
    struct.pack_into("<h", header, 254, 1)  # sform_code
    for row, values in enumerate(((1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0))):
        struct.pack_into("<4f", header, 280 + 16 * row, *values)
    header[344:348] = b"n+1\0"
    return gzip.compress(bytes(header) + b"\0" * 4 + bytes(512 ** 3), compresslevel=1)


class Soak:
    def __init__(self, args):
        self.targets = [urlparse(t) for t in args.targets.split(",")]
        self.management = dict(zip((t.geturl() for t in self.targets),
                                   (urlparse(m) for m in args.management_targets.split(","))))
        data = Path(args.data)
        subjects = sorted(p.name[: -len(".nii.gz")] for p in (data / "imagesTr").glob("*.nii.gz"))
        random.Random(1).shuffle(subjects)
        self.images = {s: (data / "imagesTr" / f"{s}.nii.gz").read_bytes() for s in subjects[:24]}
        self.labels = {s: (data / "labelsTr" / f"{s}.nii.gz").read_bytes() for s in subjects[:24]}
        self.subjects = subjects[:24]
        self.args = args
        self.lock = threading.Lock()
        self.statuses = defaultdict(Counter)
        self.unexpected = []
        self.tasks = {}  # id -> references answered
        self.latencies = defaultdict(list)
        self.heap = {t.geturl(): {"max_used": 0, "limit": None} for t in self.targets}
        self.stop = threading.Event()

    def request(self, target, method, path, body=None, content_type=None, timeout=180, accept="application/json"):
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=timeout)
        try:
            headers = {"Accept": accept}
            if self.args.api_key:
                headers["X-API-Key"] = self.args.api_key
            if content_type:
                headers["Content-Type"] = content_type
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def record(self, kind, status, body, started):
        expected = {"register": {201}, "add-reference": {200}}.get(kind, {413} if kind.startswith("oversized") else {200})
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(time.monotonic() - started)
            if status not in expected | BUSY:
                self.unexpected.append({"kind": kind, "status": status, "body": body[:300].decode("utf-8", "replace")})

    def call(self, kind, method, path, fields=(), files=(), target=None):
        target = target or random.choice(self.targets)
        body = content_type = None
        if fields or files:
            content_type, body = multipart(fields, files)
        started = time.monotonic()
        try:
            status, data = self.request(target, method, path, body, content_type)
        except OSError as e:
            status, data = 599, str(e).encode()
        self.record(kind, status, data, started)
        return status, data

    def pair(self, subject):
        return [("references", f"{subject}.nii.gz", self.images[subject]),
                ("masks", f"{subject}_mask.nii.gz", self.labels[subject])]

    def register(self):
        chosen = random.sample(self.subjects[:16], random.choice((1, 2)))
        files = [f for s in chosen for f in self.pair(s)]
        status, data = self.call("register", "POST", "/api/v1/tasks", [("name", "soak"), ("labels", LABELS)], files)
        if status == 201:
            task = json.loads(data)
            with self.lock:
                self.tasks[task["id"]] = task["references"]

    def some_task(self):
        with self.lock:
            return random.choice(list(self.tasks)) if self.tasks else None

    def add_reference(self):
        task = self.some_task()
        if task:
            status, data = self.call("add-reference", "POST", f"/api/v1/tasks/{task}/references",
                                     files=self.pair(random.choice(self.subjects[:16])))
            if status == 200:
                with self.lock:
                    self.tasks[task] = max(self.tasks[task], json.loads(data)["references"])

    def segment(self):
        task = self.some_task()
        if task:
            query = random.choice(self.subjects[16:])
            self.call("segment", "POST", "/api/v1/segmentations", [("taskId", task)],
                      [("image", f"{query}.nii.gz", self.images[query])])

    def read(self):
        task = self.some_task()
        if task:
            self.call("get", "GET", f"/api/v1/tasks/{task}")

    def client(self):
        actions = [(self.register, 15), (self.add_reference, 10), (self.segment, 55), (self.read, 15),
                   (lambda: self.call("list", "GET", "/api/v1/tasks"), 5)]
        choices, weights = zip(*actions)
        while not self.stop.is_set():
            random.choices(choices, weights)[0]()

    def burst(self):
        limit = parse_size(self.args.upload_limit)
        over_limit = bytes(limit + (1 << 20))
        declared = huge_declared_volume()
        task = self.some_task()
        threads = []
        for i in range(self.args.burst):
            if i % 2 == 0:
                files = [("image", "big.nii", over_limit)]
                kind = "oversized-upload"
            else:
                files = [("image", "declared-512cube.nii.gz", declared)]
                kind = "oversized-volume"
            fields = [("taskId", task or str(uuid.uuid4()))]
            threads.append(threading.Thread(target=self.call, args=(kind, "POST", "/api/v1/segmentations", fields,
                                                                       files)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def watch_heap(self):
        """Peak heap of each replica (sum of its heap pools) against its maximum, from /actuator/prometheus."""
        while not self.stop.is_set():
            for target in self.targets:
                try:
                    status, data = self.request(self.management[target.geturl()], "GET", "/actuator/prometheus",
                                                timeout=10, accept="text/plain")
                except OSError:
                    continue
                if status != 200:
                    continue
                used = limit = 0.0
                for line in data.decode().splitlines():
                    if 'area="heap"' not in line or line.startswith("#"):
                        continue
                    value = float(line.rsplit(" ", 1)[1])
                    if line.startswith("jvm_memory_used_bytes"):
                        used += value
                    elif line.startswith("jvm_memory_max_bytes") and value > 0:
                        limit += value
                entry = self.heap[target.geturl()]
                entry["max_used"] = max(entry["max_used"], used)
                entry["limit"] = limit or entry["limit"]
            self.stop.wait(1.0)

    def verify(self):
        """Every task answered 201 is served by every replica with at least its answered references."""
        broken = []
        for task, references in sorted(self.tasks.items()):
            for target in self.targets:
                status, data = self.request(target, "GET", f"/api/v1/tasks/{task}")
                if status != 200 or json.loads(data)["references"] < references:
                    broken.append({"task": task, "replica": target.geturl(), "status": status,
                                   "answered_references": references})
        return broken

    def run(self):
        watcher = threading.Thread(target=self.watch_heap, daemon=True)
        watcher.start()
        clients = [threading.Thread(target=self.client) for _ in range(self.args.clients)]
        started = time.monotonic()
        for c in clients:
            c.start()
        time.sleep(self.args.duration / 2)
        self.burst()
        time.sleep(max(0.0, started + self.args.duration - time.monotonic()))
        self.stop.set()
        for c in clients:
            c.join()
        elapsed = time.monotonic() - started
        broken = self.verify()
        heap_ok = all(h["limit"] and h["max_used"] < h["limit"] for h in self.heap.values())
        report = {
            "clients": self.args.clients, "duration_s": round(elapsed, 1), "replicas": len(self.targets),
            "statuses": {k: dict(sorted(v.items())) for k, v in sorted(self.statuses.items())},
            "requests": sum(sum(v.values()) for v in self.statuses.values()),
            "p50_s": {k: round(sorted(v)[len(v) // 2], 2) for k, v in sorted(self.latencies.items())},
            "p99_s": {k: round(sorted(v)[int(len(v) * 0.99)], 2) for k, v in sorted(self.latencies.items())},
            "tasks_committed": len(self.tasks), "tasks_broken": broken,
            "unexpected": self.unexpected[:20], "unexpected_count": len(self.unexpected),
            "heap_bytes": self.heap, "heap_below_limit": heap_ok,
        }
        print(json.dumps(report, indent=2))
        return 0 if not broken and not self.unexpected and heap_ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="http://127.0.0.1:8081,http://127.0.0.1:8082")
    parser.add_argument("--management-targets", default="http://127.0.0.1:9081,http://127.0.0.1:9082",
                        help="each replica's management (actuator) port, in the order of --targets")
    parser.add_argument("--api-key", default=os.environ.get("IRIS_API_KEY"),
                        help="sent as X-API-Key with every call (default: environment IRIS_API_KEY)")
    parser.add_argument("--data", default="../shared/data/hippocampus")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=300, help="seconds, at most 3600")
    parser.add_argument("--burst", type=int, default=16, help="oversized uploads sent at once half-way")
    parser.add_argument("--upload-limit", default="16MB", help="the replicas' multipart max-file-size")
    args = parser.parse_args()
    if len(args.management_targets.split(",")) != len(args.targets.split(",")):
        parser.error("--management-targets needs one address per --targets entry")
    for target in args.targets.split(",") + args.management_targets.split(","):
        host = urlparse(target).hostname
        if not (host == "localhost" or host.startswith("127.") or host == "::1"):
            parser.error(f"{target}: the soak only targets loopback addresses")
    args.duration = min(args.duration, 3600)
    sys.exit(Soak(args).run())


if __name__ == "__main__":
    main()

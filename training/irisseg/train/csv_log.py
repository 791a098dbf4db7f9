"""Append-only CSV training log that survives resume (rows past the resumed iteration are dropped)."""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Mapping, Sequence

LOG_FIELDS: tuple[str, ...] = ("iteration", "loss", "lr", "it_per_s", "wall_s", "skipped_steps")


class CsvLog:
    """``<run_dir>/log.csv`` with a header row and one row per logged iteration."""

    def __init__(self, path: str | os.PathLike, fields: Sequence[str] = LOG_FIELDS) -> None:
        self.path = Path(path)
        self.fields = tuple(fields)

    def start(self, resume_iteration: int = 0) -> None:
        """Create the file, or keep the rows with ``iteration <= resume_iteration`` of an existing one.

        Rows written after the checkpoint a run resumes from describe iterations that will be run
        again; dropping them keeps exactly one row per logged iteration.
        """
        kept: list[dict[str, str]] = []
        if resume_iteration > 0 and self.path.exists():
            with self.path.open(newline="") as f:
                kept = [row for row in csv.DictReader(f) if int(row["iteration"]) <= resume_iteration]
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(kept)
        os.replace(tmp, self.path)

    def append(self, row: Mapping[str, float | int]) -> None:
        with self.path.open("a", newline="") as f:
            csv.DictWriter(f, fieldnames=self.fields, extrasaction="ignore").writerow(
                {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()}
            )

    def read(self) -> list[dict[str, float]]:
        """All rows as floats (iteration as int)."""
        with self.path.open(newline="") as f:
            return [
                {k: (int(v) if k in ("iteration", "skipped_steps") else float(v)) for k, v in row.items() if v != ""}
                for row in csv.DictReader(f)
            ]

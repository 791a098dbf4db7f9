"""``python -m irisseg.train.kind_curve``: a leg's per-kind learning curve in a few numbers.

    python -m irisseg.train.kind_curve runs/ft15/kind_loss.csv --parts 5

Reads ``kind_loss.csv`` (columns ``iteration, kind, loss, episodes``, one row per kind and log window,
see :data:`irisseg.train.trainer.KIND_LOG_FIELDS`), cuts the run's iterations into ``parts`` equal spans
(fifths by default) and prints, per episode kind, the loss of each span averaged over its episodes (each
row's loss weighted by its ``episodes``). A kind flat across the spans is not being learned; the
fine-tuning notes quote these rows.
"""
from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path


def curve(rows: list[dict], parts: int = 5) -> dict[str, list[float | None]]:
    """Kind -> its episode-weighted mean loss in each of ``parts`` equal iteration spans (``None`` where the
    span has no episode of that kind). ``rows``: dicts with ``iteration``, ``kind``, ``loss``, ``episodes``
    (strings or numbers), in any order. Spans cover ``(first iteration - 1, last iteration]``."""
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    if not rows:
        return {}
    iterations = [int(r["iteration"]) for r in rows]
    start, end = min(iterations) - 1, max(iterations)
    width = (end - start) / parts
    sums: dict[str, list[list[float]]] = {}
    for r, it in zip(rows, iterations):
        span = min(parts - 1, int((it - start - 1) / width))
        loss, episodes = float(r["loss"]), int(r["episodes"])
        if not math.isfinite(loss) or episodes <= 0:
            continue
        cells = sums.setdefault(r["kind"], [[0.0, 0] for _ in range(parts)])
        cells[span][0] += loss * episodes
        cells[span][1] += episodes
    return {kind: [round(s / n, 4) if n else None for s, n in cells] for kind, cells in sorted(sums.items())}


def table(curves: dict[str, list[float | None]]) -> str:
    """A Markdown table: one row per kind, one column per span."""
    parts = max((len(v) for v in curves.values()), default=0)
    lines = ["| kind | " + " | ".join(f"{i + 1}/{parts}" for i in range(parts)) + " |",
             "|---|" + "---|" * parts]
    lines += [f"| {k} | " + " | ".join("-" if x is None else f"{x:.3f}" for x in v) + " |" for k, v in curves.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    p = argparse.ArgumentParser(prog="python -m irisseg.train.kind_curve", description=__doc__.split("\n\n")[0])
    p.add_argument("kind_loss", type=Path, help="a run's kind_loss.csv (or its run directory)")
    p.add_argument("--parts", type=int, default=5, help="equal iteration spans (default 5)")
    args = p.parse_args(argv)
    if args.parts < 1:
        p.error(f"--parts must be at least 1, got {args.parts}")
    path = args.kind_loss / "kind_loss.csv" if args.kind_loss.is_dir() else args.kind_loss
    if not path.is_file():
        raise SystemExit(f"not found: {path}")
    with path.open() as f:
        text = table(curve(list(csv.DictReader(f)), args.parts))
    print(text)
    return text


if __name__ == "__main__":
    main()

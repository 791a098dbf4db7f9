"""``python -m irisseg.evaluation.compare``: the numbers that decide whether a training leg is kept,
side by side for several ``evaluation.json`` files (one column each, in the order given).

    python -m irisseg.evaluation.compare /tmp/eval8/evaluation.json /tmp/eval13/evaluation.json

Rows: the unseen copy-test mean (mean over the unseen suite's structures of their copy test, the
number the fine-tuning keep rule averages over evaluation seeds), each structure's copy test, the
hippocampus one-shot, ensemble of 5 and copy test, the swap test, the unseen suite's mean ensemble
gain, and the wrong and blank references. A missing number prints as ``-``. Where
``evaluation_cases.csv`` lies beside the JSON, the unseen copy-test mean of each copy-test draw
(``--copy-draws``) follows the pooled one.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from pathlib import Path


def copy_test_mean(evaluation: dict) -> float | None:
    """Mean copy-test Dice over the unseen suite's structures (``None`` when there are none)."""
    values = [s["copy_test"] for s in evaluation.get("unseen_suite", {}).get("structures", [])
              if s.get("copy_test") is not None]
    return float(sum(values) / len(values)) if values else None


def copy_test_means_by_draw(cases: list[dict]) -> dict[int, float]:
    """Copy-test draw -> mean over unseen structures of the structure's mean over its queries
    (``cases``: rows of ``evaluation_cases.csv``)."""
    scores: dict[int, dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for c in cases:
        if c["strategy"] == "copy_test" and c["unseen"] == "True":
            scores[int(c["draw"])][(c["dataset"], c["class_name"])].append(float(c["dice"]))
    return {d: sum(sum(v) / len(v) for v in per.values()) / len(per) for d, per in sorted(scores.items())}


def rows(evaluation: dict, cases: list[dict] | None = None) -> dict[str, float | None]:
    """Row name -> value for one evaluation (see the module docstring)."""
    out: dict[str, float | None] = {"unseen copy test, mean": copy_test_mean(evaluation)}
    for d, v in copy_test_means_by_draw(cases or []).items():
        out[f"unseen copy test, draw {d}"] = v
    for s in evaluation.get("unseen_suite", {}).get("structures", []):
        out[f"copy test, {s['dataset']} {s['class']}"] = s.get("copy_test")
    hippocampus = evaluation.get("hippocampus") or {}
    out["hippocampus one-shot"] = hippocampus.get("one_shot_dice")
    out["hippocampus ensemble of 5"] = (hippocampus.get("ensemble_dice") or {}).get("5")
    out["hippocampus copy test"] = hippocampus.get("copy_test_dice")
    out["swap test (scored as swapped)"] = (evaluation.get("swap_test") or {}).get("dice_vs_swapped_truth")
    out["unseen ensemble gain, mean"] = (evaluation.get("unseen_suite") or {}).get("ensemble_gain_mean")
    out["wrong reference"] = evaluation.get("wrong_reference_dice")
    out["blank reference"] = evaluation.get("blank_reference_dice")
    return out


def _cell(value: float | None) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.4f}"


def table(evaluations: list[dict], names: list[str], cases: list[list[dict] | None] | None = None) -> str:
    """A Markdown table: one row per :func:`rows` name (first-seen order), one column per evaluation."""
    per = [rows(e, c) for e, c in zip(evaluations, cases or [None] * len(evaluations))]
    order: list[str] = []
    for r in per:
        order += [k for k in r if k not in order]
    lines = ["| check | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {k} | " + " | ".join(_cell(r.get(k)) for r in per) + " |" for k in order]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    p = argparse.ArgumentParser(prog="python -m irisseg.evaluation.compare", description=__doc__.split("\n\n")[0])
    p.add_argument("evaluations", nargs="+", type=Path, help="evaluation.json files (or their directories)")
    args = p.parse_args(argv)
    paths = [e / "evaluation.json" if e.is_dir() else e for e in args.evaluations]
    missing = [str(x) for x in paths if not x.is_file()]
    if missing:
        raise SystemExit(f"not found: {', '.join(missing)}")
    cases = []
    for x in paths:
        f = x.parent / "evaluation_cases.csv"
        cases.append(list(csv.DictReader(f.open())) if f.is_file() else None)
    text = table([json.loads(x.read_text()) for x in paths], [x.parent.name or str(x) for x in paths], cases)
    print(text)
    return text


if __name__ == "__main__":
    main()

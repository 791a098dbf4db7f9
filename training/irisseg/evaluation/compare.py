"""``python -m irisseg.evaluation.compare``: the numbers that decide whether a training leg is kept,
side by side for several ``evaluation.json`` files (one column each, in the order given).

    python -m irisseg.evaluation.compare /tmp/eval8/evaluation.json /tmp/eval13/evaluation.json

Rows: the unseen copy-test mean (mean over the unseen suite's structures of their copy test, the
number the fine-tuning keep rule averages over evaluation seeds), the same mean for the crop-only
variant (``copy_test_crop``: the reference's own crop, neither mirrored nor turned), each structure's
copy test, the
hippocampus one-shot, ensemble of 5 and copy test, the swap test, the unseen suite's mean ensemble
gain, and the wrong and blank references. A missing number prints as ``-``. Where
``evaluation_cases.csv`` lies beside the JSON, the unseen copy-test mean of each copy-test draw
(``--copy-draws``) follows the pooled one, then the same mean over the copies mirrored across the left-right
axis and over those mirrored or turned only within the other two (the service reorients every upload to
RAS+, so it never shows the model a left-right mirror; training may pose its tasks either way), and the
one-shot Dice of each unseen structure split by whether the reference's copied mask misses the query's structure.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Callable, Hashable

from irisseg.evaluation.copytest import described_flips
from irisseg.evaluation.runner import COPY_TEST, FLOOR, ONE_SHOT
from irisseg.evaluation.suite import copy_test_mean


def _unseen_copy_test_means(cases: list[dict], group: Callable[[dict], Hashable | None]) -> dict:
    """Group key -> :func:`irisseg.evaluation.suite.copy_test_mean` of the unseen copy tests in that group, each
    structure's copy test being its mean over the group's copies (``cases``: rows of ``evaluation_cases.csv``;
    ``group`` returns ``None`` for a case to skip). Keys in sorted order."""
    scores: dict = defaultdict(lambda: defaultdict(list))
    for c in cases:
        key = group(c) if c["strategy"] == COPY_TEST and c["unseen"] == "True" else None
        if key is not None:
            scores[key][(c["dataset"], c["class_name"])].append(float(c["dice"]))
    return {k: copy_test_mean({"copy_test": sum(v) / len(v)} for v in per.values())
            for k, per in sorted(scores.items())}


def copy_test_means_by_draw(cases: list[dict]) -> dict[int, float | None]:
    """Copy-test draw -> the unseen copy-test mean of that draw alone (see :func:`_unseen_copy_test_means`)."""
    return _unseen_copy_test_means(cases, lambda c: int(c["draw"]))


#: Row names of :func:`copy_test_means_by_pose`, by whether the copy is mirrored across the left-right axis.
POSE_ROWS = {True: "unseen copy test, left-right mirrored", False: "unseen copy test, other mirrors and turns"}


def copy_test_means_by_pose(cases: list[dict]) -> dict[str, float | None]:
    """:data:`POSE_ROWS` name -> the unseen copy-test mean over the copies that are (or are not) mirrored across
    the left-right axis (axis 0); a pose no copy took is left out, as are cases whose name holds no transform."""
    def mirrored(c: dict) -> bool | None:
        flips = described_flips(c.get("case", ""))
        return None if flips is None else flips[0]
    means = _unseen_copy_test_means(cases, mirrored)
    return {POSE_ROWS[k]: means[k] for k in (True, False) if k in means}


#: A reference whose copied mask scores below this on the query (the floor) marks a structure lying elsewhere.
APART_FLOOR = 0.05


def one_shot_by_floor(cases: list[dict]) -> dict[str, float]:
    """Row name -> the mean one-shot Dice of an unseen structure over the pairs whose copied-mask floor (same case,
    same draw) is below :data:`APART_FLOOR` (the reference's structure lies elsewhere) and over the others, for each
    structure with pairs of both kinds: does the model follow the reference's content or its location?"""
    floors, one_shots = {}, {}
    for c in cases:
        if c["unseen"] == "True" and c["strategy"] in (FLOOR, ONE_SHOT):
            key = (c["dataset"], c["class_name"], c.get("case"), c["draw"])
            (floors if c["strategy"] == FLOOR else one_shots)[key] = float(c["dice"])
    groups: dict = defaultdict(lambda: {True: [], False: []})
    for key, dice in one_shots.items():
        if key in floors:
            groups[key[:2]][floors[key] < APART_FLOOR].append(dice)
    return {f"one-shot, {d} {n}, {label} ({len(g[apart])} pairs)": sum(g[apart]) / len(g[apart])
            for (d, n), g in sorted(groups.items()) if g[True] and g[False]
            for apart, label in ((True, "reference apart"), (False, "reference overlapping"))}


def rows(evaluation: dict, cases: list[dict] | None = None) -> dict[str, float | None]:
    """Row name -> value for one evaluation (see the module docstring)."""
    structures = (evaluation.get("unseen_suite") or {}).get("structures", [])
    out: dict[str, float | None] = {"unseen copy test, mean": copy_test_mean(structures),
                                    "unseen same-crop copy test, mean": copy_test_mean(structures, "copy_test_crop")}
    for d, v in copy_test_means_by_draw(cases or []).items():
        out[f"unseen copy test, draw {d}"] = v
    out.update(copy_test_means_by_pose(cases or []))
    out.update(one_shot_by_floor(cases or []))
    for s in structures:
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

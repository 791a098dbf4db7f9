"""The unseen-structure suite in numbers: one line per structure (dataset, class) of the unseen
tasks, and the suite's targets with measured value and margin.

Per structure: mean Dice of the copy test (and its crop-only and 90-degree variants), one-shot (draws pooled), the
context ensembles, retrieval and the copied-mask floor, and ``ensemble_gain`` = the largest ensemble
of at most 5 references that the data allows minus one-shot (``None`` where a query has one
reference only).

Targets (fixed by the issue; ``margin`` = measured - target, ``met`` is ``None`` when not measured):
- copy test >= 0.85 for every structure;
- thalamus, SynthSeg-style references -> the real T1, one-shot (mean over left/right) >= 0.80;
- BraTS whole tumour, leave-one-out: one-shot >= 0.65, ensemble of 3 >= 0.70;
- each TotalSegmentator organ, one-shot averaged over CT -> MR and MR -> CT >= 0.50;
- ensemble gain averaged over the structures that have an ensemble > 0.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from irisseg.evaluation import runner as r

COPY_TARGET = 0.85
THALAMUS_TARGET = 0.80
BRATS_ONE_SHOT_TARGET = 0.65
BRATS_ENSEMBLE_3_TARGET = 0.70
TOTALSEG_TARGET = 0.50
TOTALSEG_DIRECTIONS = ("totalseg_ct_to_mr", "totalseg_mr_to_ct")
ENSEMBLE_SIZES = (1, 3, 5, 10)
#: The suite compares one-shot with an ensemble of at most this many references.
GAIN_ENSEMBLE_MAX = 5
#: Dice differences below this are called negligible in the report's prose.
NEGLIGIBLE_DICE = 0.005


def _round(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


def _mean(values: Iterable[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(float(np.mean(values)), 4) if values else None


def structures(summaries) -> list[dict]:
    """One entry per unseen (dataset, class), in report order (summaries: ``list[Summary]``)."""
    keys = list(dict.fromkeys((s.dataset, s.class_name) for s in summaries if s.unseen))
    out = []
    for dataset, class_name in keys:
        dice = {s.strategy: _round(s.dice_mean) for s in summaries
                if s.dataset == dataset and s.class_name == class_name}
        n_queries = max((s.n for s in summaries if s.dataset == dataset and s.class_name == class_name
                         and s.strategy == r.ensemble_name(1)), default=0)
        ensembles = {str(n): dice[r.ensemble_name(n)] for n in ENSEMBLE_SIZES if r.ensemble_name(n) in dice}
        sizes = [n for n in ENSEMBLE_SIZES if str(n) in ensembles and 2 <= n <= GAIN_ENSEMBLE_MAX]
        largest = max(sizes) if sizes else None
        one_shot = dice.get(r.ONE_SHOT)
        gain = None if largest is None or one_shot is None else round(ensembles[str(largest)] - one_shot, 4)
        out.append({
            "dataset": dataset, "class": class_name, "queries": n_queries,
            "copy_test": dice.get(r.COPY_TEST), "copy_test_crop": dice.get(r.COPY_TEST_CROP),
            "copy_test_permuted": dice.get(r.COPY_TEST_PERMUTED),
            "one_shot": one_shot, "ensemble": ensembles, "largest_ensemble": largest,
            "retrieval": dice.get(r.RETRIEVAL), "floor": dice.get(r.FLOOR), "ensemble_gain": gain,
            "grid_ceiling": dice.get(r.GRID_CEILING), "focused_grid_ceiling": dice.get(r.FOCUSED_GRID_CEILING),
        })
    return out


def _target(name: str, measured: float | None, target: float, strict: bool = False) -> dict:
    met = None if measured is None else (measured > target if strict else measured >= target)
    return {"name": name, "target": target, "comparison": ">" if strict else ">=", "measured": measured,
            "margin": None if measured is None else round(measured - target, 4), "met": met}


def targets(entries: list[dict]) -> list[dict]:
    """The suite's targets (see the module docstring), for the structures present."""
    out = [{**_target(f"copy test, {e['dataset']} {e['class']}", e["copy_test"], COPY_TARGET),
            "grid_ceiling": e.get("grid_ceiling")} for e in entries]

    def pick(dataset: str, key: str, class_name: str | None = None, size: str | None = None) -> list:
        return [e[key] if size is None else e[key].get(size) for e in entries
                if e["dataset"] == dataset and class_name in (None, e["class"])]

    if any(e["dataset"] == "thalamus" for e in entries):
        out.append(_target("thalamus, SynthSeg references -> real T1, one-shot (mean left/right)",
                           _mean(pick("thalamus", "one_shot")), THALAMUS_TARGET))
    if any(e["dataset"] == "brats" for e in entries):
        out.append(_target("BraTS whole tumour, leave-one-out, one-shot", _mean(pick("brats", "one_shot")),
                           BRATS_ONE_SHOT_TARGET))
        out.append(_target("BraTS whole tumour, leave-one-out, ensemble of 3",
                           _mean(pick("brats", "ensemble", size="3")), BRATS_ENSEMBLE_3_TARGET))
    organs = list(dict.fromkeys(e["class"] for e in entries if e["dataset"] in TOTALSEG_DIRECTIONS))
    for organ in organs:
        values = [v for d in TOTALSEG_DIRECTIONS for v in pick(d, "one_shot", organ)]
        measured = _mean(values) if len(values) == len(TOTALSEG_DIRECTIONS) and None not in values else None
        out.append(_target(f"TotalSegmentator {organ}, one-shot, mean of CT -> MR and MR -> CT", measured,
                           TOTALSEG_TARGET))
    gains = [e["ensemble_gain"] for e in entries if e["ensemble_gain"] is not None]
    out.append(_target(f"ensemble of {GAIN_ENSEMBLE_MAX} (or the largest available) minus one-shot, "
                       f"mean over {len(gains)} structures", _mean(gains), 0.0, strict=True))
    return out


def copy_test_mean(entries: Iterable[dict], key: str = "copy_test") -> float | None:
    """Mean over structures (entries of :func:`structures`) of their copy test: the number the fine-tuning
    keep rule follows (``None`` when no structure has one). ``key="copy_test_crop"`` gives the same mean
    for the crop-only variant (the reference's own crop, not mirrored or turned)."""
    return _mean(e.get(key) for e in entries)


def unseen_suite(summaries) -> dict | None:
    """``{"structures": [...], "targets": [...], "ensemble_gain_mean": ..., "copy_test_mean": ...}``, or
    ``None`` without unseen rows."""
    entries = structures(summaries)
    if not entries:
        return None
    t = targets(entries)
    return {"structures": entries, "targets": t, "ensemble_gain_mean": t[-1]["measured"],
            "copy_test_mean": copy_test_mean(entries),
            "no_ensemble": [f"{e['dataset']} {e['class']}" for e in entries if e["largest_ensemble"] is None]}


def _f(v: float | None, signed: bool = False) -> str:
    return "–" if v is None else (f"{v:+.4f}" if signed else f"{v:.3f}")


def above_ceiling(target: dict) -> str:
    """A note for a target set above what the model grid lets any weights reach ("" otherwise)."""
    ceiling = target.get("grid_ceiling")
    if ceiling is None or ceiling >= target["target"]:
        return ""
    return f" (grid ceiling {ceiling:.3f}: out of reach on the whole query)"


def markdown(suite: dict | None) -> list[str]:
    """The report's section on the suite (Markdown lines; none without a suite)."""
    if not suite:
        return []
    lines = ["", "## Unseen-structure suite", "",
             "Structures that are never a training target, segmented from references of the same structure.",
             "", "| target | measured | margin | |", "|---|---|---|---|"]
    for t in suite["targets"]:
        met = "–" if t["met"] is None else ("met" if t["met"] else "missed")
        lines.append(f"| {t['name']} {t['comparison']} {t['target']}{above_ceiling(t)} | {_f(t['measured'])} | "
                     f"{_f(t['margin'], True)} | {met} |")
    lines += ["", "| dataset | class | queries | copy test | copy: crop only | copy: 90° | one-shot | ensemble 3 | "
              "ensemble 5 | largest <= 5 | retrieval | floor | ensemble - one-shot | grid ceiling: whole / box |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for e in suite["structures"]:
        ens = e["ensemble"]
        largest = "– (1 reference)" if e["largest_ensemble"] is None else str(e["largest_ensemble"])
        lines.append(f"| {e['dataset']} | {e['class']} | {e['queries']} | {_f(e['copy_test'])} | "
                     f"{_f(e['copy_test_crop'])} | {_f(e['copy_test_permuted'])} | {_f(e['one_shot'])} | "
                     f"{_f(ens.get('3'))} | {_f(ens.get('5'))} | "
                     f"{largest} | {_f(e['retrieval'])} | {_f(e['floor'])} | {_f(e['ensemble_gain'], True)} | "
                     f"{_f(e.get('grid_ceiling'))} / {_f(e.get('focused_grid_ceiling'))} |")
    if suite.get("copy_test_mean") is not None:
        lines += ["", f"Copy-test mean over the {len(suite['structures'])} structures: {suite['copy_test_mean']:.4f}."]
    gain = suite["ensemble_gain_mean"]
    if gain is not None and abs(gain) < NEGLIGIBLE_DICE:
        lines += ["", f"Ensemble minus one-shot over the suite: {gain:+.4f}, negligible "
                  f"(below {NEGLIGIBLE_DICE} Dice)."]
    if suite["no_ensemble"]:
        lines += ["", f"No ensemble (one reference per query): {', '.join(suite['no_ensemble'])}; "
                  "one-shot, floor and copy test only."]
    return lines

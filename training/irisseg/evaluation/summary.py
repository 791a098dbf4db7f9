"""Aggregates score rows into mean ± sd per (dataset, class, strategy) and the headline numbers.

Dice and IoU are averaged over every row (a missed or false-positive case counts as 0). HD95 and ASD
are averaged over the rows where both masks are non-empty (``status == "ok"``) and the number of
missed and false-positive rows is given next to them. One-shot and floor rows (several draws per
query) are pooled: their sd spreads over queries and reference draws together.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from irisseg.evaluation import runner as r
from irisseg.evaluation.metrics import STATUS_BOTH_EMPTY, STATUS_FALSE_POSITIVE, STATUS_MISSED, STATUS_OK
from irisseg.evaluation.suite import unseen_suite

STRATEGY_ORDER = [r.FLOOR, r.MEMORY_BANK, r.ONE_SHOT, *(r.ensemble_name(n) for n in (1, 3, 5, 10)), r.RETRIEVAL,
                  r.TUNED_INIT, r.TUNED, r.FOCUSED_ONE_SHOT]
CHECK_ORDER = [r.GRID_CEILING, r.FOCUSED_GRID_CEILING, r.COPY_TEST, r.COPY_TEST_CROP, r.COPY_TEST_PERMUTED,
               r.FOCUSED_COPY_TEST,
               r.CHECK_SWAP_SWAPPED, r.CHECK_SWAP_ORIGINAL, r.CHECK_WRONG, r.CHECK_BLANK]


@dataclass
class Summary:
    dataset: str
    class_name: str
    strategy: str
    unseen: bool
    n: int
    dice_mean: float
    dice_sd: float
    iou_mean: float
    iou_sd: float
    hd95_mm_mean: float
    hd95_mm_sd: float
    asd_mm_mean: float
    asd_mm_sd: float
    n_distance: int
    missed: int
    false_positive: int
    both_empty: int


def _mean_sd(values: list[float]) -> tuple[float, float]:
    if not values:
        return math.nan, math.nan
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std(ddof=1)) if a.size > 1 else 0.0


def _rank(strategy: str) -> int:
    order = STRATEGY_ORDER + CHECK_ORDER
    return order.index(strategy) if strategy in order else len(order)


def summarise(rows: Iterable[r.Row]) -> list[Summary]:
    """One :class:`Summary` per (dataset, class, strategy), datasets and classes in first-seen order,
    strategies in the canonical order."""
    groups: "OrderedDict[tuple, list[r.Row]]" = OrderedDict()
    for row in rows:
        groups.setdefault((row.dataset, row.class_name, row.strategy), []).append(row)
    out = []
    for (dataset, class_name, strategy), rs in groups.items():
        ok = [x for x in rs if x.status in (STATUS_OK, STATUS_BOTH_EMPTY)]
        out.append(Summary(
            dataset, class_name, strategy, rs[0].unseen, len(rs),
            *_mean_sd([x.dice for x in rs]), *_mean_sd([x.iou for x in rs]),
            *_mean_sd([x.hd95_mm for x in ok]), *_mean_sd([x.asd_mm for x in ok]),
            len(ok),
            sum(x.status == STATUS_MISSED for x in rs), sum(x.status == STATUS_FALSE_POSITIVE for x in rs),
            sum(x.status == STATUS_BOTH_EMPTY for x in rs),
        ))
    first = {}
    for s in out:
        first.setdefault((s.dataset,), len(first))
        first.setdefault((s.dataset, s.class_name), len(first))
    out.sort(key=lambda s: (first[(s.dataset,)], first[(s.dataset, s.class_name)], _rank(s.strategy)))
    return out


def mean_over_classes(summaries: list[Summary], dataset: str, strategy: str, field: str = "dice_mean") -> float:
    """Mean over the classes of ``dataset`` of one summary field (NaN when absent)."""
    values = [getattr(s, field) for s in summaries if s.dataset == dataset and s.strategy == strategy]
    return float(np.mean(values)) if values else math.nan


def strategies_of(summaries: list[Summary], dataset: str) -> list[str]:
    seen = []
    for s in summaries:
        if s.dataset == dataset and s.strategy not in seen:
            seen.append(s.strategy)
    return seen


#: The issue's targets on the hippocampus validation split (mean Dice over the two classes).
TARGETS = {"one_shot_dice": 0.82, "ensemble_5_dice": 0.85}


def targets(hippocampus: dict) -> dict:
    """Each target with the measured value, the margin (measured - target) and whether it is met."""
    measured = {"one_shot_dice": hippocampus["one_shot_dice"], "ensemble_5_dice": hippocampus["ensemble_dice"]["5"]}
    out = {}
    for name, goal in TARGETS.items():
        value = measured[name]
        out[name] = {"target": goal, "measured": value,
                     "margin": None if value is None else round(value - goal, 4),
                     "met": None if value is None else value >= goal}
    tuned, base, start = hippocampus["tuned_dice"], hippocampus["ensemble_dice"]["5"], hippocampus["tuned_init_dice"]
    margin = None if None in (tuned, base) else round(tuned - base, 4)
    out["tuned_above_ensemble_5"] = {"measured": tuned, "ensemble_5": base, "margin": margin,
                                     "met": None if margin is None else margin > 0,
                                     "paired_gain": None if None in (tuned, start) else round(tuned - start, 4)}
    return out


def headline(summaries: list[Summary], main_dataset: str = "hippocampus") -> dict:
    """The numbers export puts into ``model.json`` and the model card (means over classes)."""

    def m(dataset: str, strategy: str) -> float | None:
        v = mean_over_classes(summaries, dataset, strategy)
        return None if math.isnan(v) else round(v, 4)

    datasets = []
    for s in summaries:
        if s.dataset not in datasets:
            datasets.append(s.dataset)
    out: dict = {}
    if main_dataset in datasets:
        out[main_dataset] = {
            "one_shot_dice": m(main_dataset, r.ONE_SHOT),
            "memory_bank_dice": m(main_dataset, r.MEMORY_BANK),
            "ensemble_dice": {str(n): m(main_dataset, r.ensemble_name(n)) for n in (1, 3, 5, 10)},
            "retrieval_dice": m(main_dataset, r.RETRIEVAL),
            "tuned_dice": m(main_dataset, r.TUNED),
            "tuned_init_dice": m(main_dataset, r.TUNED_INIT),
            "floor_dice": m(main_dataset, r.FLOOR),
            "copy_test_dice": m(main_dataset, r.COPY_TEST),
            "per_class_dice": {s.class_name + "/" + s.strategy: round(s.dice_mean, 4) for s in summaries
                               if s.dataset == main_dataset and s.strategy in STRATEGY_ORDER},
        }
        out["targets"] = targets(out[main_dataset])
        out["swap_test"] = {"dice_vs_swapped_truth": m(main_dataset, r.CHECK_SWAP_SWAPPED),
                            "dice_vs_original_truth": m(main_dataset, r.CHECK_SWAP_ORIGINAL)}
        out["wrong_reference_dice"] = m(main_dataset, r.CHECK_WRONG)
        out["blank_reference_dice"] = m(main_dataset, r.CHECK_BLANK)
    unseen = {}
    for dataset in datasets:
        if not any(s.unseen for s in summaries if s.dataset == dataset):
            continue
        unseen[dataset] = {strategy: m(dataset, strategy) for strategy in strategies_of(summaries, dataset)
                           if strategy in STRATEGY_ORDER or strategy == r.COPY_TEST}
        unseen[dataset]["classes"] = sorted({s.class_name for s in summaries if s.dataset == dataset})
    out["unseen"] = unseen
    out["unseen_suite"] = unseen_suite(summaries)
    return out

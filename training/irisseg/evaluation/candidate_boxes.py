"""One query box around everything found, or one per candidate? The measurement behind the query box
of :mod:`irisseg.boxes`, on the unseen suite (BraTS whole and enhancing tumour, TotalSegmentator both
directions, fetal corpus callosum, thalamus):

    python -m irisseg.evaluation.candidate_boxes --model ../models/iris-small-finetune \
        --data ../../shared/data --out reports/finetune/query_boxes.md

Per query and one-shot reference (the runner's draws, :func:`irisseg.evaluation.box_choice.one_shot_references`;
draw 0 is the evaluation's ``focused_one_shot``), four predictions scored by Dice per class:
- ``plain``: the reference encoded whole, the query decoded whole (no focus);
- ``one box``: locate, then focus in one box around everything the coarse pass found (the service);
- ``per candidate``: one focused pass per candidate box (:func:`irisseg.boxes.query_boxes`,
  :func:`irisseg.evaluation.focus.per_candidate_locate_and_focus`): each box at least the reference box's
  side, as the one box;
- ``per candidate, own size``: the same, each box sized to its candidate alone (``MARGIN_FACTOR`` times
  its extent, at least ``MIN_SIDE_MM``; the reference box's side is not a floor): a control that shows
  what the reference box's side does to the candidates' boxes.

Beside them: the coarse pass's candidates (connected components, before the cap), the per-candidate
boxes and the true mask's components (how scattered the target is). A ``## Conclusion`` section already
in ``--out`` is kept when the report is rewritten.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

from irisseg import boxes
from irisseg.evaluation.box_choice import (_f, _mean, _ran, by_class, measure_unseen, measurement_parser,
                                          with_conclusion, write_report)
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.focus import focused_embedding, locate_and_focus, per_candidate_locate_and_focus
from irisseg.evaluation.metrics import score_masks
from irisseg.evaluation.strategies import decode

VARIANTS = ("plain", "one box", "per candidate", "per candidate, own size")
FOCUSED = VARIANTS[1:]


@dataclass(frozen=True)
class Score:
    """Dice of one class of one query (one reference draw) under each variant, with what the passes did:
    ``candidates`` (components found, before the cap), per focused variant its ``boxes`` and ``focused``
    passes (boxes smaller than the volume), ``side`` (the reference box's side, mm), ``field`` (the
    query's largest physical extent, mm), ``truth_parts`` (components of the true mask), ``gap`` (the
    closest two kept candidates' centres, mm, largest over the axes: boxes of side ``S`` around them
    overlap when it is under ``S``; ``None`` under two candidates), ``largest_hits`` and ``any_hits``
    (whether the largest candidate, or any kept candidate, touches the query's true masks)."""

    dataset: str
    class_name: str
    case: str
    draw: int
    dice: dict
    candidates: int
    boxes: dict
    focused: dict
    side: float
    field: float
    truth_parts: int
    gap: float | None
    largest_hits: bool
    any_hits: bool


def _parts(mask) -> int:
    return int(ndimage.label(mask, structure=np.ones((3, 3, 3), dtype=bool))[1])


def _gap(found: list[np.ndarray], spacing) -> float | None:
    centres = [boxes.centre(m) * np.asarray(spacing) for m in found]
    gaps = [float(np.abs(a - b).max()) for i, a in enumerate(centres) for b in centres[i + 1:]]
    return min(gaps) if gaps else None


def compare(predictor, task: Task, reference: Subject, query: Subject, features, draw: int) -> list[Score]:
    """The four variants of one query with one reference, one :class:`Score` per class."""
    with torch.no_grad():
        whole = predictor.encode_reference(reference.image, reference.masks).detach().float().cpu()
    embedding, side = focused_embedding(predictor, reference)
    one_box = locate_and_focus(predictor, query, features, embedding, side)
    per_candidate = per_candidate_locate_and_focus(predictor, query, features, embedding, side)
    own_size = per_candidate_locate_and_focus(predictor, query, features, embedding, boxes.MIN_SIDE_MM)
    plain = decode(predictor, features, whole)
    found = len(boxes.candidates(per_candidate.coarse, None))
    kept = boxes.candidates(per_candidate.coarse)
    truth = query.masks.any(axis=0)
    hits = [bool((m & truth).any()) for m in kept]
    largest_hits = bool(hits) and hits[int(np.argmax([m.sum() for m in kept]))]
    field = float(max(n * s for n, s in zip(query.image.shape, query.spacing)))
    counts = {"one box": int(one_box.box is not None), "per candidate": len(per_candidate.boxes),
              "per candidate, own size": len(own_size.boxes)}
    focused = {"one box": int(_ran(one_box)), "per candidate": per_candidate.focused,
               "per candidate, own size": own_size.focused}
    out = []
    for k, name in enumerate(task.class_names):
        dice = {v: float(score_masks(p[k] > 0.5, query.masks[k], query.spacing).dice) for v, p in
                zip(VARIANTS, (plain, one_box.probabilities, per_candidate.probabilities, own_size.probabilities))}
        out.append(Score(task.dataset, name, query.name, draw, dice, found, counts, focused, side, field,
                         _parts(query.masks[k]), _gap(kept, query.spacing), largest_hits, any(hits)))
    return out


def table(scores: list[Score], datasets: list[str]) -> list[str]:
    """Dice per task and class (mean over queries and draws), the sides and how many candidates."""
    lines = ["| task | class | predictions | true parts | reference side / field (mm) | candidates (mean / max) | "
             "plain | one box | per candidate | per candidate - one box | own size | own size - one box |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset, c, by in by_class(scores, datasets):
        d = {v: _mean(s.dice[v] for s in by) for v in VARIANTS}
        lines.append(
            f"| {dataset} | {c} | {len(by)} | {_mean(s.truth_parts for s in by):.1f} | "
            f"{_mean(s.side for s in by):.0f} / {_mean(s.field for s in by):.0f} | "
            f"{_mean(s.candidates for s in by):.1f} / {max(s.candidates for s in by)} | {_f(d['plain'])} | "
            f"{_f(d['one box'])} | {_f(d['per candidate'])} | {_f(d['per candidate'] - d['one box'], True)} | "
            f"{_f(d['per candidate, own size'])} | {_f(d['per candidate, own size'] - d['one box'], True)} |")
    return lines


def box_table(scores: list[Score], datasets: list[str]) -> list[str]:
    """Per task (one row per query and draw, the classes share the passes): boxes and focused passes."""
    lines = ["| task | predictions | with 2+ candidates | closest candidates / reference side (mm, mean) | "
             "largest candidate on the target | a candidate on the target | "
             "boxes: one box / per candidate / own size (mean, max) | "
             "focused passes: one box / per candidate / own size (mean) | per candidate differs from one box |",
             "|---|---|---|---|---|---|---|---|---|"]
    for dataset in datasets:
        by = list({(s.case, s.draw): s for s in scores if s.dataset == dataset}.values())
        differ = len({(s.case, s.draw) for s in scores if s.dataset == dataset
                      and abs(s.dice["per candidate"] - s.dice["one box"]) > 1e-6})
        counts = " / ".join(f"{_mean(s.boxes[v] for s in by):.1f}, {max(s.boxes[v] for s in by)}" for v in FOCUSED)
        ran = " / ".join(f"{_mean(s.focused[v] for s in by):.1f}" for v in FOCUSED)
        several = [s for s in by if s.gap is not None]
        gap = (f"{_mean(s.gap for s in several):.0f} / {_mean(s.side for s in several):.0f}" if several else "–")
        lines.append(f"| {dataset} | {len(by)} | {len(several)} | {gap} | {sum(s.largest_hits for s in by)}/{len(by)} | "
                     f"{sum(s.any_hits for s in by)}/{len(by)} | {counts} | {ran} | {differ}/{len(by)} |")
    return lines


def per_draw(scores: list[Score], datasets: list[str]) -> list[str]:
    """Every prediction: Dice of the variants and the candidates and boxes behind them."""
    lines = ["| task | class | query | draw | plain | one box | per candidate | own size | candidates | "
             "boxes: per candidate / own size | focused: one box / per candidate / own size |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset in datasets:
        for s in (s for s in scores if s.dataset == dataset):
            lines.append(f"| {dataset} | {s.class_name} | {s.case} | {s.draw} | "
                         + " | ".join(_f(s.dice[v]) for v in VARIANTS)
                         + f" | {s.candidates} | {s.boxes['per candidate']} / {s.boxes['per candidate, own size']} | "
                         + " / ".join(str(s.focused[v]) for v in FOCUSED) + " |")
    return lines


def report(scores: list[Score], tasks: list[Task], header: list[str], previous: str | None) -> str:
    datasets = [t.dataset for t in tasks]
    lines = ["# Queries: one box around everything found, or one box per candidate?", "", *header, "",
             "## Dice per task and class", "",
             "True parts: connected components of the true mask (mean). Reference side: the reference box's side "
             "(mean); field: the query's largest physical extent. Candidates: connected components of what the "
             "coarse pass found (any class), before the cap.", "", *table(scores, datasets), "",
             "## Boxes", "", f"One row per query and draw (the classes share the passes). Closest candidates: the "
             f"distance between the centres of the closest two of the {boxes.MAX_CANDIDATES} largest candidates "
             "(largest over the axes; their boxes overlap, and merge, when it is under the box side). On the target: "
             "the candidate touches the query's true mask (any class). Boxes after the cap and merging; focused "
             "passes: boxes smaller than the volume (the others keep the coarse pass).", "",
             *box_table(scores, datasets), "", "## Every prediction", "", *per_draw(scores, datasets), ""]
    return with_conclusion(lines, previous)


def parse_args(argv=None) -> argparse.Namespace:
    return measurement_parser("irisseg.evaluation.candidate_boxes", __doc__, "brats,totalseg,fetal,thalamus").parse_args(argv)


def main(argv=None) -> list[Score]:
    args = parse_args(argv)
    m = measure_unseen("irisseg.evaluation.candidate_boxes", args, argv, compare)
    header = [f"Model: `{m.loaded.source}` ({m.loaded.version}).", "", f"Command: `{m.command}`", "",
              f"{args.draws} one-shot reference draws per query (the evaluation's draws; draw 0 is its "
              f"`focused_one_shot`). {args.threads} torch thread(s), {m.seconds / 60:.1f} min, load average "
              f"{os.getloadavg()[0]:.1f} at the end.", "",
              "- plain: one-shot, reference encoded whole, query decoded whole (no focus);",
              "- one box: locate, then focus in one box around everything the coarse pass found "
              "(`boxes.query_box`, the service's policy);",
              "- per candidate: the same coarse pass, then one focused pass per candidate box "
              "(`boxes.query_boxes`: connected components, the largest "
              f"{boxes.MAX_CANDIDATES}, overlapping boxes merged), each pasted into the coarse probabilities; each box "
              "at least the reference box's side;",
              "- own size: per candidate with each box sized to its candidate alone (twice its extent, at least "
              f"{boxes.MIN_SIDE_MM:.0f} mm), not to the reference box (a control)."]
    write_report(args.out, lambda previous: report(m.scores, m.tasks, header, previous))
    print(f"wrote {args.out} in {m.seconds:.0f}s")
    return m.scores


if __name__ == "__main__":
    main()

"""One grown query box, or overlapping windows at the reference's scale, where the target is larger than
the reference box allows? The measurement behind the query box of :mod:`irisseg.boxes`, on the unseen
suite (BraTS whole and enhancing tumour, TotalSegmentator both directions, fetal corpus callosum,
thalamus):

    python -m irisseg.evaluation.window_boxes --model ../models/iris-small-finetune \\
        --data ../../shared/data --out reports/finetune/query_windows.md

Per query and one-shot reference (the runner's draws; draw 0 is the evaluation's ``focused_one_shot``),
three predictions scored by Dice per class:
- ``plain``: the reference encoded whole, the query decoded whole (no focus);
- ``one box``: locate, then focus in one box around everything the coarse pass found, grown to twice
  the found extent where that exceeds the reference box's side (the service);
- ``windows``: the same coarse pass, then overlapping windows of the reference box's side over the found
  region where the one box would grow (:func:`irisseg.boxes.query_windows`, at most
  ``MAX_WINDOWS``), averaged where they overlap (:func:`irisseg.evaluation.focus.windowed_locate_and_focus`).

Beside them: how often the one box had to grow (the found extent against the reference side) and how
many windows ran. A ``## Conclusion`` section already in ``--out`` is kept when the report is rewritten.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from irisseg import boxes
from irisseg.evaluation.box_choice import (_f, _mean, _ran, by_class, measure_unseen, measurement_parser,
                                          with_conclusion, write_report)
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.focus import focused_embedding, locate_and_focus, windowed_locate_and_focus
from irisseg.evaluation.metrics import score_masks
from irisseg.evaluation.strategies import decode

VARIANTS = ("plain", "one box", "windows")


@dataclass(frozen=True)
class Score:
    """Dice of one class of one query (one reference draw) under each variant, with ``side`` (the reference
    box's side, mm), ``found`` (twice the coarse pass's found extent, mm; ``None`` when it found nothing:
    the one box grows where it exceeds ``side``), ``one_box`` (the one box's side, mm, largest over the
    axes; ``None`` without a box), ``focused`` (whether the one box was smaller than the volume) and
    ``windows`` (focused windows that ran)."""

    dataset: str
    class_name: str
    case: str
    draw: int
    dice: dict
    side: float
    found: float | None
    one_box: float | None
    focused: bool
    windows: int

    @property
    def grew(self) -> bool:
        return self.found is not None and self.found > self.side


def compare(predictor, task: Task, reference: Subject, query: Subject, features, draw: int) -> list[Score]:
    """The three variants of one query with one reference, one :class:`Score` per class."""
    with torch.no_grad():
        whole = predictor.encode_reference(reference.image, reference.masks).detach().float().cpu()
    embedding, side = focused_embedding(predictor, reference)
    one_box = locate_and_focus(predictor, query, features, embedding, side)
    windowed = windowed_locate_and_focus(predictor, query, features, embedding, side)
    plain = decode(predictor, features, whole)
    found_mask = (one_box.coarse > boxes.FOUND_THRESHOLD).any(axis=0)
    found = boxes.MARGIN_FACTOR * boxes.extent_mm(found_mask, query.spacing) if found_mask.any() else None
    box_mm = (None if one_box.box is None
              else float(max(n * s for n, s in zip(one_box.box.shape, query.spacing))))
    ran = sum(not b.covers(query.image.shape) for b in windowed.boxes)
    out = []
    for k, name in enumerate(task.class_names):
        dice = {v: float(score_masks(p[k] > 0.5, query.masks[k], query.spacing).dice) for v, p in
                zip(VARIANTS, (plain, one_box.probabilities, windowed.probabilities))}
        out.append(Score(task.dataset, name, query.name, draw, dice, side, found, box_mm, _ran(one_box), ran))
    return out


def table(scores: list[Score], datasets: list[str]) -> list[str]:
    """Dice per task and class (mean over queries and draws), how often the box grew and windows ran."""
    lines = ["| task | class | predictions | box grew | reference side / twice found (mm, mean) | windows (mean, max) "
             "| plain | one box | windows | windows - one box | where the box grew: one box / windows |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset, c, by in by_class(scores, datasets):
        d = {v: _mean(s.dice[v] for s in by) for v in VARIANTS}
        grew = [s for s in by if s.grew]
        found = [s.found for s in by if s.found is not None]
        where = (f"{_f(_mean(s.dice['one box'] for s in grew))} / {_f(_mean(s.dice['windows'] for s in grew))}"
                 if grew else "–")
        lines.append(
            f"| {dataset} | {c} | {len(by)} | {len(grew)} | {_mean(s.side for s in by):.0f} / "
            f"{(f'{_mean(found):.0f}' if found else '–')} | {_mean(s.windows for s in by):.1f}, "
            f"{max(s.windows for s in by)} | {_f(d['plain'])} | {_f(d['one box'])} | {_f(d['windows'])} | "
            f"{_f(d['windows'] - d['one box'], True)} | {where} |")
    return lines


def per_draw(scores: list[Score], datasets: list[str]) -> list[str]:
    """Every prediction: Dice of the variants, the sides and the windows behind them."""
    lines = ["| task | class | query | draw | plain | one box | windows | reference side | twice found | "
             "one box side | windows run |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset in datasets:
        for s in (s for s in scores if s.dataset == dataset):
            found = "–" if s.found is None else f"{s.found:.0f}"
            box = "–" if s.one_box is None else f"{s.one_box:.0f}{'' if s.focused else ' (whole)'}"
            lines.append(f"| {dataset} | {s.class_name} | {s.case} | {s.draw} | "
                         + " | ".join(_f(s.dice[v]) for v in VARIANTS)
                         + f" | {s.side:.0f} | {found} | {box} | {s.windows} |")
    return lines


def report(scores: list[Score], tasks: list[Task], header: list[str], previous: str | None) -> str:
    datasets = [t.dataset for t in tasks]
    lines = ["# Large targets: one grown query box, or overlapping windows at the reference's scale?", "", *header,
             "", "## Dice per task and class", "",
             "Box grew: predictions where twice the found extent exceeded the reference box's side (the one box "
             "grows to it; the windows keep the side). Windows: focused windows that ran (smaller than the volume; "
             "1 where the box did not grow and was smaller than the volume).", "", *table(scores, datasets), "",
             "## Every prediction", "", *per_draw(scores, datasets), ""]
    return with_conclusion(lines, previous)


def main(argv=None) -> list[Score]:
    args = measurement_parser("irisseg.evaluation.window_boxes", __doc__,
                              "brats,totalseg,fetal,thalamus").parse_args(argv)
    m = measure_unseen("irisseg.evaluation.window_boxes", args, argv, compare)
    header = [f"Model: `{m.loaded.source}` ({m.loaded.version}).", "", f"Command: `{m.command}`", "",
              f"{args.draws} one-shot reference draws per query (the evaluation's draws; draw 0 is its "
              f"`focused_one_shot`). {args.threads} torch thread(s), {m.seconds / 60:.1f} min, load average "
              f"{os.getloadavg()[0]:.1f} at the end.", "",
              "- plain: one-shot, reference encoded whole, query decoded whole (no focus);",
              "- one box: locate, then focus in one box around everything the coarse pass found, grown to twice "
              "the found extent where that exceeds the reference box's side (`boxes.query_box`, the service's policy);",
              "- windows: the same coarse pass, then, where the one box would grow, cubes of the reference box's "
              f"side over the found region grown by a quarter side, overlapping by {boxes.WINDOW_OVERLAP:.0%}, at most "
              f"{boxes.MAX_WINDOWS} (else the one box), averaged where they overlap (`boxes.query_windows`)."]
    write_report(args.out, lambda previous: report(m.scores, m.tasks, header, previous))
    print(f"wrote {args.out} in {m.seconds:.0f}s")
    return m.scores


if __name__ == "__main__":
    main()

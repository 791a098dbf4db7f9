"""One box around all classes, or one box per class? The measurement behind the choice in
:mod:`irisseg.boxes`, on the multi-class tasks (thalamus, TotalSegmentator CT -> MR and MR -> CT,
hippocampus):

    python -m irisseg.evaluation.box_choice --model ../models/iris-small-finetune \
        --data ../../shared/data --out reports/finetune/box_choice.md

Per query and reference, four predictions, scored by Dice per class:
- ``plain``: one-shot, the reference encoded whole and the query decoded whole (no focus);
- ``plain apart``: the same embedding, each class decoded alone (a control: the decoder sees the
  classes of a task together, so decoding them one at a time changes the result even without boxes);
- ``one box``: locate, then focus with one box around all classes (what the service does);
- ``per class``: locate, then focus with one box per class
  (:func:`irisseg.evaluation.focus.per_class_focused_prediction`).

References are the runner's one-shot draws (:mod:`irisseg.evaluation.runner`: draw ``d`` of query ``i``
is ``perm_i[d]`` of its pool, so draw 0 is the evaluation's ``focused_one_shot``). The copy test is the
runner's crop-only variant (``copy_test_crop``: the query's own scan as its reference, re-cropped, not
mirrored). A ``## Conclusion`` section already in ``--out`` is kept when the report is rewritten.
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from irisseg import boxes
from irisseg.evaluation import heldout
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.copytest import copy_query
from irisseg.evaluation.focus import focused_embedding, locate_and_focus, per_class_locate_and_focus
from irisseg.evaluation.loading import load_predictor
from irisseg.evaluation.metrics import score_masks
from irisseg.evaluation.runner import COPY_TEST_CROP, Settings, copy_transforms
from irisseg.evaluation.strategies import decode
from irisseg.evaluation.unseen import unseen_tasks

VARIANTS = ("plain", "plain apart", "one box", "per class")
MODES = ("one-shot", "copy test")
CONCLUSION = "## Conclusion"


@dataclass(frozen=True)
class Score:
    """Dice of one class of one query (one reference draw) under one variant; ``focused``: whether the
    focused pass ran (a query box smaller than the volume); ``side``: the box side in mm."""

    dataset: str
    class_name: str
    mode: str
    case: str
    draw: int
    variant: str
    dice: float
    focused: bool
    side: float | None


def _ran(p) -> bool:
    return p.box is not None and not p.box.covers(p.coarse.shape[1:])


def compare(predictor, task: Task, reference: Subject, query: Subject, features, mode: str, draw: int,
            reference_features=None) -> list[Score]:
    """The four variants of one query with one reference, one :class:`Score` per class and variant."""
    with torch.no_grad():
        whole = predictor.encode_reference(reference.image, reference.masks,
                                           features=reference_features).detach().float().cpu()
    one_box = locate_and_focus(predictor, query, features, *focused_embedding(predictor, reference))
    per_class = per_class_locate_and_focus(predictor, reference, query, features)
    union_side = boxes.side_mm(reference.masks.any(axis=0), reference.spacing)
    plain = decode(predictor, features, whole)
    apart = np.concatenate([decode(predictor, features, whole[k:k + 1]) for k in range(len(task.class_names))])
    out = []
    for k, name in enumerate(task.class_names):
        for variant, probs, focused, side in (
                ("plain", plain[k], False, None),
                ("plain apart", apart[k], False, None),
                ("one box", one_box.probabilities[k], _ran(one_box), union_side),
                ("per class", per_class[k].focused.probabilities[0], _ran(per_class[k].focused), per_class[k].side)):
            dice = score_masks(probs > 0.5, query.masks[k], query.spacing).dice
            out.append(Score(task.dataset, name, mode, query.name, draw, variant, float(dice), focused, side))
    return out


def one_shot_references(task: Task, i: int, seed: int, draws: int) -> list[Subject]:
    """The first ``draws`` one-shot references of query ``i`` of ``task``, as the runner draws them."""
    allowed = task.reference_indices(task.queries[i])
    perm = np.random.default_rng([seed, i]).permutation(len(allowed))
    return [task.references[allowed[int(perm[d])]] for d in range(min(draws, len(allowed)))]


def run_task(predictor, task: Task, settings: Settings, draws: int, copy_tests: int, log=print) -> list[Score]:
    """Every query of ``task`` with its first ``draws`` one-shot references, and the crop-only copy test
    of its first ``copy_tests`` queries."""
    scores = []
    for i, query in enumerate(task.queries):
        t0 = time.time()
        features = predictor.encode_image(query.image)
        for d, reference in enumerate(one_shot_references(task, i, settings.seed, draws)):
            scores += compare(predictor, task, reference, query, features, "one-shot", d)
        if i < copy_tests and all(m.any() for m in query.masks):
            t = dict(copy_transforms(task, query, settings, i))[COPY_TEST_CROP]
            copy = copy_query(query, t, suffix=t.describe())
            scores += compare(predictor, task, query, copy, predictor.encode_image(copy.image), "copy test", 0,
                              reference_features=features)
        log(f"  {task.dataset}: query {i + 1}/{len(task.queries)} {query.name} in {time.time() - t0:.1f}s")
    return scores


def _mean(values) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def _f(v: float | None, signed: bool = False) -> str:
    return "–" if v is None else (f"{v:+.3f}" if signed else f"{v:.3f}")


def task_table(scores: list[Score], datasets: list[str]) -> list[str]:
    """Dice per task and mode, the mean over classes of the mean over queries and draws."""
    lines = ["| task | mode | predictions | plain | plain, classes apart | one box | per class | per class - one box |",
             "|---|---|---|---|---|---|---|---|"]
    for dataset in datasets:
        for mode in MODES:
            rows = [s for s in scores if s.dataset == dataset and s.mode == mode]
            if not rows:
                continue
            classes = list(dict.fromkeys(s.class_name for s in rows))
            dice = {v: _mean(_mean(s.dice for s in rows if s.variant == v and s.class_name == c) for c in classes)
                    for v in VARIANTS}
            n = len({(s.case, s.draw) for s in rows})
            lines.append(f"| {dataset} | {mode} | {n} | {_f(dice['plain'])} | {_f(dice['plain apart'])} | "
                         f"{_f(dice['one box'])} | "
                         f"{_f(dice['per class'])} | {_f(dice['per class'] - dice['one box'], True)} |")
    return lines


def class_table(scores: list[Score], datasets: list[str]) -> list[str]:
    """Dice per class, the box sides (mean, mm) and how often each focused pass ran."""
    lines = ["| task | class | mode | plain | plain, classes apart | one box | per class | side one box (mm) | "
             "side per class (mm) | focused: one box | focused: per class |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for dataset in datasets:
        for mode in MODES:
            rows = [s for s in scores if s.dataset == dataset and s.mode == mode]
            for c in dict.fromkeys(s.class_name for s in rows):
                by = {v: [s for s in rows if s.class_name == c and s.variant == v] for v in VARIANTS}
                ran = {v: f"{sum(s.focused for s in by[v])}/{len(by[v])}" for v in VARIANTS}
                lines.append(f"| {dataset} | {c} | {mode} | {_f(_mean(s.dice for s in by['plain']))} | "
                             f"{_f(_mean(s.dice for s in by['plain apart']))} | "
                             f"{_f(_mean(s.dice for s in by['one box']))} | {_f(_mean(s.dice for s in by['per class']))} | "
                             f"{_mean(s.side for s in by['one box']):.0f} | {_mean(s.side for s in by['per class']):.0f} | "
                             f"{ran['one box']} | {ran['per class']} |")
    return lines


def report(scores: list[Score], tasks: list[Task], header: list[str], previous: str | None) -> str:
    datasets = [t.dataset for t in tasks]
    lines = ["# Multi-class references: one box around all classes, or one box per class?", "", *header, "",
             "## Dice per task (mean over classes)", "", *task_table(scores, datasets), "",
             "## Per class", "", "Side: the reference box's side (one box: around all classes; per class: around "
             "that class). Focused: predictions whose focused pass ran (a query box smaller than the volume).", "",
             *class_table(scores, datasets), ""]
    return with_conclusion(lines, previous)


def with_conclusion(lines: list[str], previous: str | None) -> str:
    """The report ``lines`` joined, followed by the ``## Conclusion`` section of ``previous`` (the report
    they replace) where it has one: a rewritten report keeps what was concluded from it."""
    if previous and CONCLUSION in previous:
        lines = [*lines, previous[previous.index(CONCLUSION):].rstrip(), ""]
    return "\n".join(lines)


def by_class(scores: list, datasets: list[str]):
    """``(dataset, class, scores of that class)`` for each class of each dataset, classes in first-seen order."""
    for dataset in datasets:
        rows = [s for s in scores if s.dataset == dataset]
        for c in dict.fromkeys(s.class_name for s in rows):
            yield dataset, c, [s for s in rows if s.class_name == c]


def write_report(out: Path, render) -> None:
    """Writes ``render(previous)`` to ``out``, ``previous`` being the report already there (or None), so that
    a rewritten report can keep what it wants of the old one (its conclusion)."""
    previous = out.read_text() if out.exists() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(previous))


def score_one_shot_queries(predictor, task: Task, seed: int, draws: int, compare, log=print) -> list:
    """``compare(predictor, task, reference, query, features, draw)`` (a list of scores) for every query of
    ``task`` with its first ``draws`` one-shot references, the query's image encoded once."""
    scores = []
    for i, query in enumerate(task.queries):
        t0 = time.time()
        features = predictor.encode_image(query.image)
        for d, reference in enumerate(one_shot_references(task, i, seed, draws)):
            scores += compare(predictor, task, reference, query, features, d)
        log(f"  {task.dataset}: query {i + 1}/{len(task.queries)} {query.name} in {time.time() - t0:.1f}s")
    return scores


@dataclass(frozen=True)
class Measured:
    """What a one-shot measurement over the unseen suite ran: the model, the tasks, every score, how long
    it took and the command line's arguments."""

    loaded: object
    tasks: list
    scores: list
    seconds: float
    command: str


def measure_unseen(module: str, args: argparse.Namespace, argv, compare) -> Measured:
    """:func:`score_one_shot_queries` with ``compare`` on the unseen tasks named by ``args.tasks``."""
    torch.set_num_threads(args.threads)
    t0 = time.time()
    loaded = load_predictor(args.model)
    tasks = unseen_tasks(args.data, [t.strip() for t in args.tasks.split(",") if t.strip()], seed=args.seed)
    scores = []
    for task in tasks:
        print(f"{task.dataset}: {len(task.queries)} queries, {len(task.references)} references", flush=True)
        scores += score_one_shot_queries(loaded.predictor, task, args.seed, args.draws, compare,
                                         log=lambda m: print(m, flush=True))
    command = f"python -m {module} " + " ".join(argv if argv is not None else __import__("sys").argv[1:])
    return Measured(loaded, tasks, scores, time.time() - t0, command)


def measurement_parser(module: str, doc: str, tasks: str) -> argparse.ArgumentParser:
    """The arguments every focus measurement takes: model, data, report, tasks, draws, seed, threads."""
    p = argparse.ArgumentParser(prog=f"python -m {module}", description=doc.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="exported model directory, model.pt or run directory")
    p.add_argument("--data", type=Path, default=heldout.default_data_root())
    p.add_argument("--out", type=Path, required=True, help="Markdown report")
    p.add_argument("--tasks", default=tasks)
    p.add_argument("--draws", type=int, default=3, help="one-shot references per query (the evaluation's default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    return p


def parse_args(argv=None) -> argparse.Namespace:
    p = measurement_parser("irisseg.evaluation.box_choice", __doc__, "thalamus,totalseg,hippocampus")
    p.add_argument("--hippocampus-queries", type=int, default=10)
    p.add_argument("--pool", type=int, default=20, help="hippocampus reference pool (the evaluation's default)")
    p.add_argument("--copy-tests", type=int, default=10, help="queries per task with a copy test")
    return p.parse_args(argv)


def main(argv=None) -> list[Score]:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    loaded = load_predictor(args.model)
    names = [t.strip() for t in args.tasks.split(",") if t.strip()]
    tasks = unseen_tasks(args.data, [n for n in names if n != "hippocampus"], seed=args.seed)
    if "hippocampus" in names:
        tasks.append(heldout.hippocampus_task(args.data, args.hippocampus_queries, args.pool, args.seed))
    settings = Settings(seed=args.seed)
    scores = []
    for task in tasks:
        print(f"{task.dataset}: {len(task.queries)} queries, {len(task.references)} references", flush=True)
        scores += run_task(loaded.predictor, task, settings, args.draws, args.copy_tests,
                           log=lambda m: print(m, flush=True))
    seconds = time.time() - t0
    header = [f"Model: `{loaded.source}` ({loaded.version}).", "",
              "Command: `python -m irisseg.evaluation.box_choice " + " ".join(argv if argv is not None else
                                                                             __import__("sys").argv[1:]) + "`", "",
              f"{args.draws} one-shot reference draws per query (the evaluation's draws; draw 0 is its "
              f"`focused_one_shot`), hippocampus: first {args.hippocampus_queries} validation queries, pool of "
              f"{args.pool}; copy test: the crop-only variant (`copy_test_crop`) of the first {args.copy_tests} "
              f"queries of each task. {args.threads} torch thread(s), {seconds / 60:.1f} min, load average "
              f"{os.getloadavg()[0]:.1f} at the end.", "",
              "- plain: one-shot, reference encoded whole, query decoded whole (no focus);",
              "- plain, classes apart: the same embedding, each class decoded alone (a control: the decoder sees "
              "the classes of a task together; the task encoder encodes each class alone);",
              "- one box: locate, then focus with one box around all classes (`irisseg.boxes`, the service's policy);",
              "- per class: locate, then focus with one box per class: its own reference box, embedding, coarse "
              "pass, query box and focused pass (`per_class_focused_prediction`)."]
    write_report(args.out, lambda previous: report(scores, tasks, header, previous))
    print(f"wrote {args.out} in {seconds:.0f}s")
    return scores


if __name__ == "__main__":
    main()

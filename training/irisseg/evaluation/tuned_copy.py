"""The copy test with the embedding fitted to its own reference: can the decoder draw an unseen structure at
all, and does what fits the reference carry over to the same scan re-cropped and re-posed?

    python -m irisseg.evaluation.tuned_copy --model ../models/iris-small-finetune \
        --out reports/finetune/tuned_copy.md

For the first ``--queries`` queries of each unseen-suite task (the copy test's subjects and transforms, as
:func:`irisseg.evaluation.runner.copy_transforms` draws them with the same seeds), the query's own scan and
masks are the reference. Its embedding is scored plain, and again after in-context tuning on that one
reference (:func:`irisseg.evaluation.tuning.tune_embedding`: Adam on the embedding alone, the model frozen,
one run for each of the ``--steps`` counts, ``--lr``), on:
- ``self``: the reference image itself as the query (nothing moves): how well the embedding fits;
- the copy test's variants: ``copy_test`` (mirrored, or turned 180 degrees for left/right classes),
  ``copy_test_crop`` (cropped alone) and ``copy_test_permuted`` (axes permuted).
Tuning that lifts ``self`` but not the variants says the features of one tissue differ across crops and
poses: no embedding found from the reference would pass the copy test, and the image encoder is the limit.
Tuning that lifts neither says the decoder cannot draw the structure at this grid from any embedding.
Hard Dice (probabilities >= 0.5) at the query's own resolution, mean over the classes.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from irisseg.evaluation import heldout
from irisseg.evaluation.box_choice import with_conclusion, write_report
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.copytest import copy_query
from irisseg.evaluation.loading import load_predictor
from irisseg.evaluation.metrics import binarise, dice
from irisseg.evaluation.runner import Settings, copy_transforms
from irisseg.evaluation.strategies import decode
from irisseg.evaluation.tuning import tune_embedding
from irisseg.evaluation.unseen import UNSEEN_TASKS, unseen_tasks

SELF = "self"
PLAIN = "plain"


@dataclass(frozen=True)
class Row:
    task: str
    query: str
    view: str  #: ``self`` or a copy-test variant
    embedding: str  #: ``plain`` or ``tuned_<steps>``
    dice: float


def mean_class_dice(probabilities: np.ndarray, masks: np.ndarray) -> float:
    """Hard Dice per class (``probabilities``, ``masks`` ``[K, X, Y, Z]``), averaged over the classes."""
    return float(np.mean([dice(binarise(p), m) for p, m in zip(probabilities, masks)]))


def tuned_embeddings(predictor, reference: Subject, plain: torch.Tensor, steps: Sequence[int], lr: float
                     ) -> dict[str, torch.Tensor]:
    """``plain [K, E]`` and, for each count in ``steps``, the embedding tuned from it on ``reference`` for
    that many steps (one run per count), as ``{"plain": ..., "tuned_<n>": ...}``."""
    if list(steps) != sorted(set(steps)) or any(s < 0 for s in steps):
        raise ValueError(f"steps must be distinct, increasing and not negative, got {list(steps)}")
    out = {PLAIN: plain}
    for n in steps:
        out[f"tuned_{n}"] = tune_embedding(predictor, [reference], plain, steps=n, lr=lr).embedding if n else plain
    return out


def probe_query(predictor, task: Task, query: Subject, i: int, settings: Settings, steps: Sequence[int],
                lr: float) -> list[Row]:
    """Rows for query ``i`` of ``task`` (its own scan as the reference): every embedding of
    :func:`tuned_embeddings` on ``self`` and on each copy-test variant. ``[]`` when a class is empty."""
    if not all(m.any() for m in query.masks):
        return []
    with torch.no_grad():
        plain = predictor.encode_reference(query.image, query.masks).detach().float().cpu()
    embeddings = tuned_embeddings(predictor, query, plain, steps, lr)
    views = [(SELF, query)] + [(name, copy_query(query, t)) for name, t in copy_transforms(task, query, settings, i)]
    rows = []
    for view, subject in views:
        features = predictor.encode_image(subject.image)
        rows += [Row(task.dataset, query.name, view, name, mean_class_dice(decode(predictor, features, e), subject.masks))
                 for name, e in embeddings.items()]
    return rows


def probe(predictor, tasks: Sequence[Task], queries: int, steps: Sequence[int], lr: float, settings: Settings,
          log: Callable[[str], None] = print) -> list[Row]:
    """:func:`probe_query` on the first ``queries`` queries of each task."""
    rows = []
    for task in tasks:
        for i, query in enumerate(task.queries[:queries]):
            t0 = time.time()
            rows += probe_query(predictor, task, query, i, settings, steps, lr)
            log(f"  {task.dataset} {query.name}: {time.time() - t0:.0f}s")
    return rows


def report(rows: list[Row], header: list[str], previous: str | None) -> str:
    """A table per (task, query) and the means over them, views as rows and embeddings as columns."""
    embeddings = list(dict.fromkeys(r.embedding for r in rows))
    views = list(dict.fromkeys(r.view for r in rows))
    table = {(r.task, r.query, r.view, r.embedding): r.dice for r in rows}
    cases = list(dict.fromkeys((r.task, r.query) for r in rows))
    head = ["| task | query | view | " + " | ".join(embeddings) + " |", "|---|---|---|" + "---|" * len(embeddings)]
    lines = ["# The copy test with the embedding tuned on its own reference", "", *header, "",
             f"## Mean over {len(cases)} queries", "", "| view | " + " | ".join(embeddings) + " |",
             "|---|" + "---|" * len(embeddings)]
    for view in views:
        means = [np.mean([table[(t, q, view, e)] for t, q in cases if (t, q, view, e) in table]) for e in embeddings]
        lines.append(f"| {view} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
    lines += ["", "## Per query", "", *head]
    for t, q in cases:
        lines += [f"| {t} | {q} | {view} | " + " | ".join(f"{table[(t, q, view, e)]:.3f}" for e in embeddings) + " |"
                  for view in views if (t, q, view, embeddings[0]) in table]
    lines.append("")
    return with_conclusion(lines, previous)


def main(argv=None) -> list[Row]:
    p = argparse.ArgumentParser(prog="python -m irisseg.evaluation.tuned_copy", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, required=True, help="exported model directory, model.pt or run directory")
    p.add_argument("--out", type=Path, required=True, help="Markdown report")
    p.add_argument("--data-root", type=Path, default=heldout.default_data_root())
    p.add_argument("--tasks", default=",".join(UNSEEN_TASKS), help=f"among {', '.join(UNSEEN_TASKS)}")
    p.add_argument("--queries", type=int, default=1, help="copy tests per task (the first queries)")
    p.add_argument("--steps", default="20,100", help="tuning step counts to score, increasing")
    p.add_argument("--lr", type=float, default=Settings.tune_lr)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    loaded = load_predictor(args.model)
    steps = [int(s) for s in args.steps.split(",") if s]
    tasks = unseen_tasks(args.data_root, [n for n in args.tasks.split(",") if n], seed=args.seed)
    rows = probe(loaded.predictor, tasks, args.queries, steps, args.lr, Settings(seed=args.seed))
    command = " ".join(argv if argv is not None else sys.argv[1:])
    header = [f"Model: `{args.model}` ({loaded.version}). Command: `python -m irisseg.evaluation.tuned_copy {command}`", "",
              f"{args.threads} torch thread(s), {(time.time() - t0) / 60:.1f} min, load average "
              f"{os.getloadavg()[0]:.1f} at the end. Hard Dice at the query's resolution, mean over classes; "
              f"`tuned_<n>`: the plain embedding after n Adam steps (lr {args.lr}) on the reference alone, the "
              f"model frozen; `self`: the reference image as the query."]
    write_report(args.out, lambda previous: report(rows, header, previous))
    print(f"wrote {args.out}")
    return rows


if __name__ == "__main__":
    main()

"""Runs every strategy (and the floor, the copy test and the honesty checks) on the queries of a
task and returns one score row per (query, class, strategy, draw).

Every reference is encoded once. Query ``i`` draws from its own pool, ``task.reference_indices``
(every reference but the query itself: leave-one-out when queries are references too), in a seeded
permutation ``perm_i`` of that pool:
- one-shot draw ``d`` uses ``perm_i[d]``; the floor uses the same reference masks (paired);
- context ensemble ``N`` uses ``perm_i[:N]`` (so ``ensemble_1`` is one-shot draw 0); sizes larger
  than the pool are skipped;
- retrieval (pools of 2 or more): coarse prediction with the mean of the query's pool, then the
  ``k`` most similar pool embeddings per class, ``k = min(retrieval_k, pool - 1)`` so that
  retrieval always chooses (with ``k`` = the pool it would be the pool's ensemble);
- copy test (first ``copy_tests`` queries): the query's own scan and masks are the reference and the
  query is that scan re-cropped and re-oriented (:mod:`irisseg.evaluation.copytest`): ``copy_test``
  (a random crop keeping the structure, mirrored; rotated by 180 degrees for left/right classes),
  ``copy_test_crop`` (the same crop alone) and, with ``copy_permuted``, ``copy_test_permuted`` (the
  same crop turned by a 90-degree rotation: axes permuted); ``copy_draws`` independent crops and
  poses per query (the row's ``draw``), pooled in the summary;
- locate-then-focus (``focus``; :mod:`irisseg.evaluation.focus`): ``focused_one_shot`` uses one-shot
  draw 0's reference encoded inside its box, then a coarse and a focused pass on the query;
  ``focused_copy_test`` is the copy test's mirrored variant seen the same way;
- grid ceiling (:mod:`irisseg.evaluation.ceiling`, no model): the query's own masks sent through the
  model grid and back, ``grid_ceiling`` for the whole query and, with ``focus``,
  ``focused_grid_ceiling`` inside the box around them: the best any weights could score;
- memory bank (``memory_bank``): where the loaded model has a bank entry for every class of the task
  (classes seen in training), the prediction from those entries with no reference at all;
- in-context tuning is a property of the references, not of the query: ``tune_sets`` fixed sets of
  ``tune_refs`` references are tuned once each (one set when the pool is no larger); query ``i``
  uses set ``i % tune_sets``. ``tuned_init`` scores the same set's plain mean embedding (the paired
  baseline of ``tuned``). Only where every query shares the whole pool, and on unseen tasks only
  with ``tune_unseen``.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import torch

from irisseg.evaluation import honesty
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.ceiling import focused_grid_ceiling, grid_ceiling
from irisseg.evaluation.focus import focused_embedding, focused_prediction
from irisseg.evaluation.copytest import Reorientation, copy_query, is_lateral, random_crop, random_orientation
from irisseg.evaluation.metrics import score_masks
from irisseg.evaluation.strategies import (
    ReferencePool,
    context_ensemble,
    copied_mask_floor,
    decode,
    memory_bank_embedding,
    object_retrieval,
    one_shot,
)
from irisseg.evaluation.tuning import TuningResult, tune_embedding

FLOOR = "floor"
MEMORY_BANK = "memory_bank"
ONE_SHOT = "one_shot"
RETRIEVAL = "retrieval"
TUNED = "tuned"
TUNED_INIT = "tuned_init"
CHECK_SWAP_SWAPPED = "check_swap_vs_swapped_truth"
CHECK_SWAP_ORIGINAL = "check_swap_vs_original_truth"
CHECK_WRONG = "check_wrong_reference"
CHECK_BLANK = "check_blank_reference"
COPY_TEST = "copy_test"
COPY_TEST_CROP = "copy_test_crop"
COPY_TEST_PERMUTED = "copy_test_permuted"
FOCUSED_ONE_SHOT = "focused_one_shot"
FOCUSED_COPY_TEST = "focused_copy_test"
GRID_CEILING = "grid_ceiling"
FOCUSED_GRID_CEILING = "focused_grid_ceiling"


def ensemble_name(n: int) -> str:
    return f"ensemble_{n}"


@dataclass
class Settings:
    """How much of each strategy to run (``quick()`` for CI-sized runs)."""

    one_shot_draws: int = 3
    ensemble_sizes: tuple[int, ...] = (1, 3, 5, 10)
    retrieval_k: int = 5
    tune_sets: int = 2
    tune_refs: int = 5
    tune_steps: int = 20
    tune_lr: float = 1e-2
    honesty_queries: int = 10
    copy_tests: int = 10
    copy_draws: int = 1
    copy_permuted: bool = True
    focus: bool = True
    tune_unseen: bool = False
    seed: int = 0

    @classmethod
    def quick(cls) -> "Settings":
        return cls(one_shot_draws=2, tune_sets=1, tune_steps=8, honesty_queries=3, copy_tests=3)


@dataclass
class Row:
    """One score: a query's class under one strategy (``draw`` numbers one-shot/floor draws)."""

    dataset: str
    class_name: str
    strategy: str
    case: str
    draw: int
    dice: float
    iou: float
    hd95_mm: float
    asd_mm: float
    status: str
    unseen: bool


@dataclass
class TaskResult:
    rows: list[Row] = field(default_factory=list)
    tuning: list[dict] = field(default_factory=list)
    tuned_embeddings: list[torch.Tensor] = field(default_factory=list)
    retrieval_picks: list[dict] = field(default_factory=list)
    references_used: dict[str, list[str]] = field(default_factory=dict)
    example: dict | None = None
    seconds: float = 0.0


def _score(task: Task, query: Subject, strategy: str, probs: np.ndarray, draw: int = 0, truth=None) -> list[Row]:
    truth = query.masks if truth is None else truth
    rows = []
    for k, name in enumerate(task.class_names):
        s = score_masks(probs[k] > 0.5 if probs.dtype != bool else probs[k], truth[k], query.spacing)
        rows.append(Row(task.dataset, name, strategy, query.name, draw, s.dice, s.iou, s.hd95_mm, s.asd_mm,
                        s.status, task.unseen))
    return rows


def tune_sets(predictor, task: Task, pool: ReferencePool, settings: Settings, log: Callable[[str], None]
              ) -> list[tuple[list[int], TuningResult]]:
    """The fixed reference sets and their tuned embeddings."""
    out = []
    size = min(settings.tune_refs, len(pool))
    count = settings.tune_sets if len(pool) > size else 1  # a pool no larger than a set: one set
    for s in range(count):
        rng = np.random.default_rng([settings.seed, 1000 + s])
        idx = sorted(int(i) for i in rng.choice(len(pool), size=size, replace=False))
        t0 = time.time()
        result = tune_embedding(predictor, [pool.subjects[i] for i in idx], pool.mean(idx),
                                steps=settings.tune_steps, lr=settings.tune_lr)
        log(f"  {task.dataset}: tuned set {s} ({size} refs, {settings.tune_steps} steps): loss "
            f"{result.loss_before:.4f} -> {result.loss_after:.4f} in {time.time() - t0:.0f}s")
        out.append((idx, result))
    return out


def copy_transforms(task: Task, query: Subject, settings: Settings, i: int, draw: int = 0
                    ) -> list[tuple[str, Reorientation]]:
    """The copy-test variants of query ``i`` (strategy name, transform), all on one seeded crop; ``draw``
    numbers independent crops and poses of the same query (draw 0 is the one every earlier report used)."""
    rng = np.random.default_rng([settings.seed, 2000 + i] if draw == 0 else [settings.seed, 2000 + i, draw])
    box = random_crop(query.masks.any(axis=0), rng)
    lateral = is_lateral(task.class_names)
    variants = [(COPY_TEST, Reorientation(box, *random_orientation(rng, lateral))),
                (COPY_TEST_CROP, Reorientation(box, (False, False, False), (0, 1, 2)))]
    if settings.copy_permuted:
        variants.append((COPY_TEST_PERMUTED, Reorientation(box, *random_orientation(rng, lateral, permute=True))))
    return variants


def copy_test_rows(predictor, task: Task, query: Subject, features, settings: Settings, i: int) -> list[Row]:
    """The copy test of ``query`` (its own scan as reference): every variant of :func:`copy_transforms`
    for each of ``settings.copy_draws`` draws (the row's ``draw``); ``[]`` when a class of the query is
    empty (nothing to copy)."""
    if not all(m.any() for m in query.masks):
        return []
    with torch.no_grad():
        embedding = predictor.encode_reference(query.image, query.masks, features=features).detach().float().cpu()
    focused, side = focused_embedding(predictor, query) if settings.focus else (None, None)
    rows = []
    for d in range(settings.copy_draws):
        for strategy, t in copy_transforms(task, query, settings, i, d):
            copy = copy_query(query, t, suffix=t.describe())
            copy_features = predictor.encode_image(copy.image)
            rows += _score(task, copy, strategy, decode(predictor, copy_features, embedding), d)
            if focused is not None and strategy == COPY_TEST:
                rows += _score(task, copy, FOCUSED_COPY_TEST,
                               focused_prediction(predictor, copy, copy_features, focused, side), d)
    return rows


def _tunes(task: Task, settings: Settings) -> bool:
    return settings.tune_sets > 0 and task.shared_pool and (settings.tune_unseen or not task.unseen)


def run_task(predictor, task: Task, settings: Settings, wrong: Subject | None = None,
             log: Callable[[str], None] = print, memory_bank: dict | None = None) -> TaskResult:
    """Every strategy on every query of ``task``; see the module docstring for reference choice.
    ``memory_bank``: ``id -> Tensor[E]`` (see :class:`irisseg.evaluation.loading.LoadedModel`)."""
    t_start = time.time()
    result = TaskResult()
    encoded = ReferencePool(predictor, task.references)
    log(f"  {task.dataset}: {len(encoded)} references encoded in {time.time() - t_start:.0f}s")
    tuned = tune_sets(predictor, task, encoded, settings, log) if _tunes(task, settings) else []
    for idx, t in tuned:
        result.tuning.append({"references": [encoded.subjects[i].name for i in idx], "steps": settings.tune_steps,
                              "lr": settings.tune_lr, "loss_before": t.loss_before, "loss_after": t.loss_after,
                              "step_losses": t.losses})
        result.tuned_embeddings.append(t.embedding)
    built_in = memory_bank_embedding(memory_bank or {}, task.dataset, task.class_names)
    checks = task.num_classes >= 2 and not task.unseen  # the reference checks run on the trained task
    blank = honesty.blank_embedding(predictor, encoded.subjects[0].image, task.num_classes) if checks else None
    wrong_emb = (honesty.wrong_embedding(predictor, wrong)
                 if checks and wrong is not None and wrong.num_classes == task.num_classes else None)
    for i, query in enumerate(task.queries):
        t0 = time.time()
        features = predictor.encode_image(query.image)
        allowed = task.reference_indices(query)
        pool = encoded if len(allowed) == len(encoded) else encoded.subset(allowed)
        result.references_used[query.name] = [s.name for s in pool.subjects]
        perm = np.random.default_rng([settings.seed, i]).permutation(len(pool))
        rows = result.rows
        draw0 = None
        for d in range(min(settings.one_shot_draws, len(pool))):
            probs = one_shot(predictor, features, pool, int(perm[d]))
            draw0 = probs if d == 0 else draw0
            rows += _score(task, query, ONE_SHOT, probs, d)
            floor = copied_mask_floor(pool.subjects[int(perm[d])].masks, query.image.shape)
            rows += _score(task, query, FLOOR, floor, d)
        rows += ceiling_rows(task, query, int(predictor.grid[0]), settings.focus)
        if settings.focus and len(pool):
            focused, side = focused_embedding(predictor, pool.subjects[int(perm[0])])
            rows += _score(task, query, FOCUSED_ONE_SHOT, focused_prediction(predictor, query, features, focused, side))
        ensembles = {}
        for n in settings.ensemble_sizes:
            if n > len(pool):
                continue
            probs = draw0 if n == 1 and draw0 is not None else context_ensemble(predictor, features, pool, perm[:n])
            ensembles[n] = probs
            rows += _score(task, query, ensemble_name(n), probs)
        if len(pool) >= 2:
            k = min(settings.retrieval_k, len(pool) - 1)
            retrieved = object_retrieval(predictor, query.image, features, pool, pool.mean(), k)
            rows += _score(task, query, RETRIEVAL, retrieved.probabilities)
            result.retrieval_picks.append({"case": query.name, "chosen": [[pool.subjects[j].name for j in c]
                                                                           for c in retrieved.chosen]})
        if built_in is not None:
            rows += _score(task, query, MEMORY_BANK, decode(predictor, features, built_in))
        if tuned:
            idx, t = tuned[i % len(tuned)]
            rows += _score(task, query, TUNED_INIT, decode(predictor, features, encoded.mean(idx)))
            rows += _score(task, query, TUNED, decode(predictor, features, t.embedding))
        if checks and i < settings.honesty_queries:
            ref = pool.subjects[int(perm[0])]
            swapped = decode(predictor, features, honesty.swapped_embedding(predictor, ref))
            rows += _score(task, query, CHECK_SWAP_SWAPPED, swapped, truth=query.masks[::-1])
            rows += _score(task, query, CHECK_SWAP_ORIGINAL, swapped)
            rows += _score(task, query, CHECK_BLANK, decode(predictor, features, blank))
            if wrong_emb is not None:
                rows += _score(task, query, CHECK_WRONG, decode(predictor, features, wrong_emb))
        if i < settings.copy_tests:
            rows += copy_test_rows(predictor, task, query, features, settings, i)
        if i == 0:
            best = ensembles.get(5, ensembles.get(max(ensembles), draw0)) if ensembles else draw0
            result.example = {"dataset": task.dataset, "case": query.name, "image": query.image,
                              "truth": query.masks, "prediction": best,
                              "floor": copied_mask_floor(pool.subjects[int(perm[0])].masks, query.image.shape),
                              "class_names": task.class_names}
        log(f"  {task.dataset}: query {i + 1}/{len(task.queries)} {query.name} ({len(pool)} references) "
            f"in {time.time() - t0:.1f}s")
    result.seconds = time.time() - t_start
    return result


def ceiling_rows(task: Task, query: Subject, grid: int, focus: bool) -> list[Row]:
    """The query's own masks through the model grid (``grid_ceiling``) and, with ``focus``, through the grid
    inside the box around them (``focused_grid_ceiling``): no model (:mod:`irisseg.evaluation.ceiling`)."""
    rows = _score(task, query, GRID_CEILING, grid_ceiling(query.masks, grid))
    if focus and query.masks.any():
        rows += _score(task, query, FOCUSED_GRID_CEILING, focused_grid_ceiling(query.masks, query.spacing, grid))
    return rows


def rows_as_dicts(rows: list[Row]) -> list[dict]:
    return [asdict(r) for r in rows]

"""``python -m irisseg.evaluate``: score a trained model on the held-out subjects with every
inference strategy and write the report under ``reports/``.

    python -m irisseg.evaluate --checkpoint runs/small/model.pt --config configs/small.yaml --out reports/
    python -m irisseg.evaluate --checkpoint ../models/iris-small --out reports/     # exported TorchScript
    python -m irisseg.evaluate --random-init --config configs/demo.yaml --quick --out /tmp/eval
    python -m irisseg.evaluate --checkpoint ../models/iris-small --tasks unseen --out /tmp/eval-unseen

``--tasks unseen`` is the unseen-structure suite (:mod:`irisseg.evaluation.unseen`): thalamus, BraTS
whole tumour, TotalSegmentator organs across CT and MR, fetal corpus callosum.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import torch

from irisseg.config import load_config, preset
from irisseg.evaluation import ablations, heldout
from irisseg.evaluation.ablations import ABLATIONS
from irisseg.evaluation.loading import load_predictor
from irisseg.evaluation.report import write_report
from irisseg.evaluation.runner import Settings, run_task
from irisseg.evaluation.summary import headline, summarise
from irisseg.evaluation.tuning import save_embedding
from irisseg.evaluation.unseen import UNSEEN_TASKS, unseen_tasks

TASKS = ("hippocampus", *UNSEEN_TASKS)
#: Names for several tasks at once in ``--tasks``.
TASK_GROUPS = {"unseen": UNSEEN_TASKS, "all": TASKS}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m irisseg.evaluate", description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path, help="model.pt, a run directory, or an exported model directory")
    src.add_argument("--random-init", action="store_true", help="an untrained model of --config (wiring check)")
    p.add_argument("--config", type=Path, default=None, help="YAML config (model for --random-init, fallback otherwise)")
    p.add_argument("--out", type=Path, default=Path("reports"))
    p.add_argument("--data-root", type=Path, default=heldout.default_data_root())
    p.add_argument("--quick", action="store_true", help="a handful of subjects and fewer draws/steps (CI size)")
    p.add_argument("--tasks", default="all",
                   help=f"comma-separated subset of {','.join(TASKS)}, or unseen (the unseen suite) or all")
    p.add_argument("--queries", type=int, default=None, help="hippocampus queries (default: all 40, --quick: 5)")
    p.add_argument("--pool", type=int, default=None, help="hippocampus reference pool (default 20, --quick: 10)")
    p.add_argument("--draws", type=int, default=None, help="one-shot draws per query")
    p.add_argument("--tune-steps", type=int, default=None)
    p.add_argument("--tune-sets", type=int, default=None)
    p.add_argument("--copy-draws", type=int, default=None,
                   help="independent crops and poses per copy-test query (default 1)")
    p.add_argument("--tune-unseen", action="store_true", help="in-context tuning on unseen tasks too (slower)")
    p.add_argument("--ablate", default="",
                   help=f"comma-separated inference-time ablations, any of {', '.join(ABLATIONS)} "
                        "(irisseg.evaluation.ablations)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    s = Settings.quick() if args.quick else Settings()
    s.seed = args.seed
    if args.draws is not None:
        s.one_shot_draws = args.draws
    if args.tune_steps is not None:
        s.tune_steps = args.tune_steps
    if args.tune_sets is not None:
        s.tune_sets = args.tune_sets
    if args.copy_draws is not None:
        if args.copy_draws < 1:
            raise SystemExit("--copy-draws must be at least 1")
        s.copy_draws = args.copy_draws
    s.tune_unseen = bool(args.tune_unseen)
    return s


def task_names(spec: str) -> list[str]:
    """``--tasks`` -> task names in :data:`TASKS` order (groups expanded)."""
    names = set()
    for t in (t.strip() for t in spec.split(",") if t.strip()):
        if t in TASK_GROUPS:
            names.update(TASK_GROUPS[t])
        elif t in TASKS:
            names.add(t)
        else:
            raise SystemExit(f"unknown task {t!r}; known: {', '.join(TASKS)}, or {', '.join(TASK_GROUPS)}")
    return [t for t in TASKS if t in names]


def build_tasks(args: argparse.Namespace, log) -> list:
    names = task_names(args.tasks)
    tasks = []
    if "hippocampus" in names:
        queries = args.queries if args.queries is not None else (5 if args.quick else None)
        pool = args.pool if args.pool is not None else (10 if args.quick else 20)
        tasks.append(heldout.hippocampus_task(args.data_root, queries, pool, args.seed))
    tasks += unseen_tasks(args.data_root, [n for n in names if n in UNSEEN_TASKS], args.quick, args.seed, log)
    for t in tasks:
        log(f"  {t.dataset}: {len(t.queries)} queries, {len(t.references)} references ({t.notes})")
    return tasks


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    load_start = os.getloadavg()[0]
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    t0 = time.time()
    config = load_config(args.config) if args.config else (preset("small") if args.random_init else None)
    loaded = load_predictor(None if args.random_init else args.checkpoint, config, seed=args.seed)
    log(f"model: {loaded.source} ({loaded.version})")
    ablated = [a.strip() for a in args.ablate.split(",") if a.strip()]
    try:
        loaded.predictor = ablations.apply(loaded.predictor, ablated, log)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    if not args.data_root.exists():
        raise SystemExit(f"data root {args.data_root} not found")
    settings = settings_from(args)
    tasks = build_tasks(args, log)
    timings = {"reading data": time.time() - t0}
    wrong = heldout.wrong_reference(args.data_root) if any(not t.unseen for t in tasks) else None
    rows, tuning, example, pools = [], {}, None, {}
    for task in tasks:
        result = run_task(loaded.predictor, task, settings, wrong=wrong, log=log, memory_bank=loaded.memory_bank)
        rows += result.rows
        pools[task.dataset] = result.references_used
        tuning[task.dataset] = result.tuning
        timings[task.dataset] = result.seconds
        example = example or result.example
        if result.tuned_embeddings:
            save_embedding(args.out / "embeddings", result.tuned_embeddings[0], task.class_names, loaded.version,
                           name=f"{task.dataset}_tuned", extra={
                               "dataset": task.dataset, "references": result.tuning[0]["references"],
                               "source": "in-context tuning (irisseg.evaluation.tuning)",
                               "steps": settings.tune_steps, "lr": settings.tune_lr})
    timings["total"] = time.time() - t0
    load_end = os.getloadavg()[0]
    summaries = summarise(rows)
    header = {
        "model": loaded.source,
        "model_version": loaded.version,
        "training": {k: v for k, v in loaded.meta.items() if isinstance(v, (int, float, str))},
        "memory_bank_classes": sorted(loaded.memory_bank),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hardware": (f"{platform.machine()}, {os.cpu_count()} CPU cores visible, {args.threads} torch threads, "
                     f"torch {torch.__version__}; load average {load_start:.1f} at start, {load_end:.1f} at end "
                     "(other jobs on the machine slow the wall times down)"),
        "quick": bool(args.quick),
        "ablations": ablated,
        "settings": asdict(settings),
        "tasks": {t.dataset: {"queries": [q.name for q in t.queries], "references": len(t.references),
                              "unseen": t.unseen, "notes": t.notes,
                              **({} if t.shared_pool else {"reference_pools": pools[t.dataset]})} for t in tasks},
        "command": "python -m irisseg.evaluate " + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
    }
    head = headline(summaries)
    paths = write_report(args.out, rows, summaries, head, header, tuning, timings, example)
    log(f"wrote {', '.join(str(p) for p in paths.values())} in {timings['total']:.0f}s")
    return head


if __name__ == "__main__":
    main()

"""Dice per episode kind on the training distribution: does the model segment the tasks it is trained on,
and can it reproduce its own reference?

    python -m irisseg.evaluation.episode_dice --model ../models/iris-small-finetune \
        --out reports/finetune/episode_dice.md

Draws ``--episodes`` episodes of each kind of ``--config`` (``irisseg.data.episodes``: real, supervoxels,
lesions, shapes, synthseg; from the training pack, seeded) and scores, per valid class with voxels in the
target, the hard Dice (logits > 0) on the model grid:
- ``query``: the episode as trained (the query's masks; voxels of unseen structures ignored);
- ``reference as query``: the reference image itself as the query, scored against the reference's own
  masks. Nothing moves and nothing is new: a model that reads its reference reproduces the mask, so this
  is the copy test at its easiest, on the grid, with no resampling.

For a model with the prototype-matching refiner (:mod:`irisseg.model.prototypes`), both are scored again with
the refiner switched off (the decoder's own logits): how much of what the model reads from its reference
goes through that path. And once more from prototype matching alone, with no learned layer after it: a voxel
is foreground where its features are closer (cosine) to the class's foreground prototype than to its
background prototype, summed over the prototype scales. It tells whether the refiner uses what the
prototypes hold (matching alone below the model) or whether the mean prototypes themselves cannot tell the
target from the rest (matching alone, and the model, low).

The training loss per kind (``kind_loss.csv``) says whether a kind is being learned; these Dice say how far
it is from solved. A ``## Conclusion`` section already in ``--out`` is kept when the report is rewritten.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from irisseg.config import load_config
from irisseg.data.episodes import EpisodeSampler
from irisseg.data.tasks import KINDS
from irisseg.evaluation.box_choice import with_conclusion, write_report
from irisseg.model.prototypes import similarity_maps


@dataclass(frozen=True)
class KindScore:
    """Mean hard Dice of one kind over ``classes`` scored classes of ``episodes`` episodes."""

    kind: str
    episodes: int
    classes: int
    query: float
    reference_as_query: float
    #: the same with the prototype refiner off (None: the model has none)
    query_without_prototypes: float | None = None
    reference_as_query_without_prototypes: float | None = None
    #: prototype matching alone (:func:`matching_logits`; None: the model has no prototypes)
    query_matching: float | None = None
    reference_as_query_matching: float | None = None


def load_model(path: Path):
    """The eager model of an exported directory (its weights) or of a ``model.pt`` / run directory."""
    path = Path(path)
    if (path / "model.json").exists():
        from irisseg.focus_vectors import predictor_from_export

        return predictor_from_export(path).model.eval()
    from irisseg.weights import load_model as load_checkpoint

    return load_checkpoint(path / "model.pt" if path.is_dir() else path)[0].eval()


def model_version(path: Path) -> str:
    """`` (<version>)`` of an exported model directory, ``""`` for weights files."""
    card = Path(path) / "model.json"
    return f" ({json.loads(card.read_text())['version']})" if card.exists() else ""


def class_dice(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, ignore: torch.Tensor) -> list[float]:
    """Hard Dice per valid class with voxels in ``target`` (``logits``, ``target`` ``[K, G, G, G]``,
    ``ignore`` ``[G, G, G]``: voxels left out)."""
    keep = ignore < 0.5
    out = []
    for k in range(target.shape[0]):
        t = (target[k] > 0.5) & keep
        if not bool(valid[k]) or not bool(t.any()):
            continue
        p = (logits[k] > 0) & keep
        out.append(2.0 * float((p & t).sum()) / float(p.sum() + t.sum()))
    return out


def sampler_for(cfg, kind: str, base_dir: Path | None, split: str = "train",
                synthetic_only: bool = False) -> EpisodeSampler:
    """Episodes of ``kind`` alone, with ``cfg``'s data settings otherwise."""
    one = copy.deepcopy(cfg)
    one.data.kind_weights = {kind: 1.0}
    return EpisodeSampler.from_config(one, base_dir=base_dir, split=split, synthetic_only=synthetic_only)


def matching_logits(model, features: list[torch.Tensor], embedding: torch.Tensor) -> torch.Tensor:
    """[B, K, G, G, G]: prototype matching alone, sum over the prototype scales of cos(f, fg) - cos(f, bg)
    (``features`` of the query, ``embedding`` [B, K, E] with its prototypes after the tokens); > 0 where a
    voxel is closer to the foreground prototype. The model must have a prototype refiner."""
    refiner = model.decoder.refiner
    b, k = embedding.shape[0], embedding.shape[1]
    size = [int(n) for n in features[0].shape[2:]]
    sims = similarity_maps(features, embedding[:, :, model.decoder.token_dim:], refiner.scale_ids, refiner.widths, size)
    return (sims[:, 0::2] - sims[:, 1::2]).sum(dim=1).reshape([b, k] + size)


class _NoRefiner(torch.nn.Module):
    """The decoder's own logits: the prototype refiner switched off."""

    def forward(self, logits, features, protos):
        return logits


def score_kind(model, sampler: EpisodeSampler, kind: str, episodes: int, seed: int = 0) -> KindScore:
    """Both Dice of ``episodes`` episodes drawn from ``sampler`` with generators ``[seed, i]``, and where the
    model has a prototype refiner, again without it and from prototype matching alone."""
    query, own = _dice(model, sampler, episodes, seed)
    refiner = getattr(model.decoder, "refiner", None)
    without = matching = (None, None)
    if refiner is not None:
        matching = tuple(mean_dice(v) for v in _dice(model, sampler, episodes, seed, matching=True))
        model.decoder.refiner = _NoRefiner()
        try:
            without = tuple(mean_dice(v) for v in _dice(model, sampler, episodes, seed))
        finally:
            model.decoder.refiner = refiner
    return KindScore(kind, episodes, len(query), mean_dice(query), mean_dice(own), *without, *matching)


def mean_dice(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def _dice(model, sampler: EpisodeSampler, episodes: int, seed: int,
          matching: bool = False) -> tuple[list[float], list[float]]:
    """Dice of the queries and of the references as queries; with ``matching``, of :func:`matching_logits`."""
    def predict(image, embedding):
        features = model.encode_image(image[None])
        return matching_logits(model, features, embedding) if matching else model.decode(features, embedding)[0]

    query, own = [], []
    for i in range(episodes):
        ep = sampler(np.random.default_rng([seed, i]))
        ignore = ep.get("query_ignore", torch.zeros_like(ep["query_image"]))[0]
        with torch.no_grad():
            embedding = model.encode_task(model.encode_image(ep["ref_image"][None]), ep["ref_masks"][None])
            query += class_dice(predict(ep["query_image"], embedding)[0], ep["query_masks"], ep["class_valid"], ignore)
            own += class_dice(predict(ep["ref_image"], embedding)[0], ep["ref_masks"], ep["class_valid"],
                              torch.zeros_like(ignore))
    return query, own


def report(scores: list[KindScore], header: list[str], previous: str | None) -> str:
    def f(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    lines = ["# Dice per episode kind: the tasks the model is trained on, and its own reference as the query", "",
             *header, "", "| kind | episodes | classes scored | query | reference as query | "
             "query, prototype refiner off | reference as query, refiner off | "
             "query, prototype matching alone | reference as query, matching alone |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {s.kind} | {s.episodes} | {s.classes} | {f(s.query)} | {f(s.reference_as_query)} | "
              f"{f(s.query_without_prototypes)} | {f(s.reference_as_query_without_prototypes)} | "
              f"{f(s.query_matching)} | {f(s.reference_as_query_matching)} |" for s in scores]
    lines.append("")
    return with_conclusion(lines, previous)


def episode_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The arguments every per-kind measurement on the training episodes takes (this module's and
    :mod:`irisseg.evaluation.prototype_matching`)."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--model", type=Path, required=True, help="exported model directory, model.pt or run directory")
    p.add_argument("--config", type=Path, default=Path("configs/finetune.yaml"), help="the episode mix to draw from")
    p.add_argument("--out", type=Path, required=True, help="Markdown report")
    p.add_argument("--episodes", type=int, default=48, help="episodes per kind")
    p.add_argument("--split", default="train", choices=("train", "validation"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    return p


def score_every_kind(args: argparse.Namespace, model, score: Callable) -> list:
    """``score(model, sampler, kind, episodes, seed)`` for each kind of ``args.config`` that can be drawn,
    printed as it comes."""
    cfg = load_config(args.config)
    scores = []
    for kind in KINDS:
        sampler = sampler_for(cfg, kind, args.config.resolve().parent.parent, args.split)
        if kind not in sampler.kinds:
            continue
        scores.append(score(model, sampler, kind, args.episodes, args.seed))
        print(scores[-1], flush=True)
    return scores


def report_header(module: str, args: argparse.Namespace, argv, started: float, episodes_note: str,
                  method: str) -> list[str]:
    """The report's opening lines: model and version, episodes, command, threads, time and load, ``method``."""
    command = " ".join(argv if argv is not None else sys.argv[1:])
    return [f"Model: `{args.model}`{model_version(args.model)}. Episodes: `{args.config}`, {args.split} split, "
            f"seed {args.seed}{episodes_note}.", "",
            f"Command: `python -m {module} {command}`", "",
            f"{args.threads} torch thread(s), {(time.time() - started) / 60:.1f} min, load average "
            f"{os.getloadavg()[0]:.1f} at the end. {method}"]


def main(argv=None) -> list[KindScore]:
    args = episode_parser("python -m irisseg.evaluation.episode_dice", __doc__.split("\n\n")[0]).parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model = load_model(args.model)
    scores = score_every_kind(args, model, score_kind)
    header = report_header("irisseg.evaluation.episode_dice", args, argv, t0, "",
                           "Hard Dice (logits > 0) on the model grid, mean over the scored classes (valid, with voxels "
                           "in the target); query: the episode as trained, unseen structures ignored; reference as "
                           "query: the reference image as the query, against its own masks.")
    write_report(args.out, lambda previous: report(scores, header, previous))
    print(f"wrote {args.out}")
    return scores

if __name__ == "__main__":
    main()

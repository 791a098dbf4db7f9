"""How well prototype matching alone separates a target, with the two mean prototypes the model uses and with
local prototypes (SSL-ALPNet's adaptive local prototype pooling, Ouyang et al. 2020): measured on the
model's own features, no training.

    python -m irisseg.evaluation.prototype_matching --model ../models/iris-small-finetune \
        --out reports/finetune/prototype_matching.md

The model's refiner (:mod:`irisseg.model.prototypes`) compares each query voxel with one foreground and one
background prototype per scale: the reference's mean features inside and outside the class mask. The
background of a volume is many tissues, and its mean is none of them; a supervoxel's mean is close to every
region of its intensity. Local prototypes keep the parts apart: the reference's features and mask are
average-pooled in windows (``WINDOWS`` per axis on each scale finer than that, else every voxel); a window
whose mask fraction is at least ``FOREGROUND_FRACTION`` is a foreground prototype, one at most
``BACKGROUND_FRACTION`` a background prototype, and the two means join them. A query voxel is foreground
where its largest cosine similarity to a foreground prototype exceeds its largest to a background one.

For each episode kind of ``--config`` (as :mod:`irisseg.evaluation.episode_dice` draws them, same seeds) the
hard Dice on the model grid of: mean matching over the model's prototype scales (what the refiner reads),
local matching at each encoder scale, and local matching summed over the model's prototype scales; each
for the query and for the reference itself as the query. If local matching scores far above mean matching,
local prototypes in the embedding are worth their size; if not, the features themselves are the limit.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from irisseg.evaluation.box_choice import with_conclusion, write_report
from irisseg.evaluation.episode_dice import (class_dice, episode_parser, load_model, mean_dice, report_header,
                                             score_every_kind)
from irisseg.model.preprocess import trilinear

#: Pooling windows per axis on scales finer than this (coarser scales: every voxel is a window).
WINDOWS = 8
#: A window is a foreground prototype from this mask fraction on (SSL-ALPNet uses 0.95 at 2D).
FOREGROUND_FRACTION = 0.5
#: ... and a background prototype up to this one.
BACKGROUND_FRACTION = 0.05


def local_prototypes(features: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """features [C, n, n, n], mask [G, G, G] (binary, not empty) -> (foreground [P, C], background [Q, C]):
    the windows' mean features where their mask fraction qualifies, each set with its global mean first."""
    n = features.shape[1]
    m = F.adaptive_avg_pool3d(mask[None, None].float(), [n, n, n])[0]  # [1, n, n, n]
    window = max(1, n // WINDOWS)
    f_sum = F.avg_pool3d((features * m)[None], window)[0].flatten(1)  # [C, P]
    b_sum = F.avg_pool3d((features * (1 - m))[None], window)[0].flatten(1)
    frac = F.avg_pool3d(m[None], window)[0].flatten()  # [P]
    fg = f_sum[:, frac >= FOREGROUND_FRACTION] / frac[frac >= FOREGROUND_FRACTION]
    bg_keep = frac <= BACKGROUND_FRACTION
    bg = b_sum[:, bg_keep] / (1 - frac[bg_keep])
    w = m.flatten()
    f = features.flatten(1)
    fg_mean = (f * w).sum(1, keepdim=True) / w.sum().clamp_min(1e-6)
    bg_mean = (f * (1 - w)).sum(1, keepdim=True) / (1 - w).sum().clamp_min(1e-6)
    return torch.cat([fg_mean, fg], dim=1).T, torch.cat([bg_mean, bg], dim=1).T


def match(features: torch.Tensor, foreground: torch.Tensor, background: torch.Tensor, size: list[int]) -> torch.Tensor:
    """[*size]: max cosine similarity of each query voxel (features [C, n, n, n]) to a foreground prototype
    minus its max to a background one, trilinearly up-sampled to ``size``."""
    q = F.normalize(features.flatten(1), dim=0)  # [C, V]
    best = [(F.normalize(p, dim=1) @ q).max(dim=0).values for p in (foreground, background)]
    diff = (best[0] - best[1]).reshape(features.shape[1:])
    return trilinear(diff[None, None], size)[0, 0]


@dataclass(frozen=True)
class MatchingScore:
    """Mean hard Dice of one kind, ``(query, reference as query)`` per method."""

    kind: str
    classes: int
    mean: tuple[float, float]
    local_by_scale: tuple[tuple[float, float], ...]
    local: tuple[float, float]


def score_kind(model, sampler, kind: str, episodes: int, seed: int = 0) -> MatchingScore:
    """Dice of every method on ``episodes`` episodes drawn with generators ``[seed, i]`` (episode_dice's)."""
    scales = model.decoder.refiner.scale_ids
    dice: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    n_scales = 0
    for i in range(episodes):
        ep = sampler(np.random.default_rng([seed, i]))
        ignore = ep.get("query_ignore", torch.zeros_like(ep["query_image"]))[0]
        with torch.no_grad():
            ref = model.encode_image(ep["ref_image"][None])
            n_scales = len(ref)
            views = [(model.encode_image(ep["query_image"][None]), ep["query_masks"], ignore),
                     (ref, ep["ref_masks"], torch.zeros_like(ignore))]
            size = list(ep["ref_masks"].shape[1:])
            for k in range(ep["ref_masks"].shape[0]):
                if not bool(ep["class_valid"][k]) or not bool((ep["ref_masks"][k] > 0.5).any()):
                    continue
                mask = ep["ref_masks"][k] > 0.5
                protos = [local_prototypes(ref[s][0], mask) for s in range(n_scales)]
                for v, (features, target, ign) in enumerate(views):
                    maps = {f"local_{s}": match(features[s][0], *protos[s], size) for s in range(n_scales)}
                    maps["local"] = sum(maps[f"local_{s}"] for s in scales)
                    maps["mean"] = sum(match(features[s][0], protos[s][0][:1], protos[s][1][:1], size) for s in scales)
                    for name, logit in maps.items():
                        dice[name][v].extend(class_dice(logit[None], target[k:k + 1], torch.tensor([True]), ign))
    mean = {m: (mean_dice(q), mean_dice(r)) for m, (q, r) in dice.items()}
    return MatchingScore(kind, len(dice["mean"][0]), mean["mean"],
                         tuple(mean[f"local_{s}"] for s in range(n_scales)), mean["local"])


def report(scores: list[MatchingScore], scales: list[int], header: list[str], previous: str | None) -> str:
    def pair(v: tuple[float, float]) -> str:
        return f"{v[0]:.3f} / {v[1]:.3f}"

    n_scales = len(scores[0].local_by_scale) if scores else 0
    columns = ["mean prototypes (the model's)", f"local, scales {', '.join(map(str, scales))}"] + \
        [f"local, scale {s}" for s in range(n_scales)]
    lines = ["# Prototype matching alone: mean against local prototypes", "", *header, "",
             "| kind | classes scored | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    lines += [f"| {s.kind} | {s.classes} | {pair(s.mean)} | {pair(s.local)} | "
              + " | ".join(pair(v) for v in s.local_by_scale) + " |" for s in scores]
    lines.append("")
    return with_conclusion(lines, previous)


def main(argv=None) -> list[MatchingScore]:
    p = episode_parser("python -m irisseg.evaluation.prototype_matching", __doc__.split("\n\n")[0])
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model = load_model(args.model)
    if getattr(model.decoder, "refiner", None) is None:
        p.error(f"{args.model} has no prototype path")
    scores = score_every_kind(args, model, score_kind)
    header = report_header(
        "irisseg.evaluation.prototype_matching", args, argv, t0, " (the episodes of `episode_dice`)",
        "Hard Dice on the model grid, mean over the scored classes, as `query / reference as query`. No learned "
        "layer after the matching: a voxel is foreground where it is closer (cosine) to a foreground prototype "
        f"than to every background one. Local prototypes: windows of the reference ({WINDOWS} per axis on finer "
        f"scales, single voxels on coarser ones) with a mask fraction of at least {FOREGROUND_FRACTION} "
        f"(foreground) or at most {BACKGROUND_FRACTION} (background), plus the two means.")
    write_report(args.out, lambda previous: report(scores, model.decoder.refiner.scale_ids, header, previous))
    print(f"wrote {args.out}")
    return scores

if __name__ == "__main__":
    main()

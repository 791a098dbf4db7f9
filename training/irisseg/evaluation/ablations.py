"""Inference-time ablations for ``python -m irisseg.evaluate --ablate ...``: the same weights with one
part of the network switched off or constrained, to find what the copy test depends on.

- ``zero-positions``: every learned position embedding (the task encoder's context fusion, the
  decoder's fusion layers) set to zero, so nothing but the features says where a voxel lies;
- ``flip-average``: image features averaged over the 8 mirrorings of the input,
  ``f(x) = mean_S flip_S(E(flip_S x))`` over every subset ``S`` of the three axes, which makes them
  exactly mirror-equivariant (``f(flip_a x) = flip_a f(x)``) at 8 times the encoder's cost.

Each changes the predictor in place and returns it; the weights on disk are not touched.
"""
from __future__ import annotations

import itertools
from typing import Iterable

import numpy as np
import torch

from irisseg.predictor import IrisPredictor, QueryFeatures

ZERO_POSITIONS = "zero-positions"
FLIP_AVERAGE = "flip-average"
ABLATIONS = (ZERO_POSITIONS, FLIP_AVERAGE)


def _modules(predictor: IrisPredictor) -> list[torch.nn.Module]:
    """The predictor's network modules: one ``nn.Module`` (eager) or the loaded TorchScript modules."""
    mods = predictor.modules
    return [mods] if isinstance(mods, torch.nn.Module) else list(vars(mods).values())


def zero_positions(predictor: IrisPredictor) -> tuple[IrisPredictor, int]:
    """Zero every parameter whose name ends in ``position``; returns the predictor and how many."""
    count = 0
    with torch.no_grad():
        for module in _modules(predictor):
            for name, p in module.named_parameters():
                if name.endswith("position"):
                    p.zero_()
                    count += 1
    return predictor, count


def flip_average(predictor: IrisPredictor, axes: Iterable[int] = (0, 1, 2)) -> IrisPredictor:
    """Replace ``predictor.encode_image`` by its average over the mirrorings along every subset of
    ``axes`` (volume axes of ``[X, Y, Z]``; the feature maps ``[1, C, n, n, n]`` are mirrored back)."""
    axes = tuple(axes)
    subsets = [s for r in range(len(axes) + 1) for s in itertools.combinations(axes, r)]
    encode = predictor.encode_image

    @torch.no_grad()
    def encode_image(image) -> QueryFeatures:
        image = np.asarray(image.cpu() if torch.is_tensor(image) else image, dtype=np.float32)
        total, size = None, None
        for s in subsets:
            out = encode(np.ascontiguousarray(np.flip(image, s)) if s else image)
            maps = [torch.flip(m, [2 + a for a in s]) if s else m for m in out.maps]
            total = maps if total is None else [t + m for t, m in zip(total, maps)]
            size = out.size
        return QueryFeatures(maps=tuple(t / len(subsets) for t in total), size=size)

    predictor.encode_image = encode_image
    return predictor


def apply(predictor: IrisPredictor, names: Iterable[str], log=print) -> IrisPredictor:
    """Apply the named ablations in order (unknown names raise ``ValueError``)."""
    for name in names:
        if name == ZERO_POSITIONS:
            predictor, count = zero_positions(predictor)
            log(f"ablation {name}: {count} position embedding(s) zeroed")
        elif name == FLIP_AVERAGE:
            predictor = flip_average(predictor)
            log(f"ablation {name}: image features averaged over the 8 mirrorings of the input")
        else:
            raise ValueError(f"unknown ablation {name!r}; known: {', '.join(ABLATIONS)}")
    return predictor

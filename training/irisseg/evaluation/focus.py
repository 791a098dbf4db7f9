"""Locate, then focus (:mod:`irisseg.boxes`), with the modules as exported today: the reference is
encoded from a box around its mask; the query is segmented whole with that embedding (coarse pass),
then again inside a box of the reference box's physical size around what it found (focused pass),
pasted back into the coarse probabilities.

Scored beside the whole-volume strategies, it measures what encoding in physical boxes is worth
before the export contract moves the boxes inside the modules.

A multi-class reference is encoded inside one box around all its classes (the policy of
:mod:`irisseg.boxes`); :func:`per_class_focused_prediction` is the alternative it was measured against
(one box, one embedding and one query box per class; :mod:`irisseg.evaluation.box_choice`).

The query's focused pass runs in one box around everything the coarse pass found;
:func:`per_candidate_focused_prediction` is the alternative of one focused pass per candidate
(:func:`irisseg.boxes.query_boxes`; :mod:`irisseg.evaluation.candidate_boxes`), and
:func:`windowed_locate_and_focus` adds overlapping windows of the reference box's side where the target
is larger than that box allows (:func:`irisseg.boxes.query_windows`; measured in
:mod:`irisseg.evaluation.window_boxes`): that is the service's policy and :func:`focused_prediction`'s;
:func:`locate_and_focus` is the one grown box it was measured against.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from irisseg import boxes
from irisseg.evaluation.cases import Subject
from irisseg.evaluation.strategies import decode


def focused_embedding(predictor, reference: Subject) -> tuple[torch.Tensor, float]:
    """Embedding ``[K, E]`` of ``reference`` encoded inside its box, and the box side in mm."""
    box = boxes.reference_box(reference.masks, reference.spacing)
    image = np.ascontiguousarray(reference.image[box.slices()])
    masks = np.ascontiguousarray(reference.masks[(slice(None), *box.slices())])
    with torch.no_grad():
        embedding = predictor.encode_reference(image, masks).detach().float().cpu()
    return embedding, boxes.side_mm(reference.masks.any(axis=0), reference.spacing)


@dataclass(frozen=True)
class FocusedPass:
    """What locate, then focus computed for one query: the coarse probabilities ``[K, X, Y, Z]`` (the whole
    query), the query box (``None`` when the coarse pass found nothing) and the final probabilities (the
    focused pass pasted into the coarse ones; the coarse ones where there was no box or it was the whole
    volume)."""

    coarse: np.ndarray
    box: boxes.Box | None
    probabilities: np.ndarray


def locate_and_focus(predictor, query: Subject, features, embedding: torch.Tensor, side: float) -> FocusedPass:
    """The coarse pass on ``features`` (the whole query), then the focused pass where it found something."""
    coarse = decode(predictor, features, embedding)
    box = boxes.query_box(coarse, query.spacing, side)
    if box is None or box.covers(query.image.shape):
        return FocusedPass(coarse, box, coarse)
    crop = np.ascontiguousarray(query.image[box.slices()])
    focused = decode(predictor, predictor.encode_image(crop), embedding)
    return FocusedPass(coarse, box, boxes.paste(coarse, focused, box))


def focused_prediction(predictor, query: Subject, features, embedding: torch.Tensor, side: float) -> np.ndarray:
    """Probabilities ``[K, X, Y, Z]`` as the service computes them: the coarse pass on ``features`` (the
    whole query), then the focused passes where it found something, in one box or, for a target larger
    than the reference box allows, in overlapping windows (:func:`windowed_locate_and_focus`); the coarse
    pass alone where it found nothing."""
    return windowed_locate_and_focus(predictor, query, features, embedding, side).probabilities


@dataclass(frozen=True)
class ClassFocus:
    """Locate, then focus for one class of a reference seen alone: its reference box, the box side in mm,
    and the query's pass with that class's embedding (probabilities ``[1, X, Y, Z]``)."""

    reference_box: boxes.Box
    side: float
    focused: FocusedPass


def class_reference(reference: Subject, k: int) -> Subject:
    """``reference`` with the mask of class ``k`` alone (``masks[k:k+1]``)."""
    return Subject(reference.name, reference.image, reference.masks[k:k + 1], reference.spacing)


def per_class_locate_and_focus(predictor, reference: Subject, query: Subject, features) -> list[ClassFocus]:
    """One box per class: class ``k`` of ``reference`` gets its own reference box and embedding, then its
    own coarse pass on ``features`` (the whole query), query box and focused pass (see
    :func:`locate_and_focus`). An evaluation variant: the service and training use one box around all
    classes (:mod:`irisseg.boxes`). Like the predictor, it needs every class present in the reference."""
    out = []
    for k in range(reference.num_classes):
        single = class_reference(reference, k)
        embedding, side = focused_embedding(predictor, single)
        out.append(ClassFocus(boxes.reference_box(single.masks, single.spacing), side,
                              locate_and_focus(predictor, query, features, embedding, side)))
    return out


def per_class_focused_prediction(predictor, reference: Subject, query: Subject, features) -> np.ndarray:
    """Probabilities ``[K, X, Y, Z]``: the per-class passes of :func:`per_class_locate_and_focus`, stacked."""
    passes = per_class_locate_and_focus(predictor, reference, query, features)
    return np.concatenate([p.focused.probabilities for p in passes], axis=0)


@dataclass(frozen=True)
class CandidatePass:
    """Locate, then focus on each candidate: the coarse probabilities ``[K, X, Y, Z]``, the query boxes
    (:func:`irisseg.boxes.query_boxes`; ``[]`` when the coarse pass found nothing) and the final
    probabilities (each box's focused pass pasted into the coarse ones; a box that is the whole volume
    keeps the coarse ones)."""

    coarse: np.ndarray
    boxes: list[boxes.Box]
    probabilities: np.ndarray

    @property
    def focused(self) -> int:
        """How many focused passes ran (boxes smaller than the volume)."""
        return sum(not b.covers(self.coarse.shape[1:]) for b in self.boxes)


def per_candidate_locate_and_focus(predictor, query: Subject, features, embedding: torch.Tensor,
                                   side: float) -> CandidatePass:
    """The coarse pass on ``features`` (the whole query), then one focused pass per query box, each with
    ``embedding``, pasted into the coarse probabilities (the boxes do not overlap). An evaluation variant:
    the service focuses on one box around everything found (:func:`locate_and_focus`)."""
    coarse = decode(predictor, features, embedding)
    found = boxes.query_boxes(coarse, query.spacing, side)
    probabilities = coarse
    for box in found:
        if box.covers(query.image.shape):
            continue
        crop = np.ascontiguousarray(query.image[box.slices()])
        probabilities = boxes.paste(probabilities, decode(predictor, predictor.encode_image(crop), embedding), box)
    return CandidatePass(coarse, found, probabilities)


def per_candidate_focused_prediction(predictor, query: Subject, features, embedding: torch.Tensor,
                                     side: float) -> np.ndarray:
    """Probabilities ``[K, X, Y, Z]``: :func:`per_candidate_locate_and_focus` (same inputs as
    :func:`focused_prediction`; with one candidate, the same result)."""
    return per_candidate_locate_and_focus(predictor, query, features, embedding, side).probabilities


def windowed_locate_and_focus(predictor, query: Subject, features, embedding: torch.Tensor,
                              side: float) -> CandidatePass:
    """The coarse pass on ``features`` (the whole query), then one focused pass per window of
    :func:`irisseg.boxes.query_windows`, each with ``embedding``, averaged where windows overlap and pasted
    into the coarse probabilities (a window that is the whole volume keeps the coarse ones). With one
    window it is :func:`locate_and_focus`. The service's policy (:func:`focused_prediction`)."""
    coarse = decode(predictor, features, embedding)
    windows = boxes.query_windows(coarse, query.spacing, side)
    passes = []
    for box in windows:
        if box.covers(query.image.shape):
            continue
        crop = np.ascontiguousarray(query.image[box.slices()])
        passes.append((box, decode(predictor, predictor.encode_image(crop), embedding)))
    return CandidatePass(coarse, windows, boxes.paste_windows(coarse, passes) if passes else coarse)

"""Locate, then focus, with a tiny real predictor: shapes, the paste, the whole-volume fallback."""
from __future__ import annotations

import numpy as np

from irisseg import boxes
from irisseg.evaluation.cases import Subject
from irisseg.evaluation.focus import focused_embedding, focused_prediction, locate_and_focus
from irisseg.evaluation.strategies import decode
from tests.evaluation.helpers import predictor, two_ball_subject  # noqa: F401 (fixture)


def large_subject(name: str, seed: int) -> Subject:
    """Two balls in a 100 mm field of view: their box (48 mm) is smaller than the volume."""
    small = two_ball_subject(name, seed)
    image = np.full((100, 100, 60), 10.0, dtype=np.float32)
    masks = np.zeros((2, 100, 100, 60), dtype=bool)
    image[40:60, 40:62, 20:38] = small.image
    masks[:, 40:60, 40:62, 20:38] = small.masks
    return Subject(name, image, masks, (1.0, 1.0, 1.0))


def test_the_reference_is_encoded_inside_its_box(predictor):
    reference = large_subject("r", 1)
    embedding, side = focused_embedding(predictor, reference)
    box = boxes.reference_box(reference.masks, reference.spacing)
    assert side == boxes.MIN_SIDE_MM and not box.covers(reference.image.shape)
    whole = predictor.encode_reference(reference.image, reference.masks)
    assert embedding.shape == whole.shape and not np.allclose(embedding.numpy(), whole.numpy())


def test_the_focused_pass_changes_only_its_box_and_keeps_the_query_grid(predictor):
    reference, query = large_subject("r", 1), large_subject("q", 2)
    embedding, side = focused_embedding(predictor, reference)
    features = predictor.encode_image(query.image)
    coarse = decode(predictor, features, embedding)
    probs = focused_prediction(predictor, query, features, embedding, side)
    assert probs.shape == (2, *query.image.shape)
    box = boxes.query_box(coarse, query.spacing, side)
    if box is None:
        np.testing.assert_array_equal(probs, coarse)
    else:
        outside = np.ones(query.image.shape, dtype=bool)
        outside[box.slices()] = False
        np.testing.assert_array_equal(probs[:, outside], coarse[:, outside])


def test_locate_and_focus_reports_the_coarse_pass_and_the_query_box_it_focused_on(predictor):
    reference, query = large_subject("r", 1), large_subject("q", 2)
    embedding, side = focused_embedding(predictor, reference)
    features = predictor.encode_image(query.image)
    result = locate_and_focus(predictor, query, features, embedding, side)
    np.testing.assert_array_equal(result.coarse, decode(predictor, features, embedding))
    assert result.box == boxes.query_box(result.coarse, query.spacing, side)
    np.testing.assert_array_equal(result.probabilities, focused_prediction(predictor, query, features, embedding, side))

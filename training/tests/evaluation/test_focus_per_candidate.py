"""One focused pass per candidate (an evaluation variant of locate, then focus), with a tiny real predictor."""
from __future__ import annotations

import numpy as np

from irisseg import boxes
from irisseg.evaluation.focus import (
    focused_embedding,
    focused_prediction,
    per_candidate_focused_prediction,
    per_candidate_locate_and_focus,
)
from irisseg.evaluation.strategies import decode
from tests.evaluation.helpers import predictor  # noqa: F401 (fixture)
from tests.evaluation.test_focus import large_subject


def test_with_one_candidate_it_is_the_one_box_pipeline_exactly(predictor):
    reference, query = large_subject("r", 5), large_subject("q", 6)  # the micro model finds one candidate here
    embedding, side = focused_embedding(predictor, reference)
    features = predictor.encode_image(query.image)
    found = boxes.query_boxes(decode(predictor, features, embedding), query.spacing, side)
    assert len(found) == 1 and not found[0].covers(query.image.shape)
    np.testing.assert_array_equal(per_candidate_focused_prediction(predictor, query, features, embedding, side),
                                  focused_prediction(predictor, query, features, embedding, side))


def test_outside_its_boxes_it_keeps_the_coarse_pass(predictor):
    reference, query = large_subject("r", 5), large_subject("q", 6)
    embedding, side = focused_embedding(predictor, reference)
    result = per_candidate_locate_and_focus(predictor, query, predictor.encode_image(query.image), embedding, side)
    assert result.boxes == boxes.query_boxes(result.coarse, query.spacing, side) and result.focused == 1
    outside = np.ones(query.image.shape, dtype=bool)
    for box in result.boxes:
        outside[box.slices()] = False
    np.testing.assert_array_equal(result.probabilities[:, outside], result.coarse[:, outside])
    assert not np.array_equal(result.probabilities, result.coarse)


def test_when_the_coarse_pass_finds_nothing_it_is_the_coarse_pass(predictor):
    reference, query = large_subject("r", 1), large_subject("q", 2)  # the micro model finds nothing here
    embedding, side = focused_embedding(predictor, reference)
    result = per_candidate_locate_and_focus(predictor, query, predictor.encode_image(query.image), embedding, side)
    assert result.boxes == [] and result.focused == 0
    np.testing.assert_array_equal(result.probabilities, result.coarse)

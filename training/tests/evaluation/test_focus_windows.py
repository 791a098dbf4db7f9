"""Overlapping windows over a large target (an evaluation variant of locate, then focus), with a tiny
real predictor."""
from __future__ import annotations

import numpy as np

from irisseg import boxes
from irisseg.evaluation.box_choice import CONCLUSION, score_one_shot_queries
from irisseg.evaluation.focus import focused_embedding, locate_and_focus, windowed_locate_and_focus
from irisseg.evaluation.strategies import decode
from irisseg.evaluation.window_boxes import VARIANTS, compare, report
from tests.evaluation.helpers import predictor, tiny_task  # noqa: F401 (fixture)
from tests.evaluation.test_focus import large_subject


def test_with_one_window_it_is_the_one_box_pipeline_exactly(predictor):
    reference, query = large_subject("r", 5), large_subject("q", 6)
    embedding, side = focused_embedding(predictor, reference)
    features = predictor.encode_image(query.image)
    assert len(boxes.query_windows(decode(predictor, features, embedding), query.spacing, side)) == 1
    np.testing.assert_array_equal(windowed_locate_and_focus(predictor, query, features, embedding, side).probabilities,
                                  locate_and_focus(predictor, query, features, embedding, side).probabilities)


def test_a_side_smaller_than_the_target_runs_several_windows_and_keeps_the_coarse_pass_outside(predictor):
    reference, query = large_subject("r", 5), large_subject("q", 6)
    embedding, _ = focused_embedding(predictor, reference)
    features = predictor.encode_image(query.image)
    side = 1.5 * boxes.extent_mm((decode(predictor, features, embedding) > boxes.FOUND_THRESHOLD).any(axis=0),
                                 query.spacing)
    result = windowed_locate_and_focus(predictor, query, features, embedding, side)
    assert len(result.boxes) > 1 and result.focused == len(result.boxes)
    outside = np.ones(query.image.shape, dtype=bool)
    for box in result.boxes:
        outside[box.slices()] = False
    np.testing.assert_array_equal(result.probabilities[:, outside], result.coarse[:, outside])
    assert not np.array_equal(result.probabilities, result.coarse)


def test_every_class_of_every_query_and_draw_is_scored_under_every_variant(predictor):
    task = tiny_task(queries=2, references=3)
    scores = score_one_shot_queries(predictor, task, 0, 2, compare, log=lambda m: None)
    assert len(scores) == 2 * 2 * task.num_classes
    assert all(set(s.dice) == set(VARIANTS) and all(0.0 <= d <= 1.0 for d in s.dice.values()) for s in scores)
    assert all(s.windows <= boxes.MAX_WINDOWS for s in scores)


def test_a_rewritten_window_report_keeps_its_conclusion(predictor):
    task = tiny_task(queries=1, references=2)
    scores = score_one_shot_queries(predictor, task, 0, 1, compare, log=lambda m: None)
    previous = report(scores, [task], ["old header"], None) + f"\n{CONCLUSION}\n\nOne box.\n"
    rewritten = report(scores, [task], ["new header"], previous)
    assert "new header" in rewritten and "old header" not in rewritten
    assert rewritten.rstrip().endswith(f"{CONCLUSION}\n\nOne box.")

"""The one-box against per-candidate comparison on a tiny task with a tiny real predictor."""
from __future__ import annotations

from irisseg.evaluation.box_choice import CONCLUSION, score_one_shot_queries
from irisseg.evaluation.candidate_boxes import VARIANTS, compare, report
from tests.evaluation.helpers import predictor, tiny_task  # noqa: F401 (fixture)


def test_every_class_of_every_query_and_draw_is_scored_under_every_variant(predictor):
    task = tiny_task(queries=2, references=3)
    scores = score_one_shot_queries(predictor, task, 0, 2, compare, log=lambda m: None)
    assert len(scores) == 2 * 2 * task.num_classes
    assert all(set(s.dice) == set(VARIANTS) and all(0.0 <= d <= 1.0 for d in s.dice.values()) for s in scores)
    assert all(s.boxes[v] <= max(s.candidates, 1) and s.focused[v] <= s.boxes[v] for s in scores for v in s.boxes)
    assert all(s.truth_parts == 1 for s in scores)


def test_a_rewritten_report_keeps_its_conclusion(predictor):
    task = tiny_task(queries=1, references=2)
    scores = score_one_shot_queries(predictor, task, 0, 1, compare, log=lambda m: None)
    previous = report(scores, [task], ["old header"], None) + f"\n{CONCLUSION}\n\nOne box.\n"
    rewritten = report(scores, [task], ["new header"], previous)
    assert "new header" in rewritten and "old header" not in rewritten
    assert rewritten.rstrip().endswith(f"{CONCLUSION}\n\nOne box.")

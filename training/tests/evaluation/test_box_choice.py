"""The box-choice comparison on a tiny task with a tiny real predictor."""
from __future__ import annotations

from irisseg.evaluation.box_choice import CONCLUSION, VARIANTS, report, run_task
from irisseg.evaluation.runner import Settings
from tests.evaluation.helpers import predictor, tiny_task  # noqa: F401 (fixture)


def test_every_class_of_every_query_is_scored_under_every_variant_one_shot_and_in_the_copy_test(predictor):
    task = tiny_task(queries=2, references=3)
    scores = run_task(predictor, task, Settings(), draws=2, copy_tests=1, log=lambda m: None)
    one_shot = [s for s in scores if s.mode == "one-shot"]
    copy = [s for s in scores if s.mode == "copy test"]
    assert len(one_shot) == 2 * 2 * task.num_classes * len(VARIANTS)
    assert len(copy) == 1 * task.num_classes * len(VARIANTS) and {s.case.split("~")[0] for s in copy} == {"q0"}
    assert all(0.0 <= s.dice <= 1.0 for s in scores)


def test_a_rewritten_report_keeps_its_conclusion(predictor):
    task = tiny_task(queries=1, references=2)
    scores = run_task(predictor, task, Settings(), draws=1, copy_tests=0, log=lambda m: None)
    previous = report(scores, [task], ["old header"], None) + f"\n{CONCLUSION}\n\nOne box.\n"
    rewritten = report(scores, [task], ["new header"], previous)
    assert "new header" in rewritten and "old header" not in rewritten
    assert rewritten.rstrip().endswith(f"{CONCLUSION}\n\nOne box.")

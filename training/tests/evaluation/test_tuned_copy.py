"""The copy test with a tuned embedding: what is scored, that zero steps change nothing, the report."""
import numpy as np
import pytest
import torch

from irisseg.evaluation.cases import Subject
from irisseg.evaluation.runner import COPY_TEST, COPY_TEST_CROP, COPY_TEST_PERMUTED, Settings
from irisseg.evaluation.strategies import ReferencePool
from irisseg.evaluation.tuned_copy import PLAIN, SELF, Row, probe, probe_query, report, tuned_embeddings
from irisseg.evaluation.tuning import tune_embedding

from .helpers import predictor, tiny_task  # noqa: F401  (fixture)


def test_every_embedding_is_scored_on_the_reference_itself_and_on_each_copy_variant(predictor):
    task = tiny_task(queries=1)
    rows = probe_query(predictor, task, task.queries[0], 0, Settings(), steps=(2, 4), lr=5e-2)
    assert {(r.view, r.embedding) for r in rows} == {
        (v, e) for v in (SELF, COPY_TEST, COPY_TEST_CROP, COPY_TEST_PERMUTED) for e in (PLAIN, "tuned_2", "tuned_4")}
    assert len(rows) == 12 and all(0.0 <= r.dice <= 1.0 for r in rows)


def test_zero_tuning_steps_score_exactly_as_the_plain_embedding(predictor):
    task = tiny_task(queries=1)
    rows = probe_query(predictor, task, task.queries[0], 0, Settings(), steps=(0,), lr=5e-2)
    by = {(r.view, r.embedding): r.dice for r in rows}
    for view in (SELF, COPY_TEST, COPY_TEST_CROP, COPY_TEST_PERMUTED):
        assert by[(view, "tuned_0")] == by[(view, PLAIN)]


def test_each_step_count_is_its_own_tuning_run_from_the_plain_embedding(predictor):
    task = tiny_task(references=1)
    reference = task.references[0]
    plain = ReferencePool(predictor, [reference]).mean()
    out = tuned_embeddings(predictor, reference, plain, (3, 6), lr=5e-2)
    assert torch.equal(out[PLAIN], plain)
    assert torch.allclose(out["tuned_3"], tune_embedding(predictor, [reference], plain, steps=3, lr=5e-2).embedding)
    assert not torch.allclose(out["tuned_3"], plain) and not torch.allclose(out["tuned_6"], out["tuned_3"])


def test_step_counts_out_of_order_are_refused(predictor):
    reference = tiny_task(references=1).references[0]
    plain = ReferencePool(predictor, [reference]).mean()
    with pytest.raises(ValueError, match="increasing"):
        tuned_embeddings(predictor, reference, plain, (5, 2), lr=5e-2)


def test_a_query_with_an_empty_class_is_not_probed(predictor):
    task = tiny_task(queries=1)
    q = task.queries[0]
    masks = q.masks.copy()
    masks[1] = False
    empty = Subject(q.name, q.image, masks, q.spacing)
    assert probe_query(predictor, task, empty, 0, Settings(), steps=(1,), lr=5e-2) == []


def test_probe_covers_the_first_queries_of_each_task(predictor):
    tasks = [tiny_task(queries=3, dataset="a"), tiny_task(queries=1, dataset="b")]
    rows = probe(predictor, tasks, queries=2, steps=(), lr=5e-2, settings=Settings(), log=lambda _: None)
    assert sorted({(r.task, r.query) for r in rows}) == [("a", "q0"), ("a", "q1"), ("b", "q0")]


def test_the_report_gives_the_means_over_queries_and_keeps_its_conclusion():
    rows = [Row("t", q, v, e, d) for q, base in (("q0", 0.2), ("q1", 0.4)) for v in (SELF, COPY_TEST)
            for e, d in ((PLAIN, base), ("tuned_5", base + 0.5))]
    text = report(rows, ["header"], "old\n\n## Conclusion\n\nThe encoder is the limit.\n")
    assert "| self | 0.300 | 0.800 |" in text and "| copy_test | 0.300 | 0.800 |" in text
    assert "| t | q1 | self | 0.400 | 0.900 |" in text
    assert text.rstrip().endswith("The encoder is the limit.")

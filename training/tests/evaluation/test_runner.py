"""The runner: every strategy, the floor and the checks produce rows; the report files are written."""
import csv
import json
import math

import pytest
import torch

from irisseg.evaluation import runner as r
from irisseg.evaluation.cases import Subject, Task
from irisseg.evaluation.report import write_report
from irisseg.evaluation.summary import headline, summarise

from .helpers import predictor, tiny_task, two_ball_subject  # noqa: F401  (fixture)


def _settings():
    return r.Settings(one_shot_draws=2, ensemble_sizes=(1, 3, 5), retrieval_k=2, tune_sets=1, tune_refs=2,
                      tune_steps=2, honesty_queries=1)


@pytest.mark.slow
def test_run_task_scores_every_strategy_per_query_and_class(predictor, tmp_path):
    task = tiny_task(queries=2, references=3, dataset="hippocampus")
    wrong = two_ball_subject("wrong", 7)
    result = r.run_task(predictor, task, _settings(), wrong=wrong, log=lambda m: None)
    counts = {}
    for row in result.rows:
        counts[row.strategy] = counts.get(row.strategy, 0) + 1
    per_query = 2 * 2  # queries x classes
    assert counts[r.ONE_SHOT] == counts[r.FLOOR] == 2 * per_query  # two draws each
    for name in (r.ensemble_name(1), r.ensemble_name(3), r.RETRIEVAL, r.TUNED_INIT, r.TUNED, r.FOCUSED_ONE_SHOT,
                 r.GRID_CEILING, r.FOCUSED_GRID_CEILING):
        assert counts[name] == per_query, name
    assert r.ensemble_name(5) not in counts  # larger than the pool: skipped
    for check in (r.CHECK_SWAP_SWAPPED, r.CHECK_SWAP_ORIGINAL, r.CHECK_BLANK, r.CHECK_WRONG):
        assert counts[check] == 2  # one query x two classes
    assert all(0.0 <= row.dice <= 1.0 for row in result.rows)
    assert len(result.tuning) == 1 and len(result.tuning[0]["references"]) == 2
    assert result.example["prediction"].shape == (2, *task.queries[0].image.shape)

    summaries = summarise(result.rows)
    head = headline(summaries)
    assert set(head["hippocampus"]["ensemble_dice"]) == {"1", "3", "5", "10"}
    assert head["hippocampus"]["ensemble_dice"]["5"] is None
    assert head["swap_test"]["dice_vs_swapped_truth"] is not None
    assert head["targets"]["one_shot_dice"]["target"] == 0.82
    assert head["targets"]["ensemble_5_dice"]["met"] is None  # not measured: pool too small
    assert head["targets"]["one_shot_dice"]["met"] is False  # a random-init model

    paths = write_report(tmp_path, result.rows, summaries, head, {"model": "tiny"}, {"hippocampus": result.tuning},
                         {"total": 1.0}, result.example)
    for p in paths.values():
        assert p.exists() and p.stat().st_size > 0
    data = json.loads(paths["json"].read_text())
    assert data["model"] == "tiny" and "one_shot_dice" in data["hippocampus"]
    with paths["csv"].open() as f:
        table = list(csv.DictReader(f))
    assert {row["strategy"] for row in table} >= {r.FLOOR, r.ONE_SHOT, r.TUNED}
    md = paths["md"].read_text()
    assert "| hippocampus | left | one_shot |" in md and "Does the model read its reference?" in md
    assert "| one-shot >= 0.82 |" in md
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"


def test_grid_ceiling_rows_need_no_model_and_score_the_query_own_masks(predictor):
    task = tiny_task(queries=1, references=2, dataset="hippocampus")
    query = task.queries[0]
    rows = r.ceiling_rows(task, query, predictor.grid[0], focus=True)
    assert {row.strategy for row in rows} == {r.GRID_CEILING, r.FOCUSED_GRID_CEILING}
    assert len(rows) == 2 * task.num_classes
    assert all(0.0 < row.dice <= 1.0 for row in rows)


def test_a_single_class_task_skips_the_checks(predictor):
    two = tiny_task(queries=1, references=2)
    one = [Subject(s.name, s.image, s.masks[:1], s.spacing) for s in [*two.queries, *two.references]]
    task = Task("toy", ("left",), one[:1], one[1:])
    settings = _settings()
    settings.tune_sets = 0
    result = r.run_task(predictor, task, settings, log=lambda m: None)
    assert not any(row.strategy.startswith("check_") for row in result.rows)
    assert not any(row.strategy == r.TUNED for row in result.rows)


def test_summary_keeps_distances_of_scored_cases_only():
    rows = [r.Row("d", "c", r.ONE_SHOT, "a", 0, 0.8, 0.7, 2.0, 1.0, "ok", False),
            r.Row("d", "c", r.ONE_SHOT, "b", 0, 0.0, 0.0, math.nan, math.nan, "missed", False),
            r.Row("d", "c", r.ONE_SHOT, "c", 0, 0.6, 0.5, 4.0, 3.0, "ok", False)]
    (s,) = summarise(rows)
    assert s.n == 3 and s.missed == 1 and s.n_distance == 2
    assert math.isclose(s.dice_mean, (0.8 + 0.0 + 0.6) / 3)
    assert math.isclose(s.hd95_mm_mean, 3.0) and math.isclose(s.asd_mm_mean, 2.0)


def _loo_task():
    subjects = [two_ball_subject(f"s{i}", i, shape=(18 + i, 20, 16)) for i in range(4)]
    return Task("loo", ("left", "right"), subjects, subjects, unseen=True)


def test_leave_one_out_never_uses_the_query_as_a_reference(predictor):
    task = _loo_task()
    settings = _settings()
    settings.copy_tests = 0
    result = r.run_task(predictor, task, settings, log=lambda m: None)
    names = [s.name for s in task.references]
    assert set(result.references_used) == set(names)
    for query, pool in result.references_used.items():
        assert query not in pool and sorted(pool + [query]) == names
    for pick in result.retrieval_picks:
        assert all(pick["case"] not in chosen for chosen in pick["chosen"])
        assert all(len(chosen) in (2, 3) for chosen in pick["chosen"])  # k = min(2, 3 - 1), or all 3 when missed
    strategies = {row.strategy for row in result.rows}
    assert r.ensemble_name(3) in strategies and r.ensemble_name(5) not in strategies  # pools of 3
    assert r.TUNED not in strategies  # no tuning on an unseen task, nor on leave-one-out pools


def test_leave_one_out_pools_exclude_only_the_query_itself():
    task = _loo_task()
    assert not task.shared_pool
    assert [task.reference_indices(q) for q in task.queries] == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]
    with pytest.raises(ValueError, match="no reference other than itself"):
        Task("alone", ("left", "right"), task.queries[:1], task.queries[:1])


def test_copy_test_scores_each_variant_of_each_class_on_the_first_queries(predictor):
    task = tiny_task(queries=3, references=2)
    settings = _settings()
    settings.copy_tests, settings.tune_sets, settings.honesty_queries = 2, 0, 0
    result = r.run_task(predictor, task, settings, log=lambda m: None)
    for variant in (r.COPY_TEST, r.COPY_TEST_CROP, r.COPY_TEST_PERMUTED):
        rows = [row for row in result.rows if row.strategy == variant]
        assert len(rows) == 2 * 2  # two queries x two classes
        assert {row.case.split("~")[0] for row in rows} == {"q0", "q1"}
        assert all(0.0 <= row.dice <= 1.0 for row in rows)


def test_copy_draws_score_each_variant_once_per_draw_numbered_by_draw(predictor):
    task = tiny_task(queries=1, references=2)
    settings = r.Settings(one_shot_draws=1, ensemble_sizes=(1,), tune_sets=0, honesty_queries=0, copy_tests=1,
                          copy_draws=3, focus=False)
    rows = [row for row in r.run_task(predictor, task, settings, log=lambda m: None).rows
            if row.strategy == r.COPY_TEST]
    assert sorted(row.draw for row in rows) == [0, 0, 1, 1, 2, 2]  # three draws x two classes


def test_copy_draw_zero_is_the_single_draw_and_later_draws_are_other_crops_or_poses():
    task = tiny_task(queries=1, references=2)
    query = task.queries[0]
    single = r.copy_transforms(task, query, r.Settings(), 0)
    assert r.copy_transforms(task, query, r.Settings(copy_draws=4), 0, 0) == single
    later = [r.copy_transforms(task, query, r.Settings(), 0, d) for d in (1, 2, 3)]
    assert all(variants != single for variants in later)
    assert later[0] != later[1]


def test_a_memory_bank_with_every_class_of_the_task_adds_its_rows(predictor):
    task = tiny_task(queries=1, references=2, dataset="toy")
    dim = predictor.embedding_dim
    bank = {"toy/v/left": torch.randn(dim), "toy/v/right": torch.randn(dim)}
    settings = r.Settings(one_shot_draws=1, ensemble_sizes=(1,), tune_sets=0, honesty_queries=0, copy_tests=0)
    with_bank = r.run_task(predictor, task, settings, log=lambda m: None, memory_bank=bank)
    without = r.run_task(predictor, task, settings, log=lambda m: None, memory_bank={"toy/v/left": bank["toy/v/left"]})
    assert [row.class_name for row in with_bank.rows if row.strategy == r.MEMORY_BANK] == ["left", "right"]
    assert not any(row.strategy == r.MEMORY_BANK for row in without.rows)

"""The unseen-structure suite's tasks, read from the shared data: what each query and reference holds,
and which references a query may use."""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from irisseg.data import splits
from irisseg.evaluation.copytest import copy_query
from irisseg.evaluation.runner import COPY_TEST, COPY_TEST_PERMUTED, Settings, copy_transforms
from irisseg.evaluation.unseen import FETAL_QUICK_POOL, UNSEEN_TASKS, gestational_week, fetal_task, unseen_tasks

pytestmark = pytest.mark.slow  # reads the BraTS, fetal atlas and SynthSeg volumes (about 20 s, once)


@lru_cache(maxsize=None)
def _tasks(data_root: Path) -> dict:
    return {t.dataset: t for t in unseen_tasks(data_root, list(UNSEEN_TASKS), log=lambda m: None)}


@pytest.fixture
def tasks(data_root):
    return _tasks(data_root)


SUITE = ("thalamus", "brats", "brats_enhancing", "totalseg_ct_to_mr", "totalseg_mr_to_ct", "fetal")


def test_the_suite_has_every_unseen_structure_as_a_task(tasks):
    assert tuple(tasks) == SUITE
    assert all(t.unseen for t in tasks.values())
    assert tasks["totalseg_ct_to_mr"].class_names == ("spleen", "pancreas", "adrenal glands")
    assert tasks["fetal"].class_names == ("corpus callosum",)


@pytest.mark.parametrize("dataset", SUITE)
def test_each_query_and_each_of_its_references_holds_every_class(tasks, dataset):
    task = tasks[dataset]
    for query in task.queries:
        pool = [task.references[j] for j in task.reference_indices(query)]
        assert pool
        for subject in [query, *pool]:
            assert subject.masks.shape == (task.num_classes, *subject.image.shape)
            for k, name in enumerate(task.class_names):
                assert subject.masks[k].sum() >= 20, f"{dataset}: {subject.name} lacks {name}"


@pytest.mark.parametrize("dataset", ("brats", "brats_enhancing"))
def test_brats_leave_one_out_never_offers_the_query_as_its_own_reference(tasks, dataset):
    task = tasks[dataset]
    names = sorted(s.name for s in task.references)
    assert sorted(q.name for q in task.queries) == names and len(names) == 4  # each subject the query once
    for query in task.queries:
        pool = [task.references[j].name for j in task.reference_indices(query)]
        assert query.name not in pool and sorted(pool + [query.name]) == names


def test_fetal_queries_are_the_held_out_weeks_against_every_other_week(tasks):
    task = tasks["fetal"]
    assert sorted(q.name for q in task.queries) == sorted(splits.FETAL_VALIDATION)
    for query in task.queries:
        pool = [task.references[j].name for j in task.reference_indices(query)]
        assert len(pool) == 14 and query.name not in pool


def test_totalseg_directions_take_the_other_modality_as_reference(tasks):
    for ref, query in (("ct", "mr"), ("mr", "ct")):
        task = tasks[f"totalseg_{ref}_to_{query}"]
        assert [q.name for q in task.queries] == [query] and [r.name for r in task.references] == [ref]


def test_thalamus_references_are_synthetic_renders_and_the_query_the_real_t1(tasks):
    task = tasks["thalamus"]
    assert [q.name for q in task.queries] == ["test_scan_subcortical"]
    assert all("_synth" in r.name for r in task.references)


@pytest.mark.parametrize("dataset", SUITE)
def test_copy_test_query_is_another_array_of_the_same_anatomy(tasks, dataset):
    task = tasks[dataset]
    query = task.queries[0]
    for strategy, transform in copy_transforms(task, query, Settings(), 0):
        copy = copy_query(query, transform)
        assert copy.image.shape != query.image.shape or not np.array_equal(copy.image, query.image)
        # undoing the crop and orientation gives back exactly the structure of the source
        restored = transform.undo_to_source(copy.masks, query.image.shape)
        assert np.array_equal(restored, query.masks), strategy
        assert copy.masks.reshape(task.num_classes, -1).sum(1).tolist() == \
            query.masks.reshape(task.num_classes, -1).sum(1).tolist()
        box = tuple(slice(a, b) for a, b in transform.box)
        assert np.array_equal(transform.undo(copy.image), query.image[box])
        if strategy in (COPY_TEST, COPY_TEST_PERMUTED):
            assert any(transform.flips) or transform.order != (0, 1, 2)  # re-oriented, not only cropped


def test_left_right_structures_are_turned_never_mirrored(tasks):
    task = tasks["thalamus"]
    for strategy, transform in copy_transforms(task, task.queries[0], Settings(), 0):
        assert transform.proper, strategy
        copy = copy_query(task.queries[0], transform)
        if transform.order == (0, 1, 2):  # left thalamus still at smaller x than the right one
            left, right = (np.argwhere(copy.masks[k])[:, 0].mean() for k in (0, 1))
            assert left < right


def test_quick_fetal_task_is_one_held_out_week_against_its_nearest_weeks(data_root):
    task = fetal_task(data_root, quick=True)
    (query,) = task.queries
    assert query.name in splits.FETAL_VALIDATION and task.shared_pool
    assert len(task.references) == FETAL_QUICK_POOL
    week = gestational_week(query.name)
    assert max(abs(gestational_week(r.name) - week) for r in task.references) <= 3

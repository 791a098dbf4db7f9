"""Held-out subjects and unseen structures."""
from __future__ import annotations

from irisseg.data import splits


def test_hippocampus_validation_is_a_fixed_seeded_choice():
    ids = [f"hippocampus_{i:03d}" for i in range(200)]
    val = splits.hippocampus_validation(ids)
    assert len(val) == 40 == len(set(val))
    assert val == sorted(val) and set(val) <= set(ids)
    assert splits.hippocampus_validation(list(reversed(ids))) == val
    assert val != ids[:40]


def test_small_lists_hold_out_a_fifth():
    assert len(splits.hippocampus_validation([f"h{i}" for i in range(10)])) == 2


def test_brats_validation_subject():
    assert splits.validation_subjects("brats", ["brats_2013_pat0003_1", "brats_2013_pat0006_1"]) == [
        "brats_2013_pat0006_1"]
    assert splits.validation_subjects("totalseg", ["ct", "mr"]) == []


def test_tumour_is_never_a_training_class():
    for name, labels in splits.UNSEEN_CLASSES["brats"].items():
        assert not splits.is_training_class("brats", name, labels)
    assert splits.is_training_class("brats", "brain", (1, 2, 3, 4, 5))


def test_thalamus_is_never_a_training_class_alone_or_merged():
    for dataset in ("voxelmorph", "synthseg"):
        assert not splits.is_training_class(dataset, "Left-Thalamus", (10,))
        assert not splits.is_training_class(dataset, "deep grey", (10, 11, 12))
        assert splits.is_training_class(dataset, "Left-Caudate", (11,))
        assert splits.trainable_labels(dataset, [0, 10, 11, 49, 50]) == [11, 50]
    assert splits.is_training_class("hippocampus", "anterior", (1,))


def test_describe_is_json_ready():
    import json

    d = json.loads(json.dumps(splits.describe()))
    assert d["unseen_labels"]["synthseg"] == [10, 49]

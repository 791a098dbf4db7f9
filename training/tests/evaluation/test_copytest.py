"""The copy test's re-cropping and re-orientation: invertible, keeps the structure, rotations keep handedness."""
import itertools

import numpy as np
import pytest

from irisseg.evaluation.copytest import (
    CROP_FRACTION,
    Reorientation,
    copy_query,
    is_lateral,
    random_crop,
    random_orientation,
)

from .helpers import two_ball_subject

ORDERS = list(itertools.permutations(range(3)))
FLIPS = list(itertools.product((False, True), repeat=3))


@pytest.mark.parametrize("order", ORDERS)
def test_undo_inverts_apply_for_every_flip_and_axis_order(order):
    a = np.random.default_rng(0).random((2, 9, 11, 13))
    box = ((1, 8), (0, 10), (3, 13))
    for flips in FLIPS:
        t = Reorientation(box, flips, order)
        out = t.apply(a)
        assert out.shape == (2, *(box[o][1] - box[o][0] for o in order))
        np.testing.assert_array_equal(t.undo(out), a[:, 1:8, 0:10, 3:13])
        restored = t.undo_to_source(out, a.shape[1:])
        assert restored.shape == a.shape and restored[:, 0].sum() == 0 and restored[:, :, 10].sum() == 0


def test_a_single_flip_is_a_mirror_and_two_flips_or_a_cycle_are_rotations():
    box = ((0, 2),) * 3
    assert not Reorientation(box, (True, False, False), (0, 1, 2)).proper
    assert Reorientation(box, (False, True, True), (0, 1, 2)).proper
    assert Reorientation(box, (False, False, False), (1, 2, 0)).proper
    assert not Reorientation(box, (False, False, False), (1, 0, 2)).proper
    assert Reorientation(box, (False, False, True), (1, 0, 2)).proper


def test_random_crop_keeps_the_whole_structure_within_the_crop_fractions():
    structure = np.zeros((60, 50, 40), dtype=bool)
    structure[20:31, 5:12, 30:38] = True
    for seed in range(50):
        box = random_crop(structure, np.random.default_rng(seed))
        inside = structure[tuple(slice(a, b) for a, b in box)]
        assert inside.sum() == structure.sum()
        for (a, b), n in zip(box, structure.shape):
            assert 0 <= a < b <= n and b - a >= round(CROP_FRACTION[0] * n)


def test_a_crop_widens_to_hold_a_structure_larger_than_the_fraction():
    structure = np.ones((20, 20, 20), dtype=bool)
    assert random_crop(structure, np.random.default_rng(0)) == ((0, 20),) * 3


def test_random_orientations_follow_the_rules():
    for seed in range(40):
        rng = np.random.default_rng(seed)
        flips, order = random_orientation(rng)
        assert any(flips) and order == (0, 1, 2)
        assert random_orientation(rng, lateral=True) == ((False, True, True), (0, 1, 2))
        for lateral in (False, True):
            flips, order = random_orientation(rng, lateral, permute=True)
            assert order != (0, 1, 2) and Reorientation(((0, 1),) * 3, flips, order).proper


def test_copy_query_moves_image_masks_and_spacing_together():
    s = two_ball_subject("s", 0, shape=(20, 22, 18), spacing=(1.0, 1.2, 1.5))
    t = Reorientation(((2, 18), (1, 21), (0, 18)), (True, False, False), (2, 0, 1))
    copy = copy_query(s, t)
    assert copy.name == "s~copy" and copy.spacing == (1.5, 1.0, 1.2)
    assert copy.image.shape == (18, 16, 20) and copy.masks.shape == (2, 18, 16, 20)
    assert copy.masks.sum() == s.masks.sum()


def test_lateral_classes_are_those_naming_a_side():
    assert is_lateral(("Left-Thalamus", "Right-Thalamus")) and is_lateral(("adrenal_gland_left",))
    assert not is_lateral(("whole tumour",)) and not is_lateral(("anterior", "posterior"))


def test_described_flips_reads_back_what_describe_wrote():
    from irisseg.evaluation.copytest import described_flips
    t = Reorientation(((0, 10), (2, 12), (1, 9)), (True, False, True), (2, 0, 1))
    assert described_flips(f"subject_007~{t.describe()}") == (True, False, True)
    assert described_flips(Reorientation(t.box, (False, False, False), (0, 1, 2)).describe()) == (False, False, False)
    assert described_flips("subject_007") is None
    assert described_flips("crop 3x3x3, flip w, axes xyz") is None

"""Metrics against hand-computed cases and a brute-force reference in anisotropic spacing."""
import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from irisseg.evaluation.metrics import (
    STATUS_BOTH_EMPTY,
    STATUS_FALSE_POSITIVE,
    STATUS_MISSED,
    STATUS_OK,
    dice,
    iou,
    score_masks,
    surface,
)

SPACING = (1.0, 2.0, 3.0)


def _cube(shape, start, size):
    m = np.zeros(shape, dtype=bool)
    m[start[0]:start[0] + size, start[1]:start[1] + size, start[2]:start[2] + size] = True
    return m


def _brute_force(pred, truth, spacing):
    """HD95 and ASD by all-pairs distances between surface voxel centres (mm)."""
    sp = np.asarray(spacing)
    ps = np.argwhere(surface(pred)) * sp
    ts = np.argwhere(surface(truth)) * sp
    d = cdist(ps, ts)
    d_pt, d_tp = d.min(axis=1), d.min(axis=0)
    hd95 = max(np.percentile(d_pt, 95), np.percentile(d_tp, 95))
    asd = (d_pt.sum() + d_tp.sum()) / (d_pt.size + d_tp.size)
    return hd95, asd


def test_surface_of_cubes_is_the_hull():
    assert surface(_cube((7, 7, 7), (2, 2, 2), 3)).sum() == 27 - 1
    assert surface(_cube((8, 8, 8), (2, 2, 2), 4)).sum() == 64 - 8


def test_surface_counts_voxels_on_the_image_border():
    full = np.ones((4, 4, 4), dtype=bool)
    assert surface(full).sum() == 64 - 8


def test_cube_shifted_one_voxel_overlap():
    truth = _cube((10, 10, 10), (2, 2, 2), 4)
    pred = _cube((10, 10, 10), (2, 2, 3), 4)
    # overlap 4*4*3 = 48 of 64 + 64 voxels
    assert dice(pred, truth) == pytest.approx(2 * 48 / 128)
    assert iou(pred, truth) == pytest.approx(48 / 80)


def test_single_voxels_distance_uses_spacing():
    truth = np.zeros((6, 6, 6), dtype=bool)
    pred = np.zeros_like(truth)
    truth[3, 2, 1] = True
    pred[1, 1, 1] = True
    s = score_masks(pred, truth, SPACING)
    expected = math.sqrt((2 * 1.0) ** 2 + (1 * 2.0) ** 2)
    assert s.status == STATUS_OK
    assert s.dice == 0.0
    assert s.hd95_mm == pytest.approx(expected)
    assert s.asd_mm == pytest.approx(expected)


@pytest.mark.parametrize("axis,spacing_mm", [(0, 1.0), (1, 2.0), (2, 3.0)])
def test_full_slabs_three_voxels_apart(axis, spacing_mm):
    shape = (8, 8, 8)
    truth = np.zeros(shape, dtype=bool)
    pred = np.zeros(shape, dtype=bool)
    index_t = [slice(None)] * 3
    index_p = [slice(None)] * 3
    index_t[axis], index_p[axis] = 2, 5
    truth[tuple(index_t)] = True
    pred[tuple(index_p)] = True
    s = score_masks(pred, truth, SPACING)
    assert s.hd95_mm == pytest.approx(3 * spacing_mm)
    assert s.asd_mm == pytest.approx(3 * spacing_mm)


def test_shifted_cube_max_distance_is_the_shift_in_mm():
    truth = _cube((12, 12, 12), (3, 3, 3), 5)
    pred = _cube((12, 12, 12), (3, 3, 4), 5)  # one voxel along z = 3 mm
    s = score_masks(pred, truth, SPACING)
    hd95, asd = _brute_force(pred, truth, SPACING)
    assert s.hd95_mm == pytest.approx(hd95)
    assert s.asd_mm == pytest.approx(asd)
    assert 0.0 < s.asd_mm < s.hd95_mm <= 3.0 + 1e-9


def test_distances_match_brute_force_on_irregular_masks():
    rng = np.random.default_rng(0)
    from scipy import ndimage

    truth = ndimage.binary_opening(rng.random((14, 12, 10)) > 0.45, iterations=1)
    pred = ndimage.binary_opening(rng.random((14, 12, 10)) > 0.45, iterations=1)
    assert truth.any() and pred.any()
    spacing = (0.7, 1.3, 2.5)
    s = score_masks(pred, truth, spacing)
    hd95, asd = _brute_force(pred, truth, spacing)
    assert s.hd95_mm == pytest.approx(hd95)
    assert s.asd_mm == pytest.approx(asd)


def test_cropping_to_the_masks_changes_no_distance():
    rng = np.random.default_rng(1)
    from scipy import ndimage

    from irisseg.evaluation.metrics import surface_distances

    truth = np.zeros((40, 36, 30), dtype=bool)
    pred = np.zeros_like(truth)
    truth[5:20, 4:15, 0:9] = ndimage.binary_opening(rng.random((15, 11, 9)) > 0.3)  # touches the border
    pred[8:24, 6:18, 2:12] = ndimage.binary_opening(rng.random((16, 12, 10)) > 0.3)
    spacing = (0.9, 1.1, 2.0)
    s = score_masks(pred, truth, spacing)
    assert (s.hd95_mm, s.asd_mm) == pytest.approx(surface_distances(pred, truth, spacing))


def test_identical_masks_score_perfectly():
    truth = _cube((8, 8, 8), (1, 2, 3), 3)
    s = score_masks(truth.copy(), truth, SPACING)
    assert (s.dice, s.iou, s.hd95_mm, s.asd_mm, s.status) == (1.0, 1.0, 0.0, 0.0, STATUS_OK)


def test_empty_mask_rules():
    empty = np.zeros((5, 5, 5), dtype=bool)
    cube = _cube((5, 5, 5), (1, 1, 1), 2)
    both = score_masks(empty, empty, SPACING)
    assert (both.dice, both.iou, both.hd95_mm, both.asd_mm, both.status) == (1.0, 1.0, 0.0, 0.0, STATUS_BOTH_EMPTY)
    missed = score_masks(empty, cube, SPACING)
    assert missed.status == STATUS_MISSED and missed.dice == 0.0 and math.isnan(missed.hd95_mm)
    false = score_masks(cube, empty, SPACING)
    assert false.status == STATUS_FALSE_POSITIVE and false.iou == 0.0 and math.isnan(false.asd_mm)


def test_probabilities_are_thresholded_at_half():
    truth = _cube((6, 6, 6), (1, 1, 1), 2)
    probs = truth.astype(np.float32) * 0.6 + 0.3  # 0.9 inside, 0.3 outside
    assert dice(probs, truth) == 1.0


def test_shape_mismatch_raises():
    with pytest.raises(ValueError):
        score_masks(np.zeros((3, 3, 3)), np.zeros((3, 3, 4)), SPACING)

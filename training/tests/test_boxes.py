"""The box policy: cubes in mm around an object, clamped to the volume, and the paste back."""
from __future__ import annotations

import numpy as np
import pytest

from irisseg import boxes


def blob(shape, lo, hi) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    m[tuple(slice(a, b) for a, b in zip(lo, hi))] = True
    return m


def test_a_small_object_gets_the_minimum_side():
    mask = blob((200, 200, 200), (100, 100, 100), (105, 105, 105))
    box = boxes.reference_box(mask[None], (1.0, 1.0, 1.0))
    assert box.shape == (48, 48, 48)
    assert all(a <= 100 and b >= 105 for a, b in zip(box.start, box.stop))


def test_the_box_is_a_cube_in_millimetres_not_in_voxels():
    mask = blob((300, 300, 40), (140, 140, 18), (160, 160, 22))  # 20 x 20 voxels in plane, 4 slices of 5 mm
    box = boxes.reference_box(mask[None], (0.5, 0.5, 5.0))
    assert box.shape == (96, 96, 10)  # 48 mm (twice the 20 mm extent is under the minimum) at 0.5 and 5 mm


def test_a_large_object_gets_twice_its_extent_clamped_to_the_volume():
    mask = blob((100, 100, 100), (20, 30, 40), (80, 70, 60))  # 60 mm along x
    box = boxes.reference_box(mask[None], (1.0, 1.0, 1.0))
    assert box.shape == (100, 100, 100) and box.covers((100, 100, 100))


def test_a_box_near_the_edge_is_shifted_inside_the_volume():
    mask = blob((100, 100, 100), (0, 0, 0), (4, 4, 4))
    box = boxes.reference_box(mask[None], (1.0, 1.0, 1.0))
    assert box.start == (0, 0, 0) and box.stop == (48, 48, 48)


def test_one_box_covers_every_class():
    masks = np.stack([blob((120, 120, 120), (10, 10, 10), (14, 14, 14)), blob((120, 120, 120), (40, 40, 40), (44, 44, 44))])
    box = boxes.reference_box(masks, (1.0, 1.0, 1.0))
    for m in masks:
        assert m[box.slices()].sum() == m.sum()


def test_the_query_box_follows_what_the_coarse_pass_found():
    coarse = np.zeros((1, 100, 100, 100), dtype=np.float32)
    coarse[0, 70:75, 20:25, 50:55] = 0.9
    box = boxes.query_box(coarse, (1.0, 1.0, 1.0), 30.0)
    assert box.shape == (30, 30, 30)
    assert box.start[0] <= 70 and box.stop[0] >= 75 and box.start[1] <= 20 and box.stop[1] >= 25


def test_nothing_found_means_no_query_box():
    assert boxes.query_box(np.full((2, 10, 10, 10), 0.2, dtype=np.float32), (1.0, 1.0, 1.0), 30.0) is None


def test_paste_replaces_only_the_box():
    coarse = np.zeros((1, 10, 10, 10), dtype=np.float32)
    box = boxes.Box((2, 3, 4), (5, 6, 7))
    out = boxes.paste(coarse, np.ones((1, 3, 3, 3), dtype=np.float32), box)
    assert out.sum() == 27 and out[0, 2:5, 3:6, 4:7].min() == 1 and coarse.sum() == 0


def test_an_empty_mask_has_no_extent():
    with pytest.raises(ValueError):
        boxes.extent_mm(np.zeros((3, 3, 3), dtype=bool), (1, 1, 1))


def test_one_candidate_gets_exactly_the_query_box():
    coarse = np.zeros((2, 100, 100, 100), dtype=np.float32)
    coarse[0, 70:75, 20:25, 50:55] = 0.9
    coarse[1, 74:80, 24:30, 54:58] = 0.8  # touches class 0's blob: one candidate over both classes
    assert boxes.query_boxes(coarse, (1.0, 1.2, 0.8), 30.0) == [boxes.query_box(coarse, (1.0, 1.2, 0.8), 30.0)]


def test_two_candidates_far_apart_get_one_box_each_around_its_own():
    coarse = np.zeros((1, 160, 60, 60), dtype=np.float32)
    coarse[0, 10:16, 20:26, 20:26] = 0.9
    coarse[0, 140:146, 30:36, 30:36] = 0.9
    found = boxes.query_boxes(coarse, (1.0, 1.0, 1.0), 40.0)
    assert [b.shape for b in found] == [(40, 40, 40), (40, 40, 40)]
    first, second = (np.zeros((160, 60, 60), dtype=bool) for _ in range(2))
    first[found[0].slices()] = True
    second[found[1].slices()] = True
    assert first[10:16, 20:26, 20:26].all() and not first[140:146].any()
    assert second[140:146, 30:36, 30:36].all() and not second[10:16].any()


def test_candidates_whose_boxes_overlap_share_one_box_around_both():
    coarse = np.zeros((1, 160, 60, 60), dtype=np.float32)
    coarse[0, 40:44, 28:32, 28:32] = 0.9
    coarse[0, 70:74, 28:32, 28:32] = 0.9  # 30 mm apart: two 40 mm boxes overlap
    found = boxes.query_boxes(coarse, (1.0, 1.0, 1.0), 40.0)
    assert found == [boxes.query_box(coarse, (1.0, 1.0, 1.0), 40.0)]
    assert found[0].shape[0] == 68  # twice the 34 mm extent of both


def test_nothing_found_means_no_query_boxes():
    assert boxes.query_boxes(np.full((2, 10, 10, 10), 0.2, dtype=np.float32), (1.0, 1.0, 1.0), 30.0) == []


def test_only_the_largest_candidates_get_a_box():
    coarse = np.zeros((1, 200, 20, 20), dtype=np.float32)
    for i, size in enumerate((2, 5, 3, 6, 4)):
        coarse[0, 40 * i:40 * i + size, 5:7, 5:7] = 0.9
    found = boxes.query_boxes(coarse, (1.0, 1.0, 1.0), 20.0, max_candidates=3)
    held = [[i for i in range(5) if b.start[0] <= 40 * i < b.stop[0]] for b in found]
    assert held == [[1], [3], [4]]  # sizes 5, 6 and 4; not 2 and 3


def test_window_starts_cover_the_range_with_overlapping_windows_inside_the_axis():
    starts = boxes.window_starts(10, 90, 40, 100, 0.25)
    assert starts[0] == 10 and starts[-1] + 40 == 90
    assert all(b - a <= 30 for a, b in zip(starts, starts[1:]))  # neighbours overlap by at least a quarter
    assert boxes.window_starts(0, 30, 40, 100, 0.25) == [0]  # a short range: one window, inside the axis
    assert boxes.window_starts(95, 100, 40, 100, 0.25) == [60]


def test_a_target_the_reference_box_holds_gets_the_one_query_box():
    coarse = blob((100, 100, 100), (40, 40, 40), (50, 50, 50))[None].astype(np.float32)
    assert boxes.query_windows(coarse, (1.0, 1.0, 1.0), 40.0) == [boxes.query_box(coarse, (1.0, 1.0, 1.0), 40.0)]


def test_a_large_target_gets_overlapping_windows_of_the_reference_side():
    coarse = blob((200, 100, 100), (40, 40, 40), (140, 60, 60))[None].astype(np.float32)  # 100 mm along x
    windows = boxes.query_windows(coarse, (1.0, 1.0, 1.0), 48.0)
    assert len(windows) > 1 and all(w.shape == (48, 48, 48) for w in windows)
    covered = np.zeros((200, 100, 100), dtype=bool)
    for w in windows:
        covered[w.slices()] = True
    assert covered[coarse[0] > 0.5].all()


def test_a_target_needing_too_many_windows_gets_the_one_grown_box():
    coarse = blob((200, 200, 200), (20, 20, 20), (180, 180, 180))[None].astype(np.float32)
    assert boxes.query_windows(coarse, (1.0, 1.0, 1.0), 48.0, max_windows=8) == [
        boxes.query_box(coarse, (1.0, 1.0, 1.0), 48.0)]


def test_nothing_found_means_no_windows():
    assert boxes.query_windows(np.full((1, 10, 10, 10), 0.2, dtype=np.float32), (1.0, 1.0, 1.0), 30.0) == []


def test_paste_windows_averages_where_windows_overlap():
    coarse = np.zeros((1, 10, 1, 1), dtype=np.float32)
    a, b = boxes.Box((0, 0, 0), (6, 1, 1)), boxes.Box((4, 0, 0), (10, 1, 1))
    out = boxes.paste_windows(coarse, [(a, np.full((1, 6, 1, 1), 1.0)), (b, np.full((1, 6, 1, 1), 0.5))])
    assert out[0, :4, 0, 0].tolist() == [1.0] * 4
    assert out[0, 4:6, 0, 0].tolist() == [0.75] * 2
    assert out[0, 6:, 0, 0].tolist() == [0.5] * 4


def test_paste_windows_keeps_the_coarse_probabilities_outside_every_window():
    coarse = np.full((2, 8, 8, 8), 0.3, dtype=np.float32)
    out = boxes.paste_windows(coarse, [(boxes.Box((0, 0, 0), (2, 2, 2)), np.ones((2, 2, 2, 2)))])
    assert (out[:, 2:, :, :] == np.float32(0.3)).all() and (out[:, :2, :2, :2] == 1.0).all()

"""The grid ceiling: a structure's own mask through the model grid, with no model."""
import numpy as np

from irisseg import boxes
from irisseg.evaluation.ceiling import focused_grid_ceiling, grid_ceiling, through_grid
from irisseg.evaluation.metrics import score_masks

GRID = 16


def _dice(pred, truth):
    return score_masks(pred, truth, (1.0, 1.0, 1.0)).dice


def _sheet(shape=(96, 96, 96)):
    """A square sheet 4 voxels thin (less than one grid cell of the volume, more than one of its box) in the
    middle of a large volume: ``[1, X, Y, Z]``."""
    masks = np.zeros((1, *shape), dtype=bool)
    masks[0, 40:56, 40:56, 46:50] = True
    return masks


def test_a_volume_already_on_the_grid_passes_through_unchanged():
    masks = np.zeros((2, GRID, GRID, GRID), dtype=bool)
    masks[0, 2:9, 3:7, 4:12] = True
    masks[1, 10:14, 1:5, 6:8] = True
    assert np.array_equal(through_grid(masks, GRID), masks)


def test_a_large_block_keeps_nearly_all_of_its_dice():
    masks = np.zeros((1, 64, 64, 64), dtype=bool)
    masks[0, 12:52, 16:48, 8:40] = True
    assert _dice(grid_ceiling(masks, GRID)[0], masks[0]) > 0.9


def test_a_structure_thinner_than_a_grid_cell_vanishes_on_the_whole_volume():
    masks = _sheet()
    assert _dice(grid_ceiling(masks, GRID)[0], masks[0]) < 0.1


def test_the_box_around_a_thin_structure_raises_its_ceiling():
    masks = _sheet()
    whole = _dice(grid_ceiling(masks, GRID)[0], masks[0])
    focused = _dice(focused_grid_ceiling(masks, (1.0, 1.0, 1.0), GRID)[0], masks[0])
    assert focused > whole + 0.3


def test_the_focused_ceiling_sets_nothing_outside_the_box():
    masks = _sheet()
    box = boxes.reference_box(masks, (1.0, 1.0, 1.0))
    out = focused_grid_ceiling(masks, (1.0, 1.0, 1.0), GRID)
    inside = np.zeros(masks.shape[1:], dtype=bool)
    inside[box.slices()] = True
    assert not out[0][~inside].any()
    assert out.shape == masks.shape and out.dtype == bool

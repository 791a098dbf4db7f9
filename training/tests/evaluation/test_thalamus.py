"""The thalamus task: synthetic T1-like references from held-out label maps, consistent orientation."""
import numpy as np
import pytest
import torch

from irisseg.evaluation.thalamus import T1_LIKE, cubic_crop, t1_palette, thalamus_task


def test_cubic_crop_centres_the_box_and_pads_outside():
    a = np.arange(5 * 6 * 7).reshape(5, 6, 7)
    cube = cubic_crop(a, ((1, 3), (0, 6), (2, 5)))
    assert cube.shape == (6, 6, 6)
    # side 6 = the longest box side; x: centre 2 -> source rows -1..4 (row -1 is outside: zeros);
    # y: the whole axis; z: centre 3 -> source 0..5
    assert (cube[0] == 0).all()
    assert np.array_equal(cube[1:], a[0:5, 0:6, 0:6])


def test_t1_palette_uses_the_table_and_keeps_background_black():
    values = [0, 2, 10, 4, 530]
    p = t1_palette(values, torch.Generator().manual_seed(0))
    lookup = dict(zip(p.values.tolist(), p.means.tolist()))
    assert lookup[0] == 0.0 and lookup[2] == T1_LIKE[2] and lookup[10] == T1_LIKE[10]
    assert lookup[2] > lookup[10] > lookup[4]  # white matter > thalamus > CSF
    assert 0.0 <= lookup[530] <= 225.0


@pytest.mark.slow
def test_thalamus_task_left_lies_left_of_right_everywhere(data_root):
    task = thalamus_task(data_root, quick=True)
    assert task is not None and task.unseen
    assert len(task.queries) == 1 and len(task.references) == 2
    for s in [*task.queries, *task.references]:
        assert s.masks.shape == (2, *s.image.shape)
        assert s.masks[0].sum() > 1000 and s.masks[1].sum() > 1000
        left_x = np.argwhere(s.masks[0])[:, 0].mean()
        right_x = np.argwhere(s.masks[1])[:, 0].mean()
        assert left_x < right_x, s.name  # RAS+: index grows towards the right
        assert np.isfinite(s.image).all() and s.image.std() > 0

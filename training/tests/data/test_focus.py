"""Focus crops: real tasks cut to the box policy's boxes, as the service's focused pass sees them."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from irisseg import boxes
from irisseg.config import DataConfig
from irisseg.data import focus
from irisseg.data.augment import NO_AUGMENTATION, warp
from irisseg.data.episodes import EpisodeSampler
from irisseg.data.pack_format import Pack
from tests.data.test_episodes import GRID, make_pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Pack:
    return make_pack(tmp_path_factory, full=False)


def cube(g: int, lo: tuple[int, int, int], hi: tuple[int, int, int]) -> torch.Tensor:
    """masks [1, g, g, g] bool with the voxel box [lo, hi) set."""
    m = torch.zeros((1, g, g, g), dtype=torch.bool)
    m[0, lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = True
    return m


def extent(mask: torch.Tensor) -> np.ndarray:
    """Voxels spanned along each axis by a [g, g, g] mask."""
    where = mask.nonzero()
    return (where.max(0).values - where.min(0).values + 1).numpy()


def test_a_box_theta_zooms_its_box_to_the_whole_grid():
    g = 32
    box = boxes.Box((4, 8, 0), (12, 24, 32))
    marker = cube(g, box.start, box.stop).float()
    image, moved = warp(marker, marker, focus.box_theta(box, (g, g, g)))
    # linear interpolation blurs the box's faces (by half an input voxel); nothing outside it shows
    assert bool(moved[:, 1:-1, 1:-1, 1:-1].bool().all())
    assert float(image.min()) > 0.4


def test_a_focused_reference_shows_its_object_at_half_the_box():
    g = 64
    masks = cube(g, (20, 24, 28), (28, 32, 36))  # 8 voxels of 4 mm: 32 mm, so a 64 mm box of 16 voxels
    _, moved = warp(torch.zeros((1, g, g, g)), masks.float(), focus.reference_theta(masks, (4.0, 4.0, 4.0)))
    assert focus.reference_side(masks, (4.0, 4.0, 4.0)) == pytest.approx(64.0)
    assert np.all(np.abs(extent(moved[0].bool()) - g / 2) <= 1)
    centre = moved[0].nonzero().float().mean(0)
    assert torch.all((centre - (g - 1) / 2).abs() <= 1.0)


def test_a_small_object_still_comes_with_the_minimum_box():
    g = 64
    masks = cube(g, (30, 30, 30), (32, 32, 32))  # 2 mm at 1 mm: the box is the 48 mm minimum
    _, moved = warp(torch.zeros((1, g, g, g)), masks.float(), focus.reference_theta(masks, (1.0, 1.0, 1.0)))
    assert focus.reference_side(masks, (1.0, 1.0, 1.0)) == boxes.MIN_SIDE_MM
    assert np.all(np.abs(extent(moved[0].bool()) - 2 * g / 48) <= 1)


def test_the_query_box_keeps_the_reference_side_around_the_query_object():
    g = 64
    masks = cube(g, (40, 10, 20), (44, 14, 24))  # a small query object elsewhere in the volume
    rng = np.random.default_rng(0)
    _, moved = warp(torch.zeros((1, g, g, g)), masks.float(), focus.query_theta(masks, (2.0, 2.0, 2.0), 64.0, rng, False))
    # 64 mm at 2 mm is 32 voxels zoomed to 64: the 4-voxel object spans about 8
    assert np.all(np.abs(extent(moved[0].bool()) - 8) <= 1)


def test_an_empty_focus_query_misses_its_object():
    g = 64
    masks = cube(g, (20, 20, 20), (28, 28, 28))
    theta = focus.query_theta(masks, (1.0, 1.0, 1.0), 20.0, np.random.default_rng(0), True)
    _, moved = warp(torch.zeros((1, g, g, g)), masks.float(), theta)
    assert int(moved.sum()) == 0


def test_a_query_without_its_object_keeps_its_whole_field_of_view():
    g = 16
    theta = focus.query_theta(torch.zeros((1, g, g, g), dtype=torch.bool), (1.0, 1.0, 1.0), 48.0,
                              np.random.default_rng(0), False)
    assert torch.equal(theta, focus.box_theta(boxes.Box((0, 0, 0), (g, g, g)), (g, g, g)))


def test_a_focus_episode_shows_the_reference_inside_its_policy_box(pack):
    data = DataConfig(k_max=1, kind_weights={"real": 1.0}, dataset_weights={"totalseg": 1.0},
                      cross_pair_prob=0.0, crop_prob=0.0, task_augment_prob=0.0, focus_prob=1.0, merge_prob=0.0,
                      class_drop_prob=0.0, augment=NO_AUGMENTATION)
    sampler = EpisodeSampler(data, GRID, pack)
    zoomed = 0
    for n in range(6):
        e = sampler(np.random.default_rng([11, n]))
        item = pack.load(e["ref"])
        meta = pack.items[e["ref"]]
        names = [c for c in e["class_names"] if c]
        masks = torch.from_numpy(np.stack([np.isin(item.labels, meta["classes"][c]["labels"]) for c in names]))
        _, expected = warp(torch.zeros((1, GRID, GRID, GRID)), masks.float(),
                           focus.reference_theta(masks, meta["spacing_grid"]))
        valid = e["class_valid"][: len(names)]
        assert torch.equal(e["ref_masks"][: len(names)][valid], expected[valid])
        assert e["query_image"].shape == (1, GRID, GRID, GRID)
        zoomed += not torch.equal(expected, masks.float())
    assert zoomed > 0, "every box was the whole volume: nothing was focused"

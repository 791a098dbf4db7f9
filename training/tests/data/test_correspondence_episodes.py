"""Episodes that carry coordinates: same-volume tasks say where each query voxel lies in the reference."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from irisseg.data.augment import NO_AUGMENTATION
from irisseg.data.episodes import EpisodeSampler
from irisseg.train.correspondence import voxel_positions
from tests.data.test_episodes import GRID, make_pack, settings


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return make_pack(tmp_path_factory, full=False)


def _carried(e: dict, pair: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``pair`` [2, G, G, G] (a query volume, then the reference's) at half the grid: (the query's values, the
    reference's carried onto the query through the nearest coordinates), over the query voxels inside the
    source that the reference shows too (a reference voxel within half a voxel diagonal, as the loss pairs
    them)."""
    h = GRID // 2
    ref_pos, ref_ok = voxel_positions(e["ref_coords"], h)
    query_pos, query_ok = voxel_positions(e["query_coords"], h)
    half = torch.nn.functional.avg_pool3d(pair[None].float(), 2)[0]
    query_values, ref_values = half[0].flatten()[query_ok], half[1].flatten()[ref_ok]
    distance, nearest = torch.cdist(query_pos[query_ok], ref_pos[ref_ok]).min(dim=1)
    shown = distance <= 3 ** 0.5 / h
    return query_values[shown], ref_values[nearest[shown]]


@pytest.mark.parametrize("kinds,extra", [({"supervoxels": 1.0}, {}),
                                         ({"real": 1.0}, {"self_pair_prob": 1.0, "cross_pair_prob": 0.0,
                                                          "self_pair_pose": "any"})])
def test_coordinates_carry_the_reference_onto_the_query_of_a_same_volume_episode(pack, kinds, extra):
    # no per-side augmentation: crops, mirrors and axis orders still move the query, and nothing else
    # changes its intensities, so the reference image carried over must match it too
    sampler = EpisodeSampler(settings(kinds=kinds, correspondence=True, task_augment_prob=0.0, empty_query_prob=0.0,
                                      augment=NO_AUGMENTATION, **extra), GRID, pack)
    dice = []
    for n in range(6):
        e = sampler(np.random.default_rng([7, n]))
        assert e["ref_coords"].shape == e["query_coords"].shape == (4, GRID // 2, GRID // 2, GRID // 2)
        query, carried = _carried(e, torch.cat([e["query_image"], e["ref_image"]]))
        assert np.corrcoef(query.numpy(), carried.numpy())[0, 1] > 0.8  # pooling and zoom keep it below 1
        for k in np.flatnonzero(e["class_valid"].numpy()):
            query, carried = _carried(e, torch.stack([e["query_masks"][k], e["ref_masks"][k]]))
            query, carried = query > 0.5, carried > 0.5
            if bool(query.any()):
                dice.append(2 * float((query & carried).sum()) / float(query.sum() + carried.sum()))
    assert len(dice) >= 6 and float(np.median(dice)) > 0.8


def test_episodes_of_two_volumes_carry_no_coordinates(pack):
    sampler = EpisodeSampler(settings(kinds={"lesions": 1.0}, correspondence=True), GRID, pack)
    e = sampler(np.random.default_rng([7, 0]))
    assert float(e["ref_coords"].abs().sum()) == 0.0 and float(e["query_coords"].abs().sum()) == 0.0


def test_coordinates_change_nothing_else_in_an_episode(pack):
    plain = EpisodeSampler(settings(kinds={"supervoxels": 1.0, "real": 1.0}, self_pair_prob=0.5), GRID, pack)
    carried = EpisodeSampler(settings(kinds={"supervoxels": 1.0, "real": 1.0}, self_pair_prob=0.5,
                                      correspondence=True), GRID, pack)
    for n in range(4):
        a, b = plain(np.random.default_rng([3, n])), carried(np.random.default_rng([3, n]))
        assert "ref_coords" not in a and "ref_coords" in b
        for key in ("ref_image", "ref_masks", "query_image", "query_masks", "query_ignore"):
            assert torch.equal(a[key], b[key]), key

"""The dense correspondence loss on hand-made features and coordinates, and in a short training run."""
from __future__ import annotations

import csv

import numpy as np
import pytest
import torch

from irisseg.data.episodes import coordinate_channels
from irisseg.data.poses import identity_coords
from irisseg.train.correspondence import correspondence_loss, voxel_positions, scale_loss
from irisseg.train.trainer import CORRESPONDENCE_ROW, Trainer

from .fixtures import TINY_GRID, blob_episode, tiny_config


def _coords(grid: int, valid: torch.Tensor | None = None) -> torch.Tensor:
    """[4, grid/2, ...] as an episode carries them: identity coordinates, all inside the source unless ``valid``."""
    v = torch.ones((1, grid, grid, grid)) if valid is None else valid
    return coordinate_channels(identity_coords(grid), v)


def test_pooled_coordinates_are_the_mean_position_of_the_valid_voxels_and_need_them_all():
    valid = torch.ones((1, 8, 8, 8))
    valid[0, 0] = 0  # the first plane lies outside the source
    positions, ok = voxel_positions(_coords(8, valid), 2)
    assert positions.shape == (8, 3) and ok.tolist() == [False] * 4 + [True] * 4
    assert torch.allclose(positions[7], torch.tensor([0.5, 0.5, 0.5]))


def test_features_that_follow_their_tissue_score_lower_than_features_that_do_not():
    gen = torch.Generator().manual_seed(0)
    features = torch.randn(16, 8, 8, 8, generator=gen)
    coords = _coords(16)
    moved = features.flip(1)  # the query mirrored: its coordinates mirrored with it
    following = scale_loss(features, moved, coords, coords.flip(1), torch.Generator().manual_seed(1))
    ignoring = scale_loss(features, moved, coords, coords, torch.Generator().manual_seed(1))
    assert float(following) < 1.0 < np.log(512) < float(ignoring)  # chance: log of the 8^3 candidates


def test_an_episode_without_correspondences_gives_a_zero_that_still_reaches_the_features():
    features = [torch.randn(2, 4, 8, 8, 8, requires_grad=True), torch.randn(2, 4, 4, 4, 4, requires_grad=True)]
    no_source = torch.zeros(2, 4, 8, 8, 8)
    loss = correspondence_loss(features, features, no_source, no_source, scales=[0, 1])
    assert float(loss.detach()) == 0.0 and loss.requires_grad


def test_scales_finer_than_the_coordinates_are_left_out():
    coarse = torch.randn(1, 4, 4, 4, 4, requires_grad=True)
    fine = torch.randn(1, 4, 16, 16, 16, requires_grad=True)
    coords = _coords(16)[None]  # at 8^3
    correspondence_loss([fine, coarse], [fine, coarse], coords, coords, scales=[0, 1]).backward()
    assert fine.grad is None or float(fine.grad.abs().sum()) == 0.0
    assert coarse.grad is not None


def _blob_episode_with_coords(rng: np.random.Generator) -> dict:
    """A blob episode whose query is the reference image itself, with the coordinates that say so."""
    e = blob_episode(rng)
    e["query_image"], e["query_masks"] = e["ref_image"], e["ref_masks"]
    e["ref_coords"] = e["query_coords"] = _coords(TINY_GRID)
    return e


def test_a_run_with_the_correspondence_loss_logs_it_beside_the_episode_kinds(tmp_path):
    cfg = tiny_config(correspondence_weight=0.5)
    cfg.data.correspondence = True
    Trainer(cfg, tmp_path, _blob_episode_with_coords, progress=False).run()
    with open(tmp_path / "kind_loss.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == CORRESPONDENCE_ROW]
    assert len(rows) == 4 and all(float(r["loss"]) > 0 for r in rows)


def test_the_loss_weight_needs_episodes_with_coordinates(tmp_path):
    with pytest.raises(ValueError, match="data.correspondence"):
        Trainer(tiny_config(correspondence_weight=0.5), tmp_path, blob_episode, progress=False)


def _with_memory(cfg):
    cfg.model.memory_channels, cfg.model.memory_scale = 4, 2  # 4^3 reference voxels on the 16 grid
    cfg.model.__post_init__()
    return cfg


def test_a_run_can_ask_the_memorys_projections_rather_than_the_features_to_match(tmp_path):
    cfg = _with_memory(tiny_config(correspondence_weight=0.5, correspondence_on="memory"))
    cfg.data.correspondence = True
    trainer = Trainer(cfg, tmp_path, _blob_episode_with_coords, progress=False)
    assert trainer.correspondence_scales == [0]
    trainer.run()
    with open(tmp_path / "kind_loss.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == CORRESPONDENCE_ROW]
    assert len(rows) == 4 and all(float(r["loss"]) > 0 for r in rows)


def test_matching_on_the_memory_needs_a_model_with_one(tmp_path):
    cfg = tiny_config(correspondence_weight=0.5, correspondence_on="memory")
    cfg.data.correspondence = True
    with pytest.raises(ValueError, match="memory_channels"):
        Trainer(cfg, tmp_path, _blob_episode_with_coords, progress=False)


def test_an_unknown_thing_to_match_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="correspondence_on"):
        Trainer(tiny_config(correspondence_on="tokens"), tmp_path, blob_episode, progress=False)

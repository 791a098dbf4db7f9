"""Prototype matching alone, mean against local prototypes, on a tiny real model and synthetic episodes."""
from __future__ import annotations

import torch

from irisseg.evaluation.box_choice import CONCLUSION
from irisseg.evaluation.episode_dice import sampler_for
from irisseg.evaluation.prototype_matching import MatchingScore, local_prototypes, match, report, score_kind
from irisseg.model import build_iris


def test_local_prototypes_are_the_windows_inside_and_outside_the_mask_after_the_two_means():
    features = torch.zeros(2, 16, 16, 16)
    features[0, :8] = 1.0  # the left half: channel 0
    features[1, 8:] = 1.0  # the right half: channel 1
    mask = torch.zeros(16, 16, 16, dtype=torch.bool)
    mask[:8] = True
    fg, bg = local_prototypes(features, mask)
    assert fg.shape == (1 + 256, 2) and bg.shape == (1 + 256, 2)  # 8^3 windows of 2 voxels a side: half inside
    assert torch.allclose(fg, torch.tensor([1.0, 0.0]).expand_as(fg))
    assert torch.allclose(bg, torch.tensor([0.0, 1.0]).expand_as(bg))


def test_a_voxel_is_foreground_where_it_is_closer_to_a_foreground_prototype_than_to_every_background_one():
    features = torch.zeros(2, 4, 4, 4)
    features[0, :, :, :2] = 1.0
    features[1, :, :, 2:] = 1.0
    fg, bg = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0], [0.0, 2.0]])
    diff = match(features, fg, bg, [4, 4, 4])
    assert bool((diff[:, :, :2] > 0).all()) and bool((diff[:, :, 2:] < 0).all())


def test_each_kind_scores_every_method_on_queries_and_own_references(tiny_cfg):
    tiny_cfg.model.prototype_scales = 2
    model = build_iris(tiny_cfg.model).eval()
    score = score_kind(model, sampler_for(tiny_cfg, "shapes", None, synthetic_only=True), "shapes", episodes=2)
    assert score.classes > 0 and len(score.local_by_scale) == len(tiny_cfg.model.channels)
    for pair in (score.mean, score.local, *score.local_by_scale):
        assert all(0.0 <= v <= 1.0 for v in pair)


def test_a_rewritten_matching_report_keeps_its_conclusion():
    scores = [MatchingScore("supervoxels", 9, (0.1, 0.2), ((0.3, 0.4), (0.5, 0.6)), (0.7, 0.8))]
    previous = report(scores, [1], ["old"], None) + f"\n{CONCLUSION}\n\nLocal wins.\n"
    rewritten = report(scores, [1], ["new"], previous)
    assert "| supervoxels | 9 | 0.100 / 0.200 | 0.700 / 0.800 | 0.300 / 0.400 | 0.500 / 0.600 |" in rewritten
    assert "old" not in rewritten and rewritten.rstrip().endswith(f"{CONCLUSION}\n\nLocal wins.")

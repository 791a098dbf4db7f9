"""Dice per episode kind, on a tiny real model and synthetic episodes."""
from __future__ import annotations

import torch

from irisseg.evaluation.box_choice import CONCLUSION
from irisseg.evaluation.episode_dice import KindScore, class_dice, matching_logits, report, sampler_for, score_kind
from irisseg.model import build_iris


def _target():
    t = torch.zeros(3, 4, 4, 4)
    t[0, :2] = 1
    t[1, 2:] = 1
    return t  # class 2 empty


def test_a_perfect_prediction_scores_one_for_each_valid_class_with_voxels():
    t = _target()
    logits = torch.where(t > 0.5, 5.0, -5.0)
    assert class_dice(logits, t, torch.tensor([True, True, True]), torch.zeros(4, 4, 4)) == [1.0, 1.0]


def test_invalid_classes_are_not_scored_and_ignored_voxels_do_not_count():
    t = _target()
    logits = torch.full_like(t, 5.0)  # everything predicted
    ignore = torch.zeros(4, 4, 4)
    ignore[2:] = 1  # class 0 alone where not ignored: its prediction there is exact
    assert class_dice(logits, t, torch.tensor([True, False, True]), ignore) == [1.0]


def test_each_kind_scores_its_episodes_queries_and_own_references(tiny_cfg):
    model = build_iris(tiny_cfg.model).eval()
    sampler = sampler_for(tiny_cfg, "shapes", None, synthetic_only=True)
    score = score_kind(model, sampler, "shapes", episodes=3)
    assert score.kind == "shapes" and score.episodes == 3 and score.classes > 0
    assert 0.0 <= score.query <= 1.0 and 0.0 <= score.reference_as_query <= 1.0


def test_a_rewritten_kind_report_keeps_its_conclusion():
    scores = [KindScore("supervoxels", 4, 9, 0.1, 0.45)]
    previous = report(scores, ["old"], None) + f"\n{CONCLUSION}\n\nNot learned.\n"
    rewritten = report(scores, ["new"], previous)
    assert "| supervoxels | 4 | 9 | 0.100 | 0.450 | – | – | – | – |" in rewritten
    assert "old" not in rewritten and rewritten.rstrip().endswith(f"{CONCLUSION}\n\nNot learned.")


def test_a_model_with_prototypes_is_scored_again_with_its_refiner_off_and_keeps_it(tiny_cfg):
    tiny_cfg.model.prototype_scales = 2
    model = build_iris(tiny_cfg.model).eval()
    refiner = model.decoder.refiner
    score = score_kind(model, sampler_for(tiny_cfg, "shapes", None, synthetic_only=True), "shapes", episodes=2)
    assert score.query_without_prototypes is not None and 0.0 <= score.reference_as_query_without_prototypes <= 1.0
    assert score.query_matching is not None and 0.0 <= score.reference_as_query_matching <= 1.0
    assert model.decoder.refiner is refiner


def test_prototype_matching_alone_marks_voxels_closer_to_the_foreground_prototype(tiny_cfg):
    tiny_cfg.model.prototype_scales = 2
    model = build_iris(tiny_cfg.model).eval()
    g = tiny_cfg.model.grid_size
    image = torch.zeros(1, 1, g, g, g)
    mask = torch.zeros(1, 1, g, g, g)
    image[..., : g // 2, :, :] = 1.0  # one half bright: its features differ from the other half's
    mask[..., : g // 2, :, :] = 1.0
    with torch.no_grad():
        features = model.encode_image(image)
        logits = matching_logits(model, features, model.encode_task(features, mask))
    assert logits.shape == (1, 1, g, g, g)
    assert float(logits[0, 0, 2, g // 2, g // 2]) > 0 > float(logits[0, 0, g - 3, g // 2, g // 2])
    # everything foreground would score 0.67; only the blurred border between the halves may be wrong
    assert class_dice(logits[0], mask[0], torch.tensor([True]), torch.zeros(g, g, g))[0] > 0.9

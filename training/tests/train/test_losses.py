import math

import pytest
import torch

from irisseg.train.losses import bce_loss, deep_supervision_loss, dice_bce_loss, downsample_target, soft_dice_loss


def test_soft_dice_of_half_probabilities_has_the_closed_form_value():
    logits = torch.zeros(1, 1, 2, 2, 1)  # p = 0.5 on 4 voxels
    target = torch.tensor([1.0, 1.0, 0.0, 0.0]).reshape(1, 1, 2, 2, 1)
    # intersection 1, sum p + sum t = 4  ->  1 - (2 + 1) / (4 + 1)
    assert soft_dice_loss(logits, target).item() == pytest.approx(0.4)


def test_soft_dice_is_zero_for_a_confident_correct_prediction_and_near_one_for_a_wrong_one():
    target = torch.tensor([1.0, 1.0, 0.0, 0.0] * 8).reshape(1, 1, 2, 4, 4)
    right = (target * 2 - 1) * 30
    assert soft_dice_loss(right, target).item() == pytest.approx(0.0, abs=1e-6)
    assert soft_dice_loss(-right, target).item() > 0.9


def test_bce_of_zero_logits_is_log_two_per_class():
    loss = bce_loss(torch.zeros(2, 3, 2, 2, 2), torch.ones(2, 3, 2, 2, 2))
    assert loss.shape == (2, 3)
    assert torch.allclose(loss, torch.full((2, 3), math.log(2.0)))


def test_invalid_classes_do_not_count():
    target = torch.zeros(1, 2, 2, 2, 2)
    target[0, 0, 0] = 1.0
    logits = (target * 2 - 1) * 30  # class 0 perfect
    logits[0, 1] = 30.0  # class 1 all wrong
    only_first = dice_bce_loss(logits, target, torch.tensor([[True, False]]))
    both = dice_bce_loss(logits, target, torch.tensor([[True, True]]))
    assert only_first.item() == pytest.approx(0.0, abs=1e-6)
    assert both.item() > 1.0


def test_no_valid_class_gives_zero_that_still_reaches_the_logits():
    logits = torch.randn(1, 2, 2, 2, 2, requires_grad=True)
    loss = dice_bce_loss(logits, torch.ones(1, 2, 2, 2, 2), torch.zeros(1, 2, dtype=torch.bool))
    loss.backward()
    assert loss.item() == 0.0
    assert logits.grad is not None and torch.all(logits.grad == 0)


def test_downsample_target_is_the_area_fraction():
    target = torch.zeros(1, 1, 4, 4, 4)
    target[0, 0, :2, :2, :1] = 1.0  # 4 of the 8 voxels of the first 2x2x2 block
    small = downsample_target(target, (2, 2, 2))
    assert small.shape == (1, 1, 2, 2, 2)
    assert small[0, 0, 0, 0, 0].item() == pytest.approx(0.5)
    assert small.sum().item() == pytest.approx(0.5)


def test_deep_supervision_without_aux_is_the_plain_loss():
    logits = torch.randn(2, 2, 4, 4, 4)
    target = (torch.rand(2, 2, 4, 4, 4) > 0.5).float()
    valid = torch.tensor([[True, True], [True, False]])
    assert deep_supervision_loss(logits, [], target, valid).item() == pytest.approx(dice_bce_loss(logits, target, valid).item())


def test_deep_supervision_weights_each_scale_and_normalises():
    target = (torch.rand(1, 1, 8, 8, 8) > 0.5).float()
    logits, aux1, aux2 = torch.randn(1, 1, 8, 8, 8), torch.randn(1, 1, 4, 4, 4), torch.randn(1, 1, 2, 2, 2)
    valid = torch.ones(1, 1, dtype=torch.bool)
    parts = [dice_bce_loss(logits, target, valid),
             dice_bce_loss(aux1, downsample_target(target, (4, 4, 4)), valid),
             dice_bce_loss(aux2, downsample_target(target, (2, 2, 2)), valid)]
    expected = (1.0 * parts[0] + 0.8 * parts[1] + 0.6 * parts[2]) / 2.4
    got = deep_supervision_loss(logits, [aux1, aux2], target, valid)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)
    # only as many outputs as weights are used
    assert deep_supervision_loss(logits, [aux1, aux2], target, valid, weights=[1.0]).item() == pytest.approx(parts[0].item())


def test_bf16_logits_give_a_float32_loss():
    logits = torch.randn(1, 1, 4, 4, 4).bfloat16()
    loss = deep_supervision_loss(logits, [], torch.ones(1, 1, 4, 4, 4), torch.ones(1, 1, dtype=torch.bool))
    assert loss.dtype == torch.float32


def test_ignored_voxels_do_not_change_the_loss():
    torch.manual_seed(0)
    logits = torch.randn(1, 2, 8, 8, 8)
    target = (torch.rand(1, 2, 8, 8, 8) > 0.5).float()
    weight = torch.ones(1, 1, 8, 8, 8)
    weight[..., :4] = 0.0
    changed = logits.clone()
    changed[..., :4] = 50.0  # confident nonsense where nothing counts
    valid = torch.ones(1, 2, dtype=torch.bool)
    from irisseg.train.losses import dice_bce_loss
    assert torch.allclose(dice_bce_loss(logits, target, valid, weight), dice_bce_loss(changed, target, valid, weight))
    assert not torch.allclose(dice_bce_loss(logits, target, valid), dice_bce_loss(changed, target, valid))


def test_per_episode_loss_averages_each_episodes_valid_classes():
    from irisseg.train.losses import per_class_loss, per_episode_loss
    torch.manual_seed(1)
    logits = torch.randn(2, 3, 4, 4, 4)
    target = (torch.rand(2, 3, 4, 4, 4) > 0.5).float()
    valid = torch.tensor([[True, False, True], [False, False, False]])
    per_class = per_class_loss(logits, target)
    episode = per_episode_loss(logits, target, valid)
    assert torch.isclose(episode[0], (per_class[0, 0] + per_class[0, 2]) / 2)
    assert torch.isnan(episode[1])

import math

import pytest
import torch

from irisseg.train.lamb import Lamb


def test_first_step_moves_by_the_trust_ratio_times_the_sign_of_the_gradient():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    p.grad = torch.tensor([0.5, -3.0])
    Lamb([p], lr=0.1, weight_decay=0.0, eps=0.0).step()
    # first Adam step: m_hat / sqrt(v_hat) = sign(g) = [1, -1]; trust = |p| / |u| = sqrt(5) / sqrt(2)
    trust = math.sqrt(5.0) / math.sqrt(2.0)
    assert p.detach().tolist() == pytest.approx([1.0 - 0.1 * trust, 2.0 + 0.1 * trust], rel=1e-6)


def test_weight_decay_enters_the_update():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    p.grad = torch.tensor([0.5, -3.0])
    Lamb([p], lr=0.1, weight_decay=0.5, eps=0.0).step()
    u = torch.tensor([1.0, -1.0]) + 0.5 * torch.tensor([1.0, 2.0])
    trust = math.sqrt(5.0) / float(u.norm())
    assert p.detach().tolist() == pytest.approx((torch.tensor([1.0, 2.0]) - 0.1 * trust * u).tolist(), rel=1e-6)


def test_zero_weights_use_a_trust_ratio_of_one():
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([1.0, -1.0, 2.0])
    Lamb([p], lr=0.01, eps=0.0).step()
    assert p.detach().tolist() == pytest.approx([-0.01, 0.01, -0.01])


def test_minimises_a_quadratic_and_round_trips_its_state():
    torch.manual_seed(0)
    target = torch.randn(20)
    p = torch.nn.Parameter(torch.randn(20))
    opt = Lamb([p], lr=0.05)
    start = float(((p.detach() - target) ** 2).sum())
    for _ in range(200):
        opt.zero_grad()
        ((p - target) ** 2).sum().backward()
        opt.step()
    assert float(((p.detach() - target) ** 2).sum()) < 0.01 * start
    again = Lamb([p], lr=0.05)
    again.load_state_dict(opt.state_dict())
    assert again.state[p]["step"] == 200

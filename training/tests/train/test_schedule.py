import pytest
import torch

from irisseg.train.schedule import WarmupCosine, warmup_cosine_scheduler


def test_warmup_rises_linearly_then_cosine_decays_to_the_floor():
    f = WarmupCosine(warmup=4, total=14, min_ratio=0.1)
    assert [f(s) for s in range(4)] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert f(4) == pytest.approx(1.0)
    assert f(9) == pytest.approx(0.1 + 0.9 * 0.5)  # half way through the decay
    assert f(14) == pytest.approx(0.1)
    assert f(100) == pytest.approx(0.1)


def test_scheduler_state_round_trips():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=1.0)
    sched = warmup_cosine_scheduler(opt, warmup=2, total=10)
    for _ in range(5):
        opt.step()
        sched.step()
    opt2 = torch.optim.AdamW([p], lr=1.0)
    sched2 = warmup_cosine_scheduler(opt2, warmup=2, total=10)
    sched2.load_state_dict(sched.state_dict())
    assert sched2.last_epoch == 5
    assert sched2.get_last_lr() == pytest.approx(sched.get_last_lr())


def test_setting_the_total_moves_the_end_of_the_decay():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=1.0)
    sched = warmup_cosine_scheduler(opt, warmup=0, total=100, min_ratio=0.1)
    sched.set_total(4)
    for _ in range(4):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(0.1)


def test_a_set_total_is_kept_in_the_scheduler_state():
    p = torch.nn.Parameter(torch.zeros(1))
    sched = warmup_cosine_scheduler(torch.optim.AdamW([p], lr=1.0), warmup=2, total=100)
    sched.set_total(7)
    restored = warmup_cosine_scheduler(torch.optim.AdamW([p], lr=1.0), warmup=2, total=100)
    restored.load_state_dict(sched.state_dict())
    assert restored.lr_lambdas[0].total == 7

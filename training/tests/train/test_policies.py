import math

import pytest
import torch

from irisseg.train.distributed import DistributedContext
from irisseg.train.policies import (
    FIT_RESERVE_FRACTION, FIT_RESERVE_S, Checkpointing, LogWindow, TimeBudget, TimeFit, log_due, stop_agreed,
)

ONE_PROCESS = DistributedContext()


def test_a_budget_expires_at_its_deadline():
    budget = TimeBudget(start=100.0, max_minutes=2.0)
    assert not budget.expired(219.9) and budget.expired(220.0)


def test_without_minutes_the_budget_never_expires():
    assert TimeBudget(start=0.0).deadline == math.inf


def test_a_stop_request_stops_within_the_budget():
    assert stop_agreed(True, TimeBudget(start=0.0, max_minutes=1.0), 1.0, ONE_PROCESS)


def test_a_spent_budget_stops_without_a_request():
    assert stop_agreed(False, TimeBudget(start=0.0, max_minutes=1.0), 60.0, ONE_PROCESS)


def test_time_fit_plans_from_the_rate_after_the_first_iteration_and_keeps_a_reserve():
    fit = TimeFit(TimeBudget(start=0.0, max_minutes=1.0), start_iteration=10, enabled=True)
    assert fit.after_iteration(11, 1.0, ONE_PROCESS) is None  # the first iteration starts the clock
    assert fit.after_iteration(12, 2.0, ONE_PROCESS) is None
    assert fit.after_iteration(13, 2.5, ONE_PROCESS) is None  # under 5 % of the budget and 30 iterations
    rate, seconds_left = fit.after_iteration(14, 4.0, ONE_PROCESS)
    assert rate == pytest.approx(3 / 3.0)
    assert seconds_left == pytest.approx(60.0 - 4.0 - (FIT_RESERVE_FRACTION * 60.0 + FIT_RESERVE_S))


def test_time_fit_plans_again_every_tenth_of_the_budget_from_the_recent_rate():
    fit = TimeFit(TimeBudget(start=0.0, max_minutes=1.0), start_iteration=0, enabled=True)
    # one iteration a second up to 10 s, then one every two seconds: a CPU that other work now shares
    times = [float(i) for i in range(1, 11)] + [10.0 + 2.0 * i for i in range(1, 20)]
    plans = {i + 1: fit.after_iteration(i + 1, t, ONE_PROCESS) for i, t in enumerate(times)}
    planned = {i: p for i, p in plans.items() if p is not None}
    assert list(planned) == [3, 9, 13, 16, 19, 22, 25, 28]  # 5 % of the budget (3 s), then every 6 s
    assert planned[3][0] == pytest.approx(1.0) and planned[9][0] == pytest.approx(1.0)
    assert planned[16][0] == pytest.approx(0.5)
    assert planned[16][1] == pytest.approx(60.0 - 22.0 - (FIT_RESERVE_FRACTION * 60.0 + FIT_RESERVE_S))


def test_time_fit_is_off_without_a_budget():
    fit = TimeFit(TimeBudget(start=0.0), start_iteration=0, enabled=True)
    assert all(fit.after_iteration(i, 10.0 * i, ONE_PROCESS) is None for i in range(1, 40))


def test_checkpoints_are_saved_every_n_iterations():
    saved = []
    checkpoints = Checkpointing(3, lambda: saved.append("save"))
    for iteration in range(1, 8):
        checkpoints.after_iteration(iteration)
    assert checkpoints.saved_at == 6 and len(saved) == 2


def test_the_final_save_is_skipped_when_the_last_save_was_at_the_current_iteration():
    saved = []
    checkpoints = Checkpointing(3, lambda: saved.append("save"))
    checkpoints.after_iteration(6)
    checkpoints.finish(6)
    assert len(saved) == 1


def test_the_final_save_happens_when_the_last_save_was_earlier():
    saved = []
    checkpoints = Checkpointing(3, lambda: saved.append("save"))
    checkpoints.after_iteration(6)
    checkpoints.finish(7)
    assert checkpoints.saved_at == 7 and len(saved) == 2


def test_a_log_row_is_due_every_log_every_iterations_and_at_the_planned_end():
    assert [i for i in range(1, 12) if log_due(i, 4, 11)] == [4, 8, 11]


def test_the_window_loss_is_the_mean_of_its_finite_losses():
    window = LogWindow(torch.device("cpu"), now=0.0)
    for value in (1.0, float("nan"), 3.0, float("inf")):
        window.add(torch.tensor(value))
    assert window.mean_loss() == 2.0 and window.iterations == 4


def test_a_window_without_finite_losses_has_a_nan_loss():
    window = LogWindow(torch.device("cpu"), now=0.0)
    window.add(torch.tensor(float("nan")))
    assert math.isnan(window.mean_loss())


def test_the_window_rate_counts_its_iterations_since_its_start():
    window = LogWindow(torch.device("cpu"), now=10.0)
    for _ in range(6):
        window.add(torch.tensor(1.0))
    assert window.it_per_s(13.0) == pytest.approx(2.0)


def test_a_reset_window_starts_empty_at_the_given_time():
    window = LogWindow(torch.device("cpu"), now=0.0)
    window.add(torch.tensor(5.0))
    window.reset(now=7.0)
    window.add(torch.tensor(1.0))
    assert window.mean_loss() == 1.0 and window.iterations == 1 and window.start == 7.0

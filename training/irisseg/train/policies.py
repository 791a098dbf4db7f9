"""The policies of the training loop: time budget and stopping, fitting the plan to the time, checkpoints, log window.

Every rank runs the same policies on the same iterations; the functions that take a ``DistributedContext``
are collectives (all ranks must call them at the same point), so every rank reaches the same decisions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import Tensor

from irisseg.train.distributed import DistributedContext, any_rank

FIT_AFTER_ITERATIONS = 30
FIT_AFTER_BUDGET_FRACTION = 0.05
FIT_RESERVE_FRACTION = 0.03
FIT_RESERVE_S = 10.0
"""``run(fit_to_time=True)`` times the session's iterations 2..30 (or its first 5 % of the budget) and keeps
3 % of the budget plus 10 s in reserve for the last checkpoint."""
FIT_MIN_ITERATIONS = 3
"""Session iterations done before a plan is made, however early the other conditions hold."""
FIT_REPLAN_FRACTION = 0.1
"""After the first plan, the plan is made again every tenth of the budget from the rate since the previous
one, so a run whose speed changes (a CPU shared with other work) still ends its decay at the deadline."""


# ---------------------------------------------------------------------- time budget and stopping
@dataclass(frozen=True)
class TimeBudget:
    """The wall clock of one ``run`` call: ``start`` (``time.perf_counter()``) and ``max_minutes`` (None: no budget)."""

    start: float
    max_minutes: Optional[float] = None

    @property
    def deadline(self) -> float:
        """``time.perf_counter()`` at which the budget is spent (infinite without a budget)."""
        return self.start + self.max_minutes * 60.0 if self.max_minutes else math.inf

    def expired(self, now: float) -> bool:
        return now >= self.deadline


def stop_agreed(requested: bool, budget: TimeBudget, now: float, ctx: DistributedContext) -> bool:
    """Whether to stop: a stop was requested or the budget is spent on any rank (a collective: same answer everywhere)."""
    return any_rank(requested or budget.expired(now), ctx)


# ---------------------------------------------------------------------- time fitting
class TimeFit:
    """The ``fit_to_time`` plan: the rate and the time left to plan the total with.

    Times the session's iterations after its first (which includes the warm-up) and plans when any rank has
    done ``FIT_AFTER_ITERATIONS`` of them or spent ``FIT_AFTER_BUDGET_FRACTION`` of the budget; then again
    every ``FIT_REPLAN_FRACTION`` of the budget, from the rate since the previous plan. Off without a budget.
    """

    def __init__(self, budget: TimeBudget, start_iteration: int, enabled: bool) -> None:
        self.budget = budget
        self.start_iteration = start_iteration
        self.enabled = bool(enabled and budget.max_minutes)
        self.first_done: Optional[float] = None  # time at the end of the session's first iteration
        self.planned: Optional[tuple[int, float]] = None  # (iteration, time) of the latest plan

    def after_iteration(self, iteration: int, now: float, ctx: DistributedContext) -> Optional[tuple[float, float]]:
        """Called after every iteration (on every rank): ``(it_per_s, seconds_left)`` when it is time to plan, else None."""
        if self.first_done is None:
            self.first_done = now
        if not self._due(iteration, now, ctx):
            return None
        since = self.planned or (self.start_iteration + 1, self.first_done)
        self.planned = (iteration, now)
        return self._rate(iteration, now, since), self._seconds_left(now)

    def _due(self, iteration: int, now: float, ctx: DistributedContext) -> bool:
        """Whether to plan now (a collective once ``FIT_MIN_ITERATIONS`` are done while planning is on)."""
        if not self.enabled or iteration - self.start_iteration < FIT_MIN_ITERATIONS:
            return False
        budget_s = self.budget.max_minutes * 60.0
        if self.planned is None:
            return any_rank(iteration - self.start_iteration >= FIT_AFTER_ITERATIONS
                            or now - self.budget.start >= FIT_AFTER_BUDGET_FRACTION * budget_s, ctx)
        return any_rank(now - self.planned[1] >= FIT_REPLAN_FRACTION * budget_s and iteration > self.planned[0], ctx)

    @staticmethod
    def _rate(iteration: int, now: float, since: tuple[int, float]) -> float:
        """Iterations per second since ``(iteration, time)``."""
        return (iteration - since[0]) / max(now - since[1], 1e-9)

    def _seconds_left(self, now: float) -> float:
        """Seconds to the deadline, less the reserve for the last checkpoint."""
        reserve = FIT_RESERVE_FRACTION * self.budget.max_minutes * 60.0 + FIT_RESERVE_S
        return self.budget.deadline - now - reserve


# ---------------------------------------------------------------------- checkpointing
class Checkpointing:
    """Calls ``save`` every ``every`` iterations, and once at the end unless the last save was at that iteration."""

    def __init__(self, every: int, save: Callable[[], None]) -> None:
        self.every = every
        self.save = save
        self.saved_at = -1

    def after_iteration(self, iteration: int) -> None:
        if iteration % self.every == 0:
            self._save(iteration)

    def finish(self, iteration: int) -> None:
        """The final save of a ``run`` call."""
        if self.saved_at != iteration:
            self._save(iteration)

    def _save(self, iteration: int) -> None:
        self.save()
        self.saved_at = iteration


# ---------------------------------------------------------------------- logging
def window_loss(loss_sum: Tensor, loss_count: Tensor) -> float:
    """Mean of the finite losses of a log window (NaN when none was finite)."""
    count = float(loss_count)
    return float(loss_sum) / count if count > 0 else float("nan")


def log_due(iteration: int, every: int, total: int) -> bool:
    """Whether iteration ``iteration`` gets a log row: every ``every`` iterations and at the planned ``total``."""
    return iteration % every == 0 or iteration == total


class LogWindow:
    """The iterations since the last log row: their count, start time, and the sum and count of their finite losses.

    The sums stay on the device, so that adding a loss does not wait for it.
    """

    def __init__(self, device: torch.device, now: float) -> None:
        self.loss_sum = torch.zeros((), device=device)
        self.loss_count = torch.zeros((), device=device)
        self.start = now
        self.iterations = 0

    def add(self, loss: Tensor) -> None:
        """Count an iteration and, when finite, its loss."""
        finite = torch.isfinite(loss)
        self.loss_sum += torch.where(finite, loss, torch.zeros_like(loss))
        self.loss_count += finite.float()
        self.iterations += 1

    def mean_loss(self) -> float:
        return window_loss(self.loss_sum, self.loss_count)

    def it_per_s(self, now: float) -> float:
        return self.iterations / max(now - self.start, 1e-9)

    def reset(self, now: float) -> None:
        """Start a fresh window at ``now``."""
        self.loss_sum.zero_()
        self.loss_count.zero_()
        self.start = now
        self.iterations = 0

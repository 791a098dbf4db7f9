"""Episodic training loop: exact resume, atomic checkpoints, weight EMA, memory bank, DDP.

One iteration: every rank takes its batch of episodes (reference image + masks, query image + masks),
runs the model, computes Dice + BCE with deep supervision on the query, and steps the optimiser;
DDP averages the gradients across ranks. See ``checkpoint.py`` for what a run directory holds.
"""
from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import torch
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel

from irisseg.config import IrisConfig, config_to_dict
from irisseg.model.builder import build_iris
from irisseg.train import checkpoint as ckpt
from irisseg.train.csv_log import CsvLog
from irisseg.train.distributed import (
    DistributedContext, gather_objects, mean_over_ranks, min_over_ranks, pick_device,
)
from irisseg.train.episode_forward import EpisodeForward
from irisseg.train.episode_stream import EpisodeFn, EpisodeStream
from irisseg.train.correspondence import correspondence_loss
from irisseg.train.losses import deep_supervision_loss, per_episode_loss
from irisseg.train.memory_bank import MemoryBank, named_rows
from irisseg.train.optim import build_optimizer
from irisseg.train.policies import Checkpointing, LogWindow, TimeBudget, TimeFit, log_due, stop_agreed
from irisseg.train.progress import ProgressBar
from irisseg.train.rng_state import capture_rng_state, restore_rng_state, seed_everything
from irisseg.train.schedule import warmup_cosine_scheduler
from irisseg.train.weight_ema import WeightEMA
from irisseg.weights import FORMAT as WEIGHTS_FORMAT, ancestry_iterations, load_warm_start, provenance

KIND_LOG_FIELDS = ("iteration", "kind", "loss", "episodes")
"""Columns of ``kind_loss.csv``: the main output's Dice + BCE per episode kind, averaged over a log window,
and with ``TrainConfig.correspondence_weight`` a row ``CORRESPONDENCE_ROW`` (the batches' correspondence loss;
``episodes`` counts batches)."""
CORRESPONDENCE_ROW = "correspondence"
MAX_SKIPPED_IN_A_ROW = 20
"""Consecutive non-finite gradient steps tolerated (skipped) before training gives up."""


@dataclass
class TrainResult:
    iteration: int  # iterations done in total (over all sessions of the run)
    session_iterations: int  # iterations done by this call
    stopped_early: bool  # a time budget or a stop request ended the call before the last iteration
    elapsed_s: float  # training wall time over all sessions
    session_it_per_s: float
    last_loss: float


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads)"


class Trainer:
    """Owns model, optimiser, scheduler, weight EMA, memory bank and the episode stream of one rank.

    ``make_episode(rng) -> episode`` is described in ``episode_stream.py``. ``on_iteration(trainer)``,
    when given, is called after every completed iteration (after any checkpoint of that iteration).
    """

    def __init__(
        self,
        cfg: IrisConfig,
        run_dir: str | Path,
        make_episode: EpisodeFn,
        ctx: Optional[DistributedContext] = None,
        on_iteration: Optional[Callable[["Trainer"], None]] = None,
        progress: bool = True,
    ) -> None:
        self.cfg = cfg
        self.run_dir = Path(run_dir)
        tc = cfg.train
        if tc.correspondence_weight > 0 and not cfg.data.correspondence:
            raise ValueError("train.correspondence_weight > 0 needs data.correspondence: true (episodes with coordinates)")
        if tc.correspondence_on not in ("features", "memory"):
            raise ValueError(f"train.correspondence_on={tc.correspondence_on!r}: 'features' or 'memory'")
        if tc.correspondence_on == "memory" and cfg.model.memory_channels == 0:
            raise ValueError("train.correspondence_on: memory needs a model with model.memory_channels > 0")
        # the features prototype matching compares (all but the finest scale for a model without prototypes), or
        # the memory's one pair of projections
        self.correspondence_scales = ([0] if tc.correspondence_on == "memory" else
                                      cfg.model.prototype_scale_ids() or list(range(1, len(cfg.model.channels))))
        if tc.threads > 0:
            torch.set_num_threads(tc.threads)
        self.ctx = ctx or DistributedContext(device=pick_device(tc.device))
        self.device = self.ctx.device
        self.on_iteration = on_iteration
        self.progress = progress and self.ctx.is_main

        seed_everything(tc.seed)  # identical initial weights on every rank
        self.model = build_iris(cfg.model).to(self.device)
        self.model.train()
        forward = EpisodeForward(self.model, tc.correspondence_on)
        if self.ctx.is_distributed:
            device_ids = [self.device.index] if self.device.type == "cuda" else None
            forward = DistributedDataParallel(forward, device_ids=device_ids)
        self.forward = forward
        self.optimizer = build_optimizer(self.model.parameters(), tc.optimizer, tc.lr, tc.weight_decay, self.device)
        self.scheduler = warmup_cosine_scheduler(self.optimizer, tc.warmup, tc.iterations, tc.min_lr_ratio)
        self.weight_ema = WeightEMA(self.model, tc.weight_ema) if tc.weight_ema > 0 else None
        self.memory_bank = MemoryBank(tc.memory_bank_momentum)
        self.memory_bank.history.append("training: EMA of the task embeddings of the training episodes")
        self.stream = EpisodeStream(make_episode, tc.batch_size, tc.seed, self.ctx.rank, tc.num_workers)
        self.autocast = tc.amp and self.device.type == "cuda"
        self.iteration = 0
        self.total_iterations = tc.iterations  # lowered by run(fit_to_time=True) to what the time budget allows
        self.elapsed_s = 0.0
        self.skipped_steps = 0
        self.started_from: dict[str, Any] | None = None  # warm start: see irisseg.weights.provenance
        self._skipped_in_a_row = 0
        self._stop_requested = False
        self.kind_losses: dict[str, tuple[float, int]] = {}  # episode kind -> (loss sum, episodes) of the log window
        seed_everything(tc.seed + 1_000_003 * self.ctx.rank)  # per-rank stream for anything drawn in training

    # ------------------------------------------------------------------ state
    def request_stop(self) -> None:
        """Ask the loop to checkpoint and return after the current iteration (signal handlers call this)."""
        self._stop_requested = True

    def save(self) -> None:
        """Write ``last.pt``, ``model.pt``, ``memory_bank.pt`` and ``summary.json`` (rank 0 writes; all ranks must call)."""
        rng_states = gather_objects(capture_rng_state(), self.ctx)
        if not self.ctx.is_main:
            return
        config = config_to_dict(self.cfg)
        state = {
            "format": ckpt.CHECKPOINT_FORMAT,
            "iteration": self.iteration,
            "config": config,
            "model": ckpt.cpu_float_state(self.model.state_dict()),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "weight_ema": self.weight_ema.state_dict() if self.weight_ema else None,
            "memory_bank": self.memory_bank.state_dict(),
            "rng": rng_states,
            "total_iterations": self.total_iterations,
            "elapsed_s": self.elapsed_s,
            "skipped_steps": self.skipped_steps,
            "started_from": self.started_from,
        }
        ckpt.atomic_save(state, self.run_dir / ckpt.LAST)
        export_weights = self.weight_ema.shadow if self.weight_ema else state["model"]
        ckpt.atomic_save(
            {"format": WEIGHTS_FORMAT, "config": config, "model": ckpt.cpu_float_state(export_weights),
             "meta": self.summary()},
            self.run_dir / ckpt.MODEL,
        )
        self.memory_bank.save(self.run_dir / ckpt.MEMORY_BANK)
        self._write_summary()

    def summary(self) -> dict[str, Any]:
        """What a model card needs: iterations, hardware, wall time, throughput, data settings."""
        return {
            "iteration": self.iteration,
            "iterations_planned": self.total_iterations,
            "elapsed_s": round(self.elapsed_s, 1),
            "mean_it_per_s": round(self.iteration / self.elapsed_s, 4) if self.elapsed_s > 0 else None,
            "device": device_description(self.device),
            "world_size": self.ctx.world_size,
            "batch_size_per_rank": self.cfg.train.batch_size,
            "optimizer": self.cfg.train.optimizer,
            "weights": "ema" if self.weight_ema else "trained",
            "memory_bank_classes": len(self.memory_bank),
            "skipped_steps": self.skipped_steps,
            "data": config_to_dict(self.cfg)["data"],
            "torch": str(torch.__version__),
            "started_from": self.started_from,
            "episode_offset": self.episode_offset,
        }

    @property
    def episode_offset(self) -> int:
        """Where this run's episode stream starts: 0 from scratch; after a warm start, past every iteration of
        the runs that made the weights (:func:`irisseg.weights.ancestry_iterations`), so that a run started
        from a previous run's weights continues that run's episodes instead of drawing them again. Follows
        ``started_from``, which the checkpoint keeps: a resumed run continues the same stream."""
        return ancestry_iterations(self.started_from)

    def _write_summary(self) -> None:
        summary = self.summary()
        tmp = self.run_dir / ".summary.json.tmp"
        tmp.write_text(json.dumps(summary, indent=2) + "\n")
        tmp.replace(self.run_dir / "summary.json")

    def resume(self, path: Optional[str | Path] = None) -> bool:
        """Load ``path`` (default ``<run_dir>/last.pt``); False when there is none."""
        path = Path(path) if path else self.run_dir / ckpt.LAST
        if not path.exists():
            return False
        state = ckpt.load_checkpoint(path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.weight_ema is not None:
            if state["weight_ema"] is not None:
                self.weight_ema.load_state_dict(state["weight_ema"])
            else:
                self.weight_ema = WeightEMA(self.model, self.cfg.train.weight_ema)
        self.memory_bank.load_state_dict(state["memory_bank"])
        rng = state["rng"]
        if len(rng) == self.ctx.world_size:
            restore_rng_state(rng[self.ctx.rank])
        else:  # a different number of processes: continue with fresh per-rank generators
            seed_everything(self.cfg.train.seed + 1_000_003 * self.ctx.rank + state["iteration"])
        self.iteration = int(state["iteration"])
        self.total_iterations = int(state.get("total_iterations", self.cfg.train.iterations))
        if int(state["config"]["train"]["iterations"]) != self.cfg.train.iterations:
            # the run was extended or shortened: the new plan (and the end of the decay) wins
            self.total_iterations = self.cfg.train.iterations
            self.scheduler.set_total(self.cfg.train.iterations)
        self.elapsed_s = float(state["elapsed_s"])
        self.skipped_steps = int(state.get("skipped_steps", 0))
        self.started_from = state.get("started_from")
        return True

    def load_weights(self, path: str | Path) -> list[str]:
        """Start from the weights of a ``model.pt`` or an exported model directory; optimiser and schedule
        stay fresh. Returns the parameters the source lacks (new modules keep their initial values)."""
        missing = load_warm_start(self.model, path)
        self.started_from = provenance(path)
        if self.weight_ema is not None:
            self.weight_ema = WeightEMA(self.model, self.cfg.train.weight_ema)
        return missing

    # ------------------------------------------------------------------ loop
    def train_step(self, batch: dict[str, Any]) -> Tensor:
        """One optimisation step on a batch (see ``episode_stream.py``); returns the loss (detached)."""
        dev = self.device
        ref_image = batch["ref_image"].to(dev, non_blocking=True)
        ref_masks = batch["ref_masks"].to(dev, non_blocking=True)
        query_image = batch["query_image"].to(dev, non_blocking=True)
        query_masks = batch["query_masks"].to(dev, non_blocking=True)
        class_valid = batch["class_valid"].to(dev, non_blocking=True)
        voxel_weight = 1.0 - batch["query_ignore"].to(dev, non_blocking=True) if "query_ignore" in batch else None
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=self.autocast):
            logits, aux, embedding, ref_features, query_features = self.forward(ref_image, ref_masks, query_image)
        loss = deep_supervision_loss(logits, aux, query_masks, class_valid, self.cfg.train.ds_weights, voxel_weight)
        if self.cfg.train.correspondence_weight > 0:
            matching = correspondence_loss(ref_features, query_features, batch["ref_coords"].to(dev),
                                           batch["query_coords"].to(dev), self.correspondence_scales)
            total, count = self.kind_losses.get(CORRESPONDENCE_ROW, (0.0, 0))
            self.kind_losses[CORRESPONDENCE_ROW] = (total + float(matching.detach()), count + 1)
            loss = loss + self.cfg.train.correspondence_weight * matching
        with torch.no_grad():
            episode_losses = per_episode_loss(logits.detach(), query_masks, class_valid, voxel_weight).cpu()
        for kind, value in zip(batch.get("kind", []), episode_losses.tolist()):
            if math.isfinite(value):
                total, count = self.kind_losses.get(kind or "unknown", (0.0, 0))
                self.kind_losses[kind or "unknown"] = (total + value, count + 1)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        max_norm = self.cfg.train.grad_clip if self.cfg.train.grad_clip > 0 else math.inf
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm)
        if bool(torch.isfinite(grad_norm)):  # identical on every rank: gradients are already averaged
            self.optimizer.step()
            self._skipped_in_a_row = 0
        else:
            self.skipped_steps += 1
            self._skipped_in_a_row += 1
            if self._skipped_in_a_row > MAX_SKIPPED_IN_A_ROW:
                raise FloatingPointError(f"non-finite gradients {self._skipped_in_a_row} times in a row at iteration {self.iteration}")
        with warnings.catch_warnings():  # a skipped first step makes LambdaLR warn about the call order
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
            self.scheduler.step()
        if self.weight_ema is not None:
            self.weight_ema.update(self.model)
        self._update_memory_bank(batch, embedding.detach(), class_valid)
        return loss.detach()

    def _update_memory_bank(self, batch: dict[str, Any], embedding: Tensor, class_valid: Tensor) -> None:
        """Fold the task embeddings ``[B, K, E]`` of the valid, named, finite classes into the bank (all ranks')."""
        names, stacked = named_rows(batch["task"], batch["class_names"], class_valid, embedding)
        for rank_names, rank_vectors in gather_objects((names, stacked), self.ctx):
            self.memory_bank.update_many(rank_names, rank_vectors)

    def _log_kinds(self, kind_log: CsvLog) -> None:
        """One row per episode kind seen in the log window (rank 0's episodes), then a fresh window."""
        if self.ctx.is_main:
            for kind, (total, count) in sorted(self.kind_losses.items()):
                kind_log.append({"iteration": self.iteration, "kind": kind, "loss": total / count, "episodes": count})
        self.kind_losses = {}

    def fit_schedule(self, it_per_s: float, seconds_left: float) -> int:
        """Lower the planned iterations (and the cosine decay's end) to what ``seconds_left`` allows at ``it_per_s``.

        Never above ``cfg.train.iterations``; DDP ranks agree on the smallest estimate. Returns the new total.
        """
        estimate = self.iteration + int(it_per_s * max(0.0, seconds_left))
        estimate = min_over_ranks(estimate, self.ctx)
        total = max(self.iteration + 1, min(self.cfg.train.iterations, estimate))
        self.total_iterations = total
        self.scheduler.set_total(total)
        return total

    def run(self, max_minutes: Optional[float] = None, fit_to_time: bool = False) -> TrainResult:
        """Train from ``self.iteration`` to the planned total (``cfg.train.iterations``), or until ``max_minutes``
        of wall time (then checkpoint and return; resume later with :meth:`resume`).

        ``fit_to_time`` (with ``max_minutes``): after a few timed iterations, plan the total (and the
        learning-rate decay) to end within the budget, and plan again every tenth of the budget from the
        recent rate, so that a fixed-time run ends at a low learning rate even when its speed changes.
        """
        log, kind_log = self._start_logs()
        start_iteration = self.iteration
        budget = TimeBudget(time.perf_counter(), max_minutes)
        time_fit = TimeFit(budget, start_iteration, fit_to_time)
        checkpoints = Checkpointing(self.cfg.train.checkpoint_every, self.save)
        bar = ProgressBar(total=self.total_iterations, initial=self.iteration, enabled=self.progress)
        window = LogWindow(self.device, time.perf_counter())
        last_loss, stopped_early = float("nan"), False
        clock = time.perf_counter()
        try:
            offset = self.episode_offset
            for batch in self.stream.iterate(offset + self.iteration, offset + self.cfg.train.iterations):
                if self.iteration >= self.total_iterations:
                    break
                loss = self.train_step(batch)
                clock = self._count_iteration(clock)
                window.add(loss)
                plan = time_fit.after_iteration(self.iteration, clock, self.ctx)
                if plan is not None:
                    bar.set_total(self.fit_schedule(*plan))
                if log_due(self.iteration, self.cfg.train.log_every, self.total_iterations):
                    last_loss = self._log_window(log, kind_log, window, bar, clock)
                bar.update(1)
                checkpoints.after_iteration(self.iteration)
                stop = stop_agreed(self._stop_requested, budget, time.perf_counter(), self.ctx)
                if self.on_iteration is not None:
                    self.on_iteration(self)
                if stop and self.iteration < self.total_iterations:
                    stopped_early = True
                    break
        finally:
            bar.close()
        if window.iterations > 0:  # the iterations since the last log row
            last_loss = self._write_log_row(log, window, time.perf_counter())
        checkpoints.finish(self.iteration)
        return self._result(start_iteration, budget, stopped_early, last_loss)

    def _start_logs(self) -> tuple[CsvLog, CsvLog]:
        """``log.csv`` and ``kind_loss.csv`` kept up to the current iteration, and ``config.json`` (rank 0 writes)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = CsvLog(self.run_dir / "log.csv")
        kind_log = CsvLog(self.run_dir / "kind_loss.csv", KIND_LOG_FIELDS)
        if self.ctx.is_main:
            log.start(self.iteration)
            kind_log.start(self.iteration)
            (self.run_dir / "config.json").write_text(json.dumps(config_to_dict(self.cfg), indent=2) + "\n")
        return log, kind_log

    def _count_iteration(self, clock: float) -> float:
        """Count a finished iteration and its wall time since ``clock``; returns the new clock."""
        self.iteration += 1
        now = time.perf_counter()
        self.elapsed_s += now - clock
        return now

    def _log_window(self, log: CsvLog, kind_log: CsvLog, window: LogWindow, bar: ProgressBar, now: float) -> float:
        """The periodic log: the row, the per-kind rows, the loss and lr on the bar, then a fresh window.

        Returns the row's loss (all ranks must call).
        """
        loss = self._write_log_row(log, window, now)
        self._log_kinds(kind_log)
        bar.set_postfix(loss=f"{loss:.4f}", lr=f"{self.scheduler.get_last_lr()[0]:.2e}")
        window.reset(now)
        return loss

    def _write_log_row(self, log: CsvLog, window: LogWindow, now: float) -> float:
        """Append the row of the log window ending at ``now`` (rank 0 writes); returns its loss, the mean over
        the ranks' windows (all ranks must call)."""
        loss = mean_over_ranks(window.mean_loss(), self.ctx)
        if self.ctx.is_main:
            log.append({"iteration": self.iteration, "loss": loss, "lr": self.scheduler.get_last_lr()[0],
                        "it_per_s": window.it_per_s(now), "wall_s": self.elapsed_s,
                        "skipped_steps": self.skipped_steps})
        return loss

    def _result(self, start_iteration: int, budget: TimeBudget, stopped_early: bool, last_loss: float) -> TrainResult:
        """What a ``run`` call that started at ``start_iteration`` within ``budget`` did."""
        session_s = time.perf_counter() - budget.start
        done = self.iteration - start_iteration
        return TrainResult(
            iteration=self.iteration,
            session_iterations=done,
            stopped_early=stopped_early,
            elapsed_s=self.elapsed_s,
            session_it_per_s=done / session_s if session_s > 0 else 0.0,
            last_loss=last_loss,
        )

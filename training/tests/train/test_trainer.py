import multiprocessing as mp
import os
import signal

import pytest
import torch

from irisseg.train.checkpoint import load_checkpoint
from irisseg.train.csv_log import CsvLog
from irisseg.train.memory_bank import MemoryBank
from irisseg.train.trainer import Trainer
from irisseg.weights import load_model

from .fixtures import blob_episode, tiny_config


def test_a_short_run_writes_checkpoint_export_weights_log_and_memory_bank(tmp_path):
    trainer = Trainer(tiny_config(), tmp_path, blob_episode, progress=False)
    result = trainer.run()
    assert result.iteration == 8 and not result.stopped_early
    assert [r["iteration"] for r in CsvLog(tmp_path / "log.csv").read()] == [2, 4, 6, 8]
    assert load_checkpoint(tmp_path / "last.pt")["iteration"] == 8

    model, cfg, meta = load_model(tmp_path / "model.pt")
    assert cfg.model == trainer.cfg.model
    assert meta["weights"] == "ema" and meta["iteration"] == 8
    trained, exported = trainer.model.state_dict(), model.state_dict()
    assert all(torch.equal(exported[k], trainer.weight_ema.shadow[k]) for k in trained)
    assert any(not torch.equal(exported[k], trained[k]) for k in trained)  # the EMA, not the last weights

    bank = MemoryBank.load(tmp_path / "memory_bank.pt")
    assert "blobs/a" in bank and bank.count("blobs/a") == 8 * 2  # class "a" is valid in every episode
    assert bank.get("blobs/a").shape == (model.embedding_dim,)


def test_a_time_budget_stops_cleanly_and_the_run_resumes_to_the_end(tmp_path):
    first = Trainer(tiny_config(), tmp_path, blob_episode, progress=False).run(max_minutes=1e-9)
    assert first.stopped_early and first.iteration == 1
    assert load_checkpoint(tmp_path / "last.pt")["iteration"] == 1
    second = Trainer(tiny_config(), tmp_path, blob_episode, progress=False)
    assert second.resume()
    result = second.run()
    assert result.iteration == 8 and result.session_iterations == 7


@pytest.mark.slow
def test_training_lowers_the_loss(tmp_path):
    cfg = tiny_config(iterations=60, warmup=5, log_every=10, checkpoint_every=60, lr=1e-2)
    Trainer(cfg, tmp_path, blob_episode, progress=False).run()
    losses = [r["loss"] for r in CsvLog(tmp_path / "log.csv").read()]
    assert losses[-1] < 0.8 * losses[0]


def _train_and_kill_at(run_dir, kill_at):
    def die(trainer):
        if trainer.iteration == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    Trainer(tiny_config(), run_dir, blob_episode, on_iteration=die, progress=False).run()


@pytest.mark.slow
def test_a_killed_run_resumes_exactly(tmp_path):
    straight = Trainer(tiny_config(), tmp_path / "straight", blob_episode, progress=False)
    straight.run()

    # checkpoints at 4 and 8; killed at 6, so iterations 5 and 6 are lost and redone
    child = mp.get_context("spawn").Process(target=_train_and_kill_at, args=(tmp_path / "killed", 6))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert load_checkpoint(tmp_path / "killed" / "last.pt")["iteration"] == 4

    resumed = Trainer(tiny_config(), tmp_path / "killed", blob_episode, progress=False)
    assert resumed.resume()
    resumed.run()

    a, b = straight.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert all(torch.equal(straight.weight_ema.shadow[k], resumed.weight_ema.shadow[k]) for k in a)
    sa, sb = straight.optimizer.state_dict()["state"], resumed.optimizer.state_dict()["state"]
    assert all(torch.equal(sa[i]["exp_avg_sq"], sb[i]["exp_avg_sq"]) for i in sa)
    assert straight.memory_bank.names() == resumed.memory_bank.names()
    assert torch.equal(straight.memory_bank.get("blobs/b"), resumed.memory_bank.get("blobs/b"))
    assert [r["iteration"] for r in CsvLog(tmp_path / "killed" / "log.csv").read()] == [2, 4, 6, 8]


def test_fit_to_time_plans_the_total_and_the_decay_within_the_budget(tmp_path):
    cfg = tiny_config(iterations=100_000, warmup=2, log_every=5, checkpoint_every=1000)
    trainer = Trainer(cfg, tmp_path, blob_episode, progress=False)
    result = trainer.run(max_minutes=0.25, fit_to_time=True)
    assert 3 <= trainer.total_iterations < 100_000
    # the plan, not the clock, ended the run, with the learning rate at the end of its decay
    assert not result.stopped_early and result.iteration == trainer.total_iterations
    assert trainer.scheduler.get_last_lr()[0] == pytest.approx(cfg.train.lr * cfg.train.min_lr_ratio)
    assert result.elapsed_s < 0.25 * 60
    assert load_checkpoint(tmp_path / "last.pt")["total_iterations"] == trainer.total_iterations


def test_steps_with_non_finite_gradients_are_skipped(tmp_path):
    trainer = Trainer(tiny_config(weight_ema=0.0), tmp_path, blob_episode, progress=False)
    first = next(iter(trainer.model.parameters()))
    with torch.no_grad():
        first.view(-1)[0] = float("nan")
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.run()
    assert trainer.skipped_steps == 8
    assert len(trainer.memory_bank) == 0  # NaN embeddings never enter the bank
    after = trainer.model.state_dict()
    assert all(torch.equal(before[k], after[k]) or torch.isnan(before[k]).any() for k in before)


def test_gradient_checkpointing_gives_the_same_training(tmp_path):
    plain = Trainer(tiny_config(iterations=2), tmp_path / "plain", blob_episode, progress=False)
    plain.run()
    cfg = tiny_config(iterations=2)
    cfg.model.gradient_checkpointing = True
    checkpointed = Trainer(cfg, tmp_path / "ckpt", blob_episode, progress=False)
    assert checkpointed.model.gradient_checkpointing
    checkpointed.run()
    a, b = plain.model.state_dict(), checkpointed.model.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_lamb_is_selectable(tmp_path):
    trainer = Trainer(tiny_config(iterations=2, optimizer="lamb"), tmp_path, blob_episode, progress=False)
    assert type(trainer.optimizer).__name__ == "Lamb"
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.run()
    assert any(not torch.equal(before[k], v) for k, v in trainer.model.state_dict().items())

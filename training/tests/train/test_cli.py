"""The command line: demo smoke run, resume, overrides, refusal to overwrite, and SIGTERM handling."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from irisseg.train.checkpoint import load_checkpoint
from irisseg.train.cli import apply_overrides, main, parse_args, resolve_config
from irisseg.train.csv_log import CsvLog

TRAINING_ROOT = Path(__file__).resolve().parents[2]


def test_overrides_are_typed_and_checked():
    args = parse_args(["--config", str(TRAINING_ROOT / "configs" / "small.yaml"),
                       "--set", "train.batch_size=8", "--set", "train.ds_weights=[1.0, 0.5]",
                       "--set", "model.gradient_checkpointing=true", "--iterations", "7"])
    cfg, name = resolve_config(args)
    assert name == "small"
    assert cfg.train.batch_size == 8 and cfg.train.iterations == 7 and list(cfg.train.ds_weights) == [1.0, 0.5]
    assert cfg.model.gradient_checkpointing is True
    with pytest.raises(SystemExit):
        apply_overrides(cfg, ["train.no_such_field=1"])
    with pytest.raises(SystemExit):
        apply_overrides(cfg, ["batch_size=1"])


def test_demo_is_synthetic_and_short():
    cfg, name = resolve_config(parse_args(["--demo-only"]))
    assert name == "demo" and cfg.train.iterations == 4 and cfg.model.grid_size == 32


@pytest.mark.slow
def test_demo_run_then_resume_continues_the_same_run(tmp_path):
    run = tmp_path / "run"
    assert main(["--demo-only", "--run-dir", str(run), "--iterations", "2", "--no-progress"]) == 0
    assert load_checkpoint(run / "last.pt")["iteration"] == 2
    summary = json.loads((run / "summary.json").read_text())
    assert summary["iteration"] == 2 and summary["device"].startswith("cpu")
    assert main(["--demo-only", "--run-dir", str(run), "--iterations", "3", "--resume", "--no-progress"]) == 0
    assert [r["iteration"] for r in CsvLog(run / "log.csv").read()] == [1, 2, 3]


def test_an_existing_run_is_not_overwritten_without_resume(tmp_path):
    (tmp_path / "last.pt").write_bytes(b"")
    with pytest.raises(SystemExit, match="--resume"):
        main(["--config", str(TRAINING_ROOT / "configs" / "demo.yaml"), "--run-dir", str(tmp_path)])


@pytest.mark.slow
def test_sigterm_checkpoints_and_exits_cleanly(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "irisseg.train", "--demo-only", "--run-dir", str(run), "--iterations", "1000",
         "--no-progress"], cwd=TRAINING_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not (run / "log.csv").exists() or len(CsvLog(run / "log.csv").read()) < 1:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["stopped_early"] and 1 <= result["iteration"] < 1000
    assert load_checkpoint(run / "last.pt")["iteration"] == result["iteration"]

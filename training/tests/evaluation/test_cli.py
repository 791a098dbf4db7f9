"""``python -m irisseg.evaluate`` end to end on the shared data with a random-init micro model."""
import json

import pytest
import yaml

from irisseg.config import config_to_dict
from irisseg.evaluation.cli import TASKS, main, parse_args, settings_from, task_names

from .helpers import micro_config


@pytest.mark.slow
def test_evaluate_quick_writes_every_report_file(data_root, tmp_path):
    config = tmp_path / "micro.yaml"
    config.write_text(yaml.safe_dump({"preset": "small", "model": config_to_dict(micro_config())["model"]}))
    out = tmp_path / "reports"
    head = main(["--random-init", "--config", str(config), "--quick", "--tasks", "hippocampus",
                 "--queries", "2", "--pool", "3", "--draws", "1", "--tune-steps", "1",
                 "--data-root", str(data_root), "--out", str(out), "--threads", "1"])
    for name in ("evaluation.md", "evaluation.csv", "evaluation_cases.csv", "evaluation.json", "evaluation.png",
                 "embeddings/hippocampus_tuned.npy", "embeddings/hippocampus_tuned.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "evaluation.json").read_text())
    assert data["tasks"]["hippocampus"]["queries"] and len(data["tasks"]["hippocampus"]["queries"]) == 2
    assert data["hippocampus"]["floor_dice"] > 0.3  # hippocampus crops are centred: the floor is not zero
    assert head["hippocampus"]["one_shot_dice"] == data["hippocampus"]["one_shot_dice"]
    assert "swap_test" in data and "wrong_reference_dice" in data


def _micro_yaml(tmp_path):
    config = tmp_path / "micro.yaml"
    config.write_text(yaml.safe_dump({"preset": "small", "model": config_to_dict(micro_config())["model"]}))
    return config


@pytest.mark.slow
def test_evaluate_unseen_totalseg_reports_the_suite_with_its_targets(data_root, tmp_path):
    out = tmp_path / "reports"
    head = main(["--random-init", "--config", str(_micro_yaml(tmp_path)), "--quick", "--tasks", "totalseg",
                 "--data-root", str(data_root), "--out", str(out), "--threads", "1"])
    data = json.loads((out / "evaluation.json").read_text())
    assert set(data["tasks"]) == {"totalseg_ct_to_mr", "totalseg_mr_to_ct"}
    names = [t["name"] for t in data["unseen_suite"]["targets"]]
    assert "copy test, totalseg_mr_to_ct adrenal glands" in names
    assert "TotalSegmentator pancreas, one-shot, mean of CT -> MR and MR -> CT" in names
    assert head["unseen_suite"]["no_ensemble"]  # one reference per direction
    assert "## Unseen-structure suite" in (out / "evaluation.md").read_text()


def test_task_groups_expand_in_a_fixed_order():
    assert task_names("unseen") == ["thalamus", "brats", "totalseg", "fetal"]
    assert task_names("fetal,hippocampus") == ["hippocampus", "fetal"]
    assert task_names("all") == list(TASKS)
    with pytest.raises(SystemExit):
        task_names("spleen")


def test_copy_draws_flag_sets_the_draws_and_refuses_zero():
    assert settings_from(parse_args(["--random-init", "--copy-draws", "3"])).copy_draws == 3
    assert settings_from(parse_args(["--random-init"])).copy_draws == 1
    with pytest.raises(SystemExit, match="at least 1"):
        settings_from(parse_args(["--random-init", "--copy-draws", "0"]))

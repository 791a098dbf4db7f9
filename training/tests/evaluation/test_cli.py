"""``python -m irisseg.evaluate`` end to end on the shared data with a random-init micro model."""
import json

import pytest
import yaml

from irisseg.config import config_to_dict
from irisseg.evaluation.cli import main

from .helpers import micro_config


@pytest.mark.slow
def test_evaluate_quick_writes_every_report_file(data_root, tmp_path):
    config = tmp_path / "micro.yaml"
    config.write_text(yaml.safe_dump({"preset": "small", "model": config_to_dict(micro_config())["model"]}))
    out = tmp_path / "reports"
    head = main(["--random-init", "--config", str(config), "--quick", "--tasks", "hippocampus",
                 "--queries", "2", "--pool", "3", "--draws", "1", "--tune-steps", "1",
                 "--data-root", str(data_root), "--out", str(out)])
    for name in ("evaluation.md", "evaluation.csv", "evaluation_cases.csv", "evaluation.json", "evaluation.png",
                 "embeddings/hippocampus_tuned.npy", "embeddings/hippocampus_tuned.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "evaluation.json").read_text())
    assert data["tasks"]["hippocampus"]["queries"] and len(data["tasks"]["hippocampus"]["queries"]) == 2
    assert data["hippocampus"]["floor_dice"] > 0.3  # hippocampus crops are centred: the floor is not zero
    assert head["hippocampus"]["one_shot_dice"] == data["hippocampus"]["one_shot_dice"]
    assert "swap_test" in data and "wrong_reference_dice" in data

import json

import pytest

from irisseg.export import export
from irisseg.model import build_iris
from irisseg.model_card import evaluation_block


def _report(tmp_path):
    d = tmp_path / "report"
    d.mkdir()
    (d / "evaluation.json").write_text(json.dumps({
        "hippocampus": {"one_shot_dice": 0.8, "ensemble_dice": {"1": 0.8, "3": 0.834, "5": 0.84, "10": 0.85},
                        "retrieval_dice": 0.83, "tuned_dice": 0.86, "tuned_init_dice": 0.84, "floor_dice": 0.6},
        "swap_test": {"dice_vs_swapped_truth": 0.8, "dice_vs_original_truth": 0.02},
        "wrong_reference_dice": 0.1, "blank_reference_dice": 0.0,
        "unseen": {"brats": {"one_shot": 0.4, "floor": 0.3, "classes": ["tumour"]}},
        "unseen_suite": {"targets": [
            {"name": "copy test, brats whole tumour", "target": 0.85, "comparison": ">=", "measured": 0.9,
             "margin": 0.05, "met": True},
            {"name": "BraTS whole tumour, leave-one-out, ensemble of 3", "target": 0.7, "comparison": ">=",
             "measured": None, "margin": None, "met": None}]}}))
    (d / "evaluation.md").write_text("# Evaluation\n\n| a | b |\n")
    return d


def test_the_evaluation_block_is_the_report_without_a_floor_derived_from_it(tmp_path):
    block = evaluation_block(_report(tmp_path))
    assert block["hippocampus"]["one_shot_dice"] is not None
    assert "service_test_dice_floor" not in block["hippocampus"]


def test_an_ablated_evaluation_is_refused_for_a_model_card(tmp_path):
    report = _report(tmp_path)
    data = json.loads((report / "evaluation.json").read_text())
    (report / "evaluation.json").write_text(json.dumps({**data, "ablations": ["zero-positions"]}))
    with pytest.raises(ValueError, match="ablated evaluation"):
        evaluation_block(report)


def test_export_writes_model_card_with_evaluation(tiny_cfg, tmp_path):
    report = _report(tmp_path)
    model = build_iris(tiny_cfg.model)
    meta = {"iteration": 10, "batch_size_per_rank": 2, "optimizer": "adamw", "weights": "ema", "device": "cpu",
            "elapsed_s": 120.0, "mean_it_per_s": 0.1, "data": {"synthetic_ratio": 0.25, "dataset_weights": {}}}
    card = export(model, tiny_cfg, tmp_path / "m", "iris-tiny", meta, evaluation_block(report), None, report)
    text = (tmp_path / "m" / "MODEL_CARD.md").read_text()
    assert "service_test_dice_floor" not in card["evaluation"]["hippocampus"]
    assert "| context ensemble of 5 | 0.840 |" in text
    assert "0.800 / 0.020" in text and "unseen `brats`" in text and "### Evaluation" in text


def test_model_card_lists_the_unseen_suite_targets(tiny_cfg, tmp_path):
    report = _report(tmp_path)
    model = build_iris(tiny_cfg.model)
    export(model, tiny_cfg, tmp_path / "m", "iris-tiny", {"iterations": 0}, evaluation_block(report), None, report)
    text = (tmp_path / "m" / "MODEL_CARD.md").read_text()
    assert "| copy test, brats whole tumour >= 0.85 | 0.900 | +0.0500 | met |" in text
    assert "| BraTS whole tumour, leave-one-out, ensemble of 3 >= 0.7 | n/a | n/a | not measured |" in text

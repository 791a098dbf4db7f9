"""The leg comparison table: the copy-test mean over the unseen suite and one column per evaluation."""
import json

import pytest

from irisseg.evaluation.compare import copy_test_means_by_draw, main, rows, table


def _evaluation(copies, one_shot=0.8):
    return {"unseen_suite": {"structures": [{"dataset": "d", "class": f"c{i}", "copy_test": v}
                                            for i, v in enumerate(copies)], "ensemble_gain_mean": 0.1},
            "hippocampus": {"one_shot_dice": one_shot, "ensemble_dice": {"5": 0.85}, "copy_test_dice": 0.6},
            "swap_test": {"dice_vs_swapped_truth": 0.87}, "wrong_reference_dice": 0.0, "blank_reference_dice": 0.0}


def test_copy_test_mean_averages_the_structures_that_have_one():
    assert rows(_evaluation([0.2, 0.4, None]))["unseen copy test, mean"] == pytest.approx(0.3)
    assert rows({"hippocampus": {}})["unseen copy test, mean"] is None


def test_rows_name_the_hippocampus_checks():
    r = rows(_evaluation([0.5]))
    assert r["hippocampus one-shot"] == 0.8 and r["hippocampus ensemble of 5"] == 0.85
    assert r["copy test, d c0"] == 0.5


def test_table_has_one_column_per_evaluation_and_dashes_for_missing_numbers():
    text = table([_evaluation([0.2, 0.4]), {"unseen_suite": {"structures": []}}], ["a", "b"])
    assert text.splitlines()[0] == "| check | a | b |"
    assert "| unseen copy test, mean | 0.3000 | - |" in text


def test_main_reads_directories_and_refuses_missing_files(tmp_path):
    (tmp_path / "leg").mkdir()
    (tmp_path / "leg" / "evaluation.json").write_text(json.dumps(_evaluation([0.1])))
    assert "| check | leg |" in main([str(tmp_path / "leg")])
    with pytest.raises(SystemExit, match="not found"):
        main([str(tmp_path / "nothing.json")])


def test_copy_test_means_by_draw_average_structures_of_their_query_means():
    def case(dataset, draw, dice, strategy="copy_test", unseen="True"):
        return {"dataset": dataset, "class_name": "c", "strategy": strategy, "draw": str(draw), "dice": str(dice),
                "unseen": unseen}
    cases = [case("a", 0, 0.2), case("a", 0, 0.4), case("b", 0, 0.6), case("a", 1, 1.0), case("b", 1, 0.0),
             case("b", 0, 0.9, strategy="one_shot"), case("hippocampus", 0, 0.9, unseen="False")]
    means = copy_test_means_by_draw(cases)
    assert means[0] == pytest.approx((0.3 + 0.6) / 2) and means[1] == pytest.approx(0.5)
    assert "| unseen copy test, draw 1 | 0.5000 |" in table([_evaluation([0.1])], ["x"], [cases])


def test_same_crop_copy_test_mean_averages_the_crop_only_variant():
    evaluation = _evaluation([0.2, 0.4])
    for entry, crop in zip(evaluation["unseen_suite"]["structures"], [0.5, None]):
        entry["copy_test_crop"] = crop
    r = rows(evaluation)
    assert r["unseen same-crop copy test, mean"] == pytest.approx(0.5)
    assert r["unseen copy test, mean"] == pytest.approx(0.3)


def test_copy_test_means_by_pose_split_the_left_right_mirrors_from_the_other_poses():
    from irisseg.evaluation.compare import POSE_ROWS, copy_test_means_by_pose

    def case(dataset, flips, dice, unseen="True"):
        return {"dataset": dataset, "class_name": "c", "strategy": "copy_test", "draw": "0", "dice": str(dice),
                "unseen": unseen, "case": f"s~crop 9x9x9, flip {flips}, axes xyz"}
    cases = [case("a", "x", 0.1), case("a", "x z", 0.3), case("a", "y", 0.8), case("b", "y z", 0.4),
             case("hippocampus", "x", 0.9, unseen="False"),
             {"dataset": "b", "class_name": "c", "strategy": "copy_test", "draw": "0", "dice": "1.0", "unseen": "True",
              "case": "s"}]
    means = copy_test_means_by_pose(cases)
    assert means[POSE_ROWS[True]] == pytest.approx(0.2)
    assert means[POSE_ROWS[False]] == pytest.approx((0.8 + 0.4) / 2)
    assert copy_test_means_by_pose([c for c in cases if "flip x" not in c["case"]]) == {POSE_ROWS[False]: pytest.approx(0.6)}


def test_one_shot_by_floor_splits_pairs_whose_reference_lies_elsewhere_from_the_others():
    from irisseg.evaluation.compare import one_shot_by_floor

    def case(strategy, case_name, dice, dataset="brats", unseen="True"):
        return {"dataset": dataset, "class_name": "t", "strategy": strategy, "case": case_name, "draw": "0",
                "dice": str(dice), "unseen": unseen}
    cases = [case("floor", "q1", 0.0), case("one_shot", "q1", 0.2), case("floor", "q2", 0.01), case("one_shot", "q2", 0.4),
             case("floor", "q3", 0.5), case("one_shot", "q3", 0.9),
             case("floor", "q1", 0.0, dataset="only_apart"), case("one_shot", "q1", 0.3, dataset="only_apart"),
             case("floor", "q1", 0.0, dataset="seen", unseen="False"), case("one_shot", "q1", 0.3, dataset="seen",
                                                                            unseen="False")]
    assert one_shot_by_floor(cases) == {"one-shot, brats t, reference apart (2 pairs)": pytest.approx(0.3),
                                        "one-shot, brats t, reference overlapping (1 pairs)": pytest.approx(0.9)}

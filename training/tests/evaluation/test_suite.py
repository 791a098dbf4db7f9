"""The unseen suite's summary: one line per structure and a row for each target of the issue."""
import pytest

from irisseg.evaluation import runner as r
from irisseg.evaluation import suite
from irisseg.evaluation.summary import headline, summarise

STRUCTURES = [("thalamus", "Left-Thalamus"), ("thalamus", "Right-Thalamus"), ("brats", "whole tumour"),
              ("totalseg_ct_to_mr", "spleen"), ("totalseg_ct_to_mr", "pancreas"),
              ("totalseg_mr_to_ct", "spleen"), ("totalseg_mr_to_ct", "pancreas"), ("fetal", "corpus callosum")]
POOL = {"thalamus": 4, "brats": 3, "totalseg_ct_to_mr": 1, "totalseg_mr_to_ct": 1, "fetal": 14}


def _row(dataset, class_name, strategy, dice, case="q", draw=0):
    return r.Row(dataset, class_name, strategy, case, draw, dice, dice, 1.0, 1.0, "ok", True)


def _rows(one_shot=0.6, gain=0.05, copy=0.9):
    """Every structure with the strategies its pool allows: ensembles up to the pool size."""
    rows = []
    for dataset, class_name in STRUCTURES:
        rows += [_row(dataset, class_name, r.ONE_SHOT, one_shot, draw=d) for d in range(2)]
        rows += [_row(dataset, class_name, r.FLOOR, 0.3, draw=d) for d in range(2)]
        rows += [_row(dataset, class_name, s, copy) for s in (r.COPY_TEST, r.COPY_TEST_CROP, r.COPY_TEST_PERMUTED)]
        for n in (1, 3, 5, 10):
            if n <= POOL[dataset]:
                rows.append(_row(dataset, class_name, r.ensemble_name(n), one_shot + (gain if n > 1 else 0.0)))
        if POOL[dataset] >= 2:
            rows.append(_row(dataset, class_name, r.RETRIEVAL, one_shot))
    return rows


def _targets(rows):
    return {t["name"]: t for t in headline(summarise(rows))["unseen_suite"]["targets"]}


def test_suite_has_a_target_row_for_each_target_of_the_issue():
    names = list(_targets(_rows()))
    for dataset, class_name in STRUCTURES:
        assert f"copy test, {dataset} {class_name}" in names
    assert "thalamus, SynthSeg references -> real T1, one-shot (mean left/right)" in names
    assert "BraTS whole tumour, leave-one-out, one-shot" in names
    assert "BraTS whole tumour, leave-one-out, ensemble of 3" in names
    assert "TotalSegmentator spleen, one-shot, mean of CT -> MR and MR -> CT" in names
    assert "TotalSegmentator pancreas, one-shot, mean of CT -> MR and MR -> CT" in names
    assert names[-1].startswith("ensemble of 5 (or the largest available) minus one-shot")


def test_suite_reports_the_copy_test_mean_over_its_structures():
    rows = _rows(copy=0.9) + [_row("thalamus", "Left-Thalamus", r.COPY_TEST, 0.1, case="q2")]
    entries = headline(summarise(rows))["unseen_suite"]
    # the left thalamus averages its two queries (0.5); the other seven structures stay at 0.9
    assert entries["copy_test_mean"] == pytest.approx((0.5 + 7 * 0.9) / 8)
    assert "Copy-test mean over the 8 structures: 0.8500." in suite.markdown(entries)


def test_targets_carry_the_issue_thresholds_margins_and_verdicts():
    t = _targets(_rows(one_shot=0.6, gain=0.05, copy=0.9))
    assert t["copy test, brats whole tumour"] == {
        "name": "copy test, brats whole tumour", "target": 0.85, "comparison": ">=", "measured": 0.9,
        "margin": 0.05, "met": True, "grid_ceiling": None}
    assert t["BraTS whole tumour, leave-one-out, one-shot"]["met"] is False
    assert t["BraTS whole tumour, leave-one-out, ensemble of 3"]["measured"] == pytest.approx(0.65)
    assert t["BraTS whole tumour, leave-one-out, ensemble of 3"]["target"] == 0.70
    assert t["thalamus, SynthSeg references -> real T1, one-shot (mean left/right)"]["target"] == 0.80
    spleen = t["TotalSegmentator spleen, one-shot, mean of CT -> MR and MR -> CT"]
    assert spleen["target"] == 0.50 and spleen["met"] is True
    gain = list(t.values())[-1]
    assert gain["comparison"] == ">" and gain["measured"] == pytest.approx(0.05) and gain["met"] is True


def test_totalseg_target_averages_the_two_directions():
    rows = [x for x in _rows() if not (x.dataset == "totalseg_mr_to_ct" and x.strategy == r.ONE_SHOT)]
    rows += [_row("totalseg_mr_to_ct", c, r.ONE_SHOT, 0.2) for c in ("spleen", "pancreas")]
    spleen = _targets(rows)["TotalSegmentator spleen, one-shot, mean of CT -> MR and MR -> CT"]
    assert spleen["measured"] == pytest.approx((0.6 + 0.2) / 2) and spleen["met"] is False


def test_ensemble_gain_uses_the_largest_ensemble_of_at_most_five_and_skips_single_references():
    entries = {(e["dataset"], e["class"]): e for e in suite.structures(summarise(_rows(gain=0.05)))}
    assert entries[("fetal", "corpus callosum")]["largest_ensemble"] == 5
    assert entries[("brats", "whole tumour")]["largest_ensemble"] == 3
    spleen = entries[("totalseg_ct_to_mr", "spleen")]
    assert spleen["largest_ensemble"] is None and spleen["ensemble_gain"] is None
    assert spleen["retrieval"] is None and spleen["copy_test"] == 0.9
    suite_head = headline(summarise(_rows()))["unseen_suite"]
    assert "totalseg_ct_to_mr spleen" in suite_head["no_ensemble"]
    assert list(_targets(_rows()))[-1].endswith("mean over 4 structures")  # thalamus x2, brats, fetal


def test_suite_markdown_lists_targets_structures_and_what_has_no_ensemble():
    text = "\n".join(suite.markdown(headline(summarise(_rows(gain=0.001)))["unseen_suite"]))
    assert "## Unseen-structure suite" in text
    assert "| copy test, fetal corpus callosum >= 0.85 | 0.900 | +0.0500 | met |" in text
    assert "| totalseg_ct_to_mr | spleen | 1 | 0.900 | 0.900 | 0.900 | 0.600 | – | – | – (1 reference) |" in text
    assert "negligible" in text and "No ensemble (one reference per query)" in text


def test_no_unseen_rows_means_no_suite():
    rows = [r.Row("hippocampus", "anterior", r.ONE_SHOT, "q", 0, 0.8, 0.7, 1.0, 1.0, "ok", False)]
    assert headline(summarise(rows))["unseen_suite"] is None


def test_copy_test_targets_carry_the_structure_grid_ceiling():
    rows = _rows() + [_row("fetal", "corpus callosum", r.GRID_CEILING, 0.75)]
    t = _targets(rows)
    assert t["copy test, fetal corpus callosum"]["grid_ceiling"] == 0.75
    assert t["copy test, brats whole tumour"]["grid_ceiling"] is None


def test_suite_markdown_marks_a_copy_test_target_above_the_grid_ceiling():
    rows = _rows() + [_row("fetal", "corpus callosum", r.GRID_CEILING, 0.75),
                      _row("brats", "whole tumour", r.GRID_CEILING, 0.96)]
    text = "\n".join(suite.markdown(headline(summarise(rows))["unseen_suite"]))
    assert "corpus callosum >= 0.85 (grid ceiling 0.750: out of reach on the whole query)" in text
    assert "brats whole tumour >= 0.85 |" in text

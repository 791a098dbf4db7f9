"""A leg's per-kind learning curve: episode-weighted means over equal iteration spans."""
import csv

import pytest

from irisseg.train.kind_curve import curve, main, table


def _row(iteration, kind, loss, episodes=1):
    return {"iteration": str(iteration), "kind": kind, "loss": str(loss), "episodes": str(episodes)}


def test_each_span_weights_its_rows_by_their_episodes():
    rows = [_row(10, "real", 1.0, 1), _row(20, "real", 0.4, 3), _row(30, "real", 0.2), _row(40, "real", 0.1)]
    assert curve(rows, parts=2) == {"real": [pytest.approx(0.55), pytest.approx(0.15)]}


def test_a_span_without_episodes_of_a_kind_is_none():
    rows = [_row(10, "real", 0.5), _row(20, "shapes", 0.3), _row(30, "real", 0.4), _row(40, "real", 0.2)]
    assert curve(rows, parts=2)["shapes"] == [0.3, None]


def test_non_finite_losses_and_empty_windows_are_left_out():
    rows = [_row(10, "real", "nan"), _row(10, "real", 0.9, 0), _row(10, "real", 0.5), _row(20, "real", 0.3)]
    assert curve(rows, parts=2) == {"real": [0.5, 0.3]}


def test_every_row_lands_in_a_span_whatever_the_order():
    rows = [_row(50, "real", 0.1), _row(10, "real", 0.9), _row(30, "real", 0.5)]
    assert curve(rows, parts=5) == {"real": [0.9, None, 0.5, None, 0.1]}


def test_parts_below_one_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        curve([_row(10, "real", 0.5)], parts=0)


def test_main_reads_a_run_directory_and_prints_one_row_per_kind(tmp_path):
    with (tmp_path / "kind_loss.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["iteration", "kind", "loss", "episodes"])
        w.writeheader()
        w.writerows([_row(10, "supervoxels", 1.0), _row(20, "supervoxels", 0.8), _row(20, "real", 0.5)])
    text = main([str(tmp_path), "--parts", "2"])
    assert text.splitlines()[0] == "| kind | 1/2 | 2/2 |"
    assert "| supervoxels | 1.000 | 0.800 |" in text and "| real | - | 0.500 |" in text
    with pytest.raises(SystemExit, match="not found"):
        main([str(tmp_path / "missing.csv")])


def test_table_of_nothing_is_a_header():
    assert table({}).splitlines()[0] == "| kind |  |"

"""IRIS_REQUIRE_DATA turns a missing-data skip into a failure (CI sets it)."""
import pytest

from tests.conftest import skip_without


def test_missing_data_skips_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("IRIS_REQUIRE_DATA", raising=False)
    with pytest.raises(pytest.skip.Exception):
        skip_without(tmp_path / "absent")


def test_missing_data_fails_when_required(monkeypatch, tmp_path):
    monkeypatch.setenv("IRIS_REQUIRE_DATA", "1")
    with pytest.raises(pytest.fail.Exception, match="IRIS_REQUIRE_DATA"):
        skip_without(tmp_path / "absent")


def test_present_data_neither_skips_nor_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("IRIS_REQUIRE_DATA", "1")
    skip_without(tmp_path)

"""The embedding tolerance of the export contract: absolute plus relative to the expected value."""
import numpy as np

from irisseg.testvectors import EMBEDDING_RTOL, TOLERANCE, embedding_excess


def test_a_difference_within_the_absolute_tolerance_passes_at_any_size():
    expected = np.array([0.0, 1.0], dtype=np.float32)
    assert embedding_excess(expected, expected + 0.5 * TOLERANCE) <= 0


def test_a_large_value_may_differ_by_its_relative_share():
    expected = np.array([10.0], dtype=np.float32)
    assert embedding_excess(expected, expected + 0.5 * EMBEDDING_RTOL * 10.0) <= 0


def test_a_difference_beyond_both_fails():
    expected = np.array([0.5, 0.0], dtype=np.float32)
    assert embedding_excess(expected, expected + np.array([TOLERANCE + EMBEDDING_RTOL, 0.0], dtype=np.float32)) > 0

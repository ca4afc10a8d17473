"""Exact order statistics by radix select, against NumPy's sort."""

import numpy as np
import pytest

from llie_video.ops.selection import kth_smallest, median, median_at_least


@pytest.mark.parametrize("size", [1, 2, 3, 10, 1001, 46000])
def test_kth_smallest_and_median_match_numpy(size):
    rng = np.random.default_rng(size)
    values = np.abs(rng.normal(0, 50, size)).astype(np.float32)
    values[::4] = np.round(values[::4])  # ties, whole numbers, zeros
    values[::7] = 0.0
    ordered = np.sort(values)
    for k in {0, size // 3, size - 1}:
        assert kth_smallest(values, k) == ordered[k]
    assert median(values) == np.median(values)


def test_a_strided_view_is_read_in_place():
    values = np.arange(20, dtype=np.float32)[::-1]
    assert kth_smallest(values[::2], 0) == 1.0
    assert median(values[::2]) == np.median(values[::2])


def test_extreme_values():
    values = np.array([np.inf, 3.4e38, 1e-45, 0.0], np.float32)
    assert [kth_smallest(values, k) for k in range(4)] == sorted(values.tolist())


@pytest.mark.parametrize("size", [1, 2, 3, 4, 10, 1001, 46000])
def test_median_at_least_agrees_with_the_median(size):
    rng = np.random.default_rng(size)
    values = np.round(np.abs(rng.normal(0, 5, size))).astype(np.float32)  # many ties
    ordered = np.sort(values)
    middle = float(np.median(values))
    thresholds = {0.0, middle, np.nextafter(np.float32(middle), np.float32(np.inf)),
                  np.nextafter(np.float32(middle), np.float32(0)), float(ordered[0]),
                  float(ordered[-1]) + 1, float(ordered[(size - 1) // 2]), float(ordered[size // 2])}
    for threshold in thresholds:
        assert median_at_least(values, np.float32(threshold)) == (middle >= np.float32(threshold))

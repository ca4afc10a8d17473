"""Exact order statistics of non-negative float32 samples, compiled, without sorting.

The bit patterns of non-negative IEEE floats order as unsigned integers, so a radix select over
them (three counting passes of 11, 11 and 10 bits from the top) finds the ``k``-th smallest value
exactly in linear time: several times faster than Numba's ``np.partition`` on the tens of
thousands of values a noise level is measured on.
"""

from __future__ import annotations

import numpy as np

from llie_video.ops.jit import njit


@njit(cache=True)
def _kth_key(keys: np.ndarray, k: int) -> np.uint32:
    """The ``k``-th smallest (from 0) of ``keys`` ``(n,)`` uint32."""
    prefix = np.uint32(0)  # the digits chosen so far, in place
    known = np.uint32(0)  # the mask of those digits
    for shift in (21, 10, 0):
        bins = 1 << (11 if shift else 10)
        counts = np.zeros(bins, np.int64)
        for key in keys:
            if key & known == prefix:
                counts[(key >> shift) & (bins - 1)] += 1
        digit = 0
        while k >= counts[digit]:
            k -= counts[digit]
            digit += 1
        prefix |= np.uint32(digit) << np.uint32(shift)
        known |= np.uint32(bins - 1) << np.uint32(shift)
    return prefix


@njit(cache=True)
def kth_smallest(values: np.ndarray, k: int) -> np.float32:
    """The ``k``-th smallest (from 0, ``k < n``) of ``values`` ``(n,)`` float32, all >= 0 (no
    NaN), any stride."""
    key = _kth_key(values.view(np.uint32), k)
    return np.array([key], np.uint32).view(np.float32)[0]


@njit(cache=True)
def median(values: np.ndarray) -> np.float32:
    """``np.median`` of ``values`` ``(n,)`` float32 >= 0, ``n >= 1``: the middle value, or the
    float32 mean of the two middle ones."""
    n = values.size
    low = kth_smallest(values, (n - 1) // 2)
    high = low if n % 2 else kth_smallest(values, n // 2)
    return (low + high) / np.float32(2.0)

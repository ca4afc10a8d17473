"""Block means of full-resolution planes, for the temporal filter's motion measure.

One pass over the plane in its own sample type (uint8, uint16 or float32; a view with a row
pitch is read in place), summing rows into a float32 accumulator, so no full-resolution float
copy of the plane is made.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(fastmath=True, cache=True)
def _block_means(plane: np.ndarray, block: int) -> np.ndarray:
    height, width = plane.shape
    out_height, out_width = -(-height // block), -(-width // block)
    out = np.empty((out_height, out_width), np.float32)
    sums = np.empty(width, np.float32)
    for i in range(out_height):
        first, last = i * block, min((i + 1) * block, height)
        sums[:] = 0.0
        for r in range(first, last):
            row = plane[r]
            for c in range(width):
                sums[c] += np.float32(row[c])
        for j in range(out_width):
            left, right = j * block, min((j + 1) * block, width)
            total = np.float32(0.0)
            for c in range(left, right):
                total += sums[c]
            out[i, j] = total / np.float32((last - first) * (right - left))
    return out


def block_means(plane: np.ndarray, block: int) -> np.ndarray:
    """Means of the ``block x block`` blocks of ``plane`` ``(H, W)`` (uint8, uint16 or float32,
    rows possibly padded), a partial block at the right or bottom edge averaging the samples it
    has: ``(ceil(H/block), ceil(W/block))`` float32, in the plane's code values."""
    if plane.ndim != 2 or block < 1:
        raise ValueError(f"block_means needs a 2-D plane and a block >= 1, got {plane.shape}, {block}")
    return _block_means(plane, block)

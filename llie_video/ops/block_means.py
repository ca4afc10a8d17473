"""Block means of full-resolution planes, for the temporal filter's motion measure.

One pass over the plane in its own sample type (uint8, uint16 or float32; a view with a row
pitch is read in place), summing rows into a float32 accumulator, so no full-resolution float
copy of the plane is made.
"""

from __future__ import annotations

import numpy as np

from llie_video.ops.jit import njit


@njit(fastmath=True, cache=True)
def _sum_rows(plane: np.ndarray, first: int, last: int, sums: np.ndarray) -> None:
    """``sums`` ``(W,)`` float32 = the column sums of rows ``first:last`` of ``plane``: a whole
    block of 4 rows in one pass (each sum written once), fewer row by row."""
    if last - first == 4:
        r0, r1, r2, r3 = plane[first], plane[first + 1], plane[first + 2], plane[first + 3]
        for c in range(sums.size):
            sums[c] = ((np.float32(r0[c]) + np.float32(r1[c])) + np.float32(r2[c])
                       + np.float32(r3[c]))
        return
    sums[:] = 0.0
    for r in range(first, last):
        row = plane[r]
        for c in range(sums.size):
            sums[c] += np.float32(row[c])


@njit(fastmath=True, cache=True)
def _block_means(plane: np.ndarray, block: int) -> np.ndarray:
    height, width = plane.shape
    out_height, out_width = -(-height // block), -(-width // block)
    out = np.empty((out_height, out_width), np.float32)
    sums = np.empty(width, np.float32)
    for i in range(out_height):
        first, last = i * block, min((i + 1) * block, height)
        _sum_rows(plane, first, last, sums)
        for j in range(out_width):
            left, right = j * block, min((j + 1) * block, width)
            if right - left == 4:
                total = ((sums[left] + sums[left + 1]) + sums[left + 2]) + sums[left + 3]
            else:
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

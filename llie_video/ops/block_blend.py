"""The temporal filter's arithmetic on block-mean maps, compiled: the exposure gain between two
frames and the blend weight per block (:class:`llie_video.enhance.temporal_denoise.TemporalDenoiser`).

Each step is one or two passes over ``(C, h, w)`` float32 maps (270x480 at 1080p) instead of a
dozen NumPy and torch operations, each with its own temporary map and call overhead. The
arithmetic follows the torch code these kernels replace (float32 per sample, the same lower
median of the same even subsample), except that whole-map sums accumulate in float64.
"""

from __future__ import annotations

import numpy as np

from llie_video.ops.jit import njit
from llie_video.ops.selection import kth_smallest

MEDIAN_SAMPLES = 16384  # a noise level needs no more values than this (an even subsample)


@njit(cache=True)
def lower_median(x: np.ndarray, samples: int) -> float:
    """The lower median (``torch.median``'s) of an even subsample of at most about ``samples``
    values of ``x`` (any shape, C order, float32 >= 0): every ``max(1, x.size //
    samples)``-th value."""
    flat = x.ravel()
    stride = max(1, flat.size // samples)
    picked = flat[::stride]
    return float(kth_smallest(picked, (picked.size - 1) // 2))


@njit(cache=True)
def channel_mean(x: np.ndarray) -> np.ndarray:
    """The mean over channels of ``x`` ``(C, h, w)`` float32 (any strides): ``(h, w)``, summed
    in channel order in float32."""
    channels, height, width = x.shape
    out = np.empty((height, width), np.float32)
    for i in range(height):
        for j in range(width):
            total = x[0, i, j]
            for c in range(1, channels):
                total += x[c, i, j]
            out[i, j] = total / np.float32(channels)
    return out


@njit(cache=True)
def _inlier_sums(a: np.ndarray, b: np.ndarray, residual: np.ndarray,
                 bound: np.float32) -> tuple[float, float]:
    """The sums of ``a`` and of ``b`` ``(h, w)`` over the samples whose ``residual`` is at most
    ``bound`` (float64)."""
    total_a, total_b = 0.0, 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            if residual[i, j] <= bound:
                total_a += a[i, j]
                total_b += b[i, j]
    return total_a, total_b


@njit(cache=True)
def exposure_gain(a: np.ndarray, b: np.ndarray, inliers: float, max_gain: float,
                  samples: int) -> float:
    """The brightness ratio of ``b`` to ``a`` ``(h, w)`` float32 (0 = black): the ratio of their
    sums, then again over the samples whose residual ``|b - gain a|`` is within ``inliers``
    times its (subsampled, :func:`lower_median`) median, bounded to ``[1/max_gain,
    max_gain]``. 1.0 when ``a`` is black (its mean under 1e-4)."""
    total_a, total_b = 0.0, 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            total_a += a[i, j]
            total_b += b[i, j]
    if total_a <= 1e-4 * a.size:
        return 1.0
    first = np.float32(total_b / total_a)
    residual = np.empty_like(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            residual[i, j] = abs(b[i, j] - first * a[i, j])
    typical = lower_median(residual, samples)
    total_a, total_b = _inlier_sums(a, b, residual, np.float32(inliers * typical + 1e-6))
    gain = total_b / max(total_a, 1e-6)
    return min(max(gain, 1.0 / max_gain), max_gain)


@njit(cache=True)
def _dilate3(x: np.ndarray) -> np.ndarray:
    """The maximum over the 3x3 square around each sample of ``x`` ``(h, w)``, the samples
    inside only: ``(h, w)``."""
    height, width = x.shape
    rows = np.empty_like(x)
    for i in range(height):
        for j in range(width):
            top, bottom = max(i - 1, 0), min(i + 1, height - 1)
            rows[i, j] = max(max(x[top, j], x[i, j]), x[bottom, j])
    out = np.empty_like(x)
    for i in range(height):
        for j in range(width):
            left, right = max(j - 1, 0), min(j + 1, width - 1)
            out[i, j] = max(max(rows[i, left], rows[i, j]), rows[i, right])
    return out


@njit(cache=True)
def _change(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """The mean over channels of ``|current - previous|`` ``(C, h, w)``: ``(h, w)`` float32."""
    channels, height, width = current.shape
    out = np.zeros((height, width), np.float32)
    for c in range(channels):
        for i in range(height):
            for j in range(width):
                out[i, j] += abs(current[c, i, j] - previous[c, i, j])
    return out / np.float32(channels)


@njit(cache=True)
def _lerp(start: np.ndarray, end: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``torch.lerp`` of ``start`` and ``end`` ``(C, h, w)`` by ``weight`` ``(h, w)``, per
    channel, in float32: ``(C, h, w)``."""
    out = np.empty(start.shape, np.float32)
    for c in range(start.shape[0]):
        for i in range(start.shape[1]):
            for j in range(start.shape[2]):
                w, s = weight[i, j], start[c, i, j]
                difference = end[c, i, j] - s
                if w < 0.5:
                    out[c, i, j] = s + w * difference
                else:
                    out[c, i, j] = end[c, i, j] - difference * (np.float32(1.0) - w)
    return out


@njit(cache=True)
def blend_weights(current: np.ndarray, previous: np.ndarray, fade: tuple[float, float],
                  max_noise: float, smoothing: float,
                  samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The blend weight per block toward ``previous`` (the previous filtered frame, moved with
    the camera and scaled by the exposure gain) for ``current``, block means ``(C, h, w)``
    float32: the channel-mean absolute difference, dilated by a block, against the noise level
    (its :func:`lower_median`, at most ``max_noise``), 1 up to ``fade[0]`` times the noise
    falling to 0 at ``fade[1]`` times it, times ``smoothing``: ``(h, w)`` float32; and
    ``current`` blended toward ``previous`` by it ``(C, h, w)`` (about the block means of the
    filtered frame)."""
    change = _dilate3(_change(current, previous))
    noise = min(lower_median(change, samples), max_noise) + 1e-4
    end = np.float32(fade[1] * noise)
    span = np.float32((fade[1] - fade[0]) * noise)
    weights = np.empty_like(change)
    for i in range(change.shape[0]):
        for j in range(change.shape[1]):
            static = min(max((end - change[i, j]) / span, np.float32(0.0)), np.float32(1.0))
            weights[i, j] = static * np.float32(smoothing)
    return weights, _lerp(current, previous, weights)

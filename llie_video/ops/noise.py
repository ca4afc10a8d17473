"""Spatial noise reduction of the dark input, scaled to the noise measured in each frame.

Curves and Retinex divisions multiply the sensor noise of a dark frame 5-15x. The temporal filter
(:mod:`llie_video.enhance.temporal_denoise`) averages it where the camera and the scene stand still; this
step removes what it cannot: single images, the first frames after a cut, moving regions. It runs
on the input's Y'CbCr planes before the render, chroma first (chroma noise is what looks worst,
and its planes are a quarter of the pixels), with an edge-preserving bilateral filter whose colour
sigma is a multiple of the noise measured on that plane, so clean footage passes untouched.

The noise is measured with Immerkaer's operator (the 3x3 Laplacian difference
``[[1,-2,1],[-2,4,-2],[1,-2,1]]``, blind to linear gradients), taking the median of its magnitude
over strips of the plane so that edges do not count as noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from llie_video.ops.jit import njit
from llie_video.ops.selection import median, median_at_least

_MEDIAN_TO_SIGMA = 1.0 / (0.6745 * 6.0)  # |N * noise| has std 6 sigma; median |g| = 0.6745 std
_STRIPS = 24  # 3-row strips a plane's noise is measured on, at most
MIN_SIGMA = 0.5  # noise (code values of 8-bit planes) below which a plane is left alone
DIAMETER = 3  # the bilateral filter's window, pixels (5 scored +0.025 SSIM on the real pairs'
# held-out part but cost ~3x the time: over the stage's budget at 1080p)
SPACE_SIGMA = 1.0


def noise_sigma(plane: np.ndarray) -> float:
    """The standard deviation of the noise of ``plane`` ``(H, W)`` (any sample type, rows
    possibly padded), in its own code values; 0 for planes under 3x3."""
    responses = _responses(plane)
    return 0.0 if responses is None else float(median(responses)) * _MEDIAN_TO_SIGMA


def plane_is_noisy(plane: np.ndarray, full_scale: float = 255.0) -> bool:
    """Whether the noise of ``plane`` reaches :data:`MIN_SIGMA` 8-bit codes (``full_scale``
    its peak code), as :func:`noise_sigma` measures it, decided by counting against the
    median response that sigma would need rather than finding the median."""
    responses = _responses(plane)
    if responses is None:
        return False
    threshold = _least_noise(full_scale) / _MEDIAN_TO_SIGMA
    return bool(median_at_least(responses, np.float32(threshold)))


def _responses(plane: np.ndarray) -> np.ndarray | None:
    """The Laplacian-difference magnitudes :func:`noise_sigma` takes the median of; None for
    planes under 3x3."""
    height, width = plane.shape
    if height < 3 or width < 3:
        return None
    tops = np.unique(np.linspace(0, height - 3, min(_STRIPS, height - 2)).astype(np.int64))
    return _strip_responses(plane, tops)


@njit(cache=True)
def _strip_responses(plane: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """The magnitude of the Laplacian difference on the middle row of each 3-row strip of
    ``plane`` ``(H, W)`` starting at ``tops`` ``(S,)``, inner columns only: ``(S * (W - 2),)``
    float32 (exact for integer planes: sums of at most 16 x 65535)."""
    width = plane.shape[1]
    out = np.empty(tops.size * (width - 2), np.float32)
    for s in range(tops.size):
        above, row, below = plane[tops[s]], plane[tops[s] + 1], plane[tops[s] + 2]
        for c in range(1, width - 1):
            corners = (np.float32(above[c - 1]) + np.float32(above[c + 1])
                       + np.float32(below[c - 1]) + np.float32(below[c + 1]))
            edges = (np.float32(above[c]) + np.float32(below[c]) + np.float32(row[c - 1])
                     + np.float32(row[c + 1]))
            response = corners - np.float32(2.0) * edges + np.float32(4.0) * np.float32(row[c])
            out[s * (width - 2) + c - 1] = abs(response)
    return out


def _least_noise(full_scale: float) -> float:
    """:data:`MIN_SIGMA` in the code values of a plane whose peak code is ``full_scale``."""
    return MIN_SIGMA * full_scale / 255.0


def _noisy(sigma: float, full_scale: float) -> bool:
    return sigma >= _least_noise(full_scale)


def reduce_luma_noise(plane: np.ndarray, strength: float, full_scale: float = 255.0,
                      sigma: float | None = None) -> np.ndarray:
    """``plane`` ``(H, W)`` (uint8, uint16 or float32) filtered with a 3x3 bilateral filter whose
    colour sigma is ``strength`` times its noise (``sigma`` in its code values, measured when
    None); ``full_scale`` is the plane's peak code (1023 for 10 bits). Returns ``plane`` itself when it is clean (noise under
    :data:`MIN_SIGMA` 8-bit codes) or ``strength`` is 0, else a new array of its type."""
    if strength <= 0.0:
        return plane
    sigma = noise_sigma(plane) if sigma is None else sigma
    if not _noisy(sigma, full_scale):
        return plane
    if plane.dtype == np.uint8 or plane.dtype == np.float32:
        return cv2.bilateralFilter(np.ascontiguousarray(plane), DIAMETER, strength * sigma,
                                   SPACE_SIGMA)
    filtered = cv2.bilateralFilter(plane.astype(np.float32), DIAMETER, strength * sigma,
                                   SPACE_SIGMA)
    return np.clip(filtered + 0.5, 0, full_scale).astype(plane.dtype)


def reduce_chroma_noise(plane: np.ndarray, full_scale: float = 255.0) -> np.ndarray:
    """A chroma plane ``(h, w)`` (uint8 or uint16) smoothed with a 5x5 Gaussian when its noise
    is measurable (chroma is a quarter of the pixels and the eye reads its noise as coloured
    blotches, not as detail: on the real pairs' held-out part this beat an edge-preserving
    filter); ``plane`` itself when it is clean."""
    if not plane_is_noisy(plane, full_scale):
        return plane
    return cv2.GaussianBlur(np.ascontiguousarray(plane), (5, 5), 0,
                            borderType=cv2.BORDER_REPLICATE)


def reduce_noise_planes(y: np.ndarray, u: np.ndarray, v: np.ndarray, strength: float,
                        full_scale: float = 255.0, luma_sigma: float | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y ``(H, W)``, Cb and Cr ``(h, w)`` planes with their noise reduced (luma by
    :func:`reduce_luma_noise` at ``strength``, with ``luma_sigma`` its noise if already
    measured; chroma by :func:`reduce_chroma_noise`); each returned plane is the input itself
    when it was left alone. ``strength`` 0: all left alone."""
    if strength <= 0.0:
        return y, u, v
    return (reduce_luma_noise(y, strength, full_scale, luma_sigma),
            reduce_chroma_noise(u, full_scale), reduce_chroma_noise(v, full_scale))


def reduce_noise_rgb(rgb: np.ndarray, strength: float,
                     luma_sigma: float | None = None) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB image filtered as video planes are: converted to full-range
    Y'CbCr (BT.601), :func:`reduce_noise_planes`, converted back; ``rgb`` itself when no plane
    needed filtering."""
    if strength <= 0.0:
        return rgb
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    luma, cr, cb = ycc[..., 0], ycc[..., 1], ycc[..., 2]
    planes = reduce_noise_planes(luma, cb, cr, strength, luma_sigma=luma_sigma)
    if all(new is old for new, old in zip(planes, (luma, cb, cr))):
        return rgb
    return cv2.cvtColor(np.dstack([planes[0], planes[2], planes[1]]), cv2.COLOR_YCrCb2RGB)


def rgb_luma_noise(rgb: np.ndarray) -> float:
    """The noise sigma (8-bit codes) of the luma of an ``(H, W, 3)`` uint8 RGB image."""
    return noise_sigma(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))

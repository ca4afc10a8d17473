"""Brightness ceiling: an extra output gamma that keeps an enhanced frame from washing out.

The models are trained to lift very dark frames to a well-exposed level. A frame that is only
moderately dark (dusk, an indoor shot, an auto-exposed night stream) gets the same strong lift
and comes out pale: shadows raised to mid-grey, highlights pressed together. The ceiling
measures the mean luma the render would give on the low-resolution frame the parameters were
estimated on (a few thousand pixels, well under a millisecond) and, when it lies above
``ceiling``, darkens the output with the gamma post-op (the one every render path applies anyway)
just enough to bring it down to ``ceiling``. Frames below the ceiling are left as the model
renders them, so very dark input, the models' home ground, is untouched.

The gamma follows the temporally smoothed parameters and a frame-wide mean, so it changes as
smoothly as they do.
"""

from __future__ import annotations

import math

import torch

from llie_video.ops.color import adjust_gamma, blend, luma

_SEARCH_STEPS = 24  # bisection steps on log(gamma): |error| < 2^-24 of the bracket


def ceiling_gamma(
    x_low: torch.Tensor, y_low: torch.Tensor, gamma: float, strength: float, ceiling: float
) -> float:
    """The gamma (``<= gamma``) that brings the mean luma of ``blend(x, y ** (1 / g), strength)``
    down to ``ceiling``, or ``gamma`` when it is already at or below it.

    Args:
        x_low: ``(B, 3, h, w)`` the small input frame in [0, 1].
        y_low: ``(B, 3, h, w)`` its render in [0, 1] (before gamma and blend).
        gamma: the user's gamma (``> 0``; ``> 1`` brightens).
        strength: the user's blend strength, 0..1.
        ceiling: highest mean luma, 0..1; 1 turns the ceiling off.

    >>> x = torch.full((1, 3, 4, 4), 0.2); y = torch.full((1, 3, 4, 4), 0.81)
    >>> round(ceiling_gamma(x, y, 1.0, 1.0, 0.5), 3)  # 0.81 ** (1 / g) = 0.5
    0.304
    """
    if ceiling >= 1.0 or strength == 0.0:
        return gamma
    x_low, y_low = x_low.float(), y_low.float().clamp(0.0, 1.0)

    def mean_luma(g: float) -> float:
        return luma(blend(x_low, adjust_gamma(y_low, g), strength)).mean().item()

    if mean_luma(gamma) <= ceiling:
        return gamma
    low, high = math.log(gamma) - 8.0, math.log(gamma)  # gamma / e^8: far darker than needed
    for _ in range(_SEARCH_STEPS):
        middle = 0.5 * (low + high)
        if mean_luma(math.exp(middle)) > ceiling:
            high = middle
        else:
            low = middle
    return math.exp(low)

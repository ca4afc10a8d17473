"""Brightness ceiling: an extra output gamma that keeps an enhanced frame from washing out.

The models are trained to lift very dark frames to a well-exposed level. A frame that is only
moderately dark (dusk, an indoor shot, an auto-exposed night stream) gets the same strong lift
and comes out pale: shadows raised to mid-grey, highlights pressed together. The ceiling
measures the mean luma the render would give on the low-resolution frame the parameters were
estimated on (a few thousand pixels, well under a millisecond) and, when it lies above
``ceiling``, darkens the output with the gamma post-op (the one every render path applies anyway)
just enough to bring it down to ``ceiling``. Frames below the ceiling are left as the model
renders them, so very dark input, the models' home ground, is untouched.

The enhance stage measures the render before the user's gamma and applies that gamma on top of
the ceiling's, so a user's gamma keeps brightening or darkening relative to the ceiling. The
gamma follows the temporally smoothed parameters and a frame-wide mean, so it changes as
smoothly as they do.
"""

from __future__ import annotations

import numpy as np
import torch

from llie_video.ops.color import BT601

_TOLERANCE = 1e-5  # of mean luma
_MAX_STEPS = 30
_DARKEST = 1e-4  # render values are clamped here so that log(y) stays finite


def ceiling_gamma(
    x_low: torch.Tensor, y_low: torch.Tensor, gamma: float, strength: float, ceiling: float
) -> float:
    """The gamma (``<= gamma``) that brings the mean luma of ``blend(x, y ** (1 / g), strength)``
    down to ``ceiling``, or ``gamma`` when it is already at or below it.

    The mean luma is a sum of decreasing exponentials of the exponent ``e = 1 / g``, so it is
    convex in ``e``: Newton's method from the user's exponent approaches the root from one side
    and never overshoots (a handful of steps, a fraction of a millisecond at estimation size).

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
    weights = np.asarray(BT601, np.float32).reshape(1, 3, 1, 1) / (y_low.numel() // 3)
    x = x_low.detach().float().cpu().numpy()
    log_y = np.log(y_low.detach().float().cpu().clamp(_DARKEST, 1.0).numpy())
    kept = (1.0 - strength) * float((x * weights).sum())  # the input's share of the mean luma
    exponent = 1.0 / gamma
    for _ in range(_MAX_STEPS):
        powered = np.exp(exponent * log_y) * weights
        excess = kept + strength * float(powered.sum()) - ceiling
        if excess <= _TOLERANCE:
            break
        slope = strength * float((powered * log_y).sum())  # d(mean luma) / d(exponent) < 0
        if slope >= 0.0:  # a flat white render: no gamma darkens it
            break
        exponent -= excess / slope
    return gamma if exponent == 1.0 / gamma else 1.0 / exponent

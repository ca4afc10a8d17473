"""Brightness ceiling: keeps an enhanced frame from washing out, and bright input as it is.

The models are trained to lift very dark frames to a well-exposed level. A frame that is only
moderately dark (dusk, an indoor shot, an auto-exposed night stream) gets the same strong lift
and comes out pale: shadows raised to mid-grey, highlights pressed together; a frame that is
already bright comes out nearly white. The ceiling measures the mean luma the render would give
on the low-resolution frame the parameters were estimated on (a few thousand pixels, well under
a millisecond) and, when it lies above the target, holds it there:

1. first with a darker gamma on the luma, the channels of each pixel scaled together so that
   hues stay (:func:`llie_video.ops.color.luma_gamma`), at most ``MAX_EXPONENT`` times the
   user's exponent: beyond that a gamma crushes the shadows;
2. then, if the frame is still too bright, by blending the render with the input (a lower
   strength), which never darkens a pixel below the input and keeps its hue.

The target is the ceiling, or the input's own mean luma when that is higher: a frame is never
made darker on average than it came in, so a well-exposed frame passes through unchanged.
Frames whose render lies below the ceiling are left as the model renders them, so very dark
input, the models' home ground, is untouched.

The enhance stage measures the render before the user's gamma and applies that gamma on top of
the ceiling's, so a user's gamma keeps brightening or darkening relative to the ceiling. The
hold follows the temporally smoothed parameters and a frame-wide mean, so it changes as smoothly
as they do.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from llie_video.ops.color import BT601

_TOLERANCE = 1e-5  # of mean luma
_MAX_STEPS = 30
_DARKEST = 1e-4  # render values are clamped here so that log(y) stays finite
MAX_EXPONENT = 2.5  # the ceiling's gamma may raise the output exponent this many times at most


def _luma(rgb: np.ndarray, coefficients: tuple[float, float, float]) -> np.ndarray:
    """Per-pixel luma ``(B, h, w)`` of ``rgb`` ``(B, 3, h, w)``."""
    return (rgb * np.asarray(coefficients, np.float32).reshape(1, 3, 1, 1)).sum(1)


class CeilingHold(NamedTuple):
    """The gamma and strength a frame is rendered with under the ceiling."""

    gamma: float
    strength: float


def hold_under_ceiling(
    x_low: torch.Tensor, y_low: torch.Tensor, gamma: float, strength: float, ceiling: float,
    luma_coefficients: tuple[float, float, float] = BT601,
) -> CeilingHold:
    """The gamma (``<= gamma``, its exponent at most ``MAX_EXPONENT`` times the user's) and then
    the strength (``<= strength``) that bring the mean luma of
    ``blend(x, luma_gamma(y, g), s)`` down to ``max(ceiling, mean luma of x)``; ``(gamma,
    strength)`` when it is already there. The gamma acts on the luma (``luma_coefficients``,
    the frame's own) with the channels scaled together
    (:func:`llie_video.ops.color.luma_gamma`), so it darkens without shifting hues; mean luma
    is BT.601's, as the ceiling is set.

    The mean luma is a sum of decreasing exponentials of the exponent ``e = 1 / g``, so it is
    convex in ``e``: Newton's method from the user's exponent approaches the root from one side
    and never overshoots (a handful of steps, a fraction of a millisecond at estimation size).
    The blend is linear in ``s``: solved directly.

    Args:
        x_low: ``(B, 3, h, w)`` the small input frame in [0, 1].
        y_low: ``(B, 3, h, w)`` its render in [0, 1] (before gamma and blend).
        gamma: the user's gamma (``> 0``; ``> 1`` brightens).
        strength: the user's blend strength, 0..1.
        ceiling: highest mean luma, 0..1; 1 turns the ceiling off.
        luma_coefficients: the luma the gamma acts on.

    >>> x = torch.full((1, 3, 4, 4), 0.2); y = torch.full((1, 3, 4, 4), 0.64)
    >>> hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5)  # 0.64 ** (1 / g) = 0.5
    >>> round(hold.gamma, 3), hold.strength
    (0.644, 1.0)
    >>> hold = hold_under_ceiling(x, torch.full((1, 3, 4, 4), 0.95), 1.0, 1.0, 0.5)
    >>> round(hold.gamma, 3), round(hold.strength, 3)  # 0.2 + s * (0.95 ** 2.5 - 0.2) = 0.5
    (0.4, 0.441)
    """
    if ceiling >= 1.0 or strength == 0.0:
        return CeilingHold(gamma, strength)
    x = x_low.detach().float().cpu().numpy()
    y = y_low.detach().float().cpu().numpy()
    shown = _luma(y, BT601) / (y.size // 3)  # sums to the render's mean luma
    log_luma = np.log(np.clip(_luma(y, luma_coefficients), _DARKEST, 1.0))
    input_luma = float(_luma(x, BT601).mean())
    target = max(ceiling, input_luma)
    kept = (1.0 - strength) * input_luma  # the input's share of the mean luma
    exponent = start = 1.0 / gamma
    for _ in range(_MAX_STEPS):
        powered = shown * np.exp((exponent - 1.0) * log_luma)
        rendered = float(powered.sum())
        excess = kept + strength * rendered - target
        if excess <= _TOLERANCE or exponent >= MAX_EXPONENT * start:
            break
        slope = strength * float((powered * log_luma).sum())  # d(mean luma) / d(exponent) < 0
        if slope >= 0.0:  # a flat white render: no gamma darkens it
            break
        exponent = min(exponent - excess / slope, MAX_EXPONENT * start)
    held_gamma = gamma if exponent == start else 1.0 / exponent
    if excess <= _TOLERANCE or rendered <= input_luma:
        return CeilingHold(held_gamma, strength)
    # still too bright at the darkest gamma allowed: blend toward the input
    share = (target - input_luma) / (rendered - input_luma)
    return CeilingHold(held_gamma, float(np.clip(share, 0.0, strength)))

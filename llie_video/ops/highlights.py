"""Highlight protection: the enhancement may not push a pixel's highlights to white.

A light-enhancement curve or a Retinex division lifts a whole neighbourhood by what its darkest
parts need (the parameter map is low-resolution and smooth), so a lamp, a lit wall or a dusk sky
inside a dark scene lands at or near 1.0: its gradation is flattened, and where one channel
saturates before the others, its hue shifts (a blue sky turns cyan or white).

The protection bounds each pixel's brightest channel by ``m + headroom * (1 - m)``, ``m`` the
brightest channel of the *input* pixel: the enhancement may use at most ``headroom`` of the room
left above it. The bound rises with ``m`` at slope ``1 - headroom``, so highlights keep
``1 - headroom`` of their gradation at least, however strong the curve. Where the enhanced pixel
exceeds the bound, its enhancement ``y - x`` is scaled down by one factor for all three channels,
so the pixel keeps the direction of its change (no new hue from one channel clipping first).
Darker pixels are untouched: with ``headroom`` 0.75, an input channel of 0.2 may still reach 0.8.

A frame without highlights needs none of this: in a very dark frame whose brightest content is at
0.3, that content is what the model should carry up to near white. So the headroom is set per
frame (:func:`frame_headroom`) from the frame's own highlights, the 99th percentile of the
brightest channel: the full protection from ``PROTECT_FROM`` up, none at or below ``FREE_BELOW``,
linear in between. (Per frame, not per pixel: a bound that loosened below some input level would
let darker pixels overtake brighter ones.)
"""

from __future__ import annotations

import math

import torch

DEFAULT_HEADROOM = 0.75
FREE_BELOW = 0.4  # a frame whose highlights are this dark (about code 100) gets no protection
PROTECT_FROM = 0.8  # ... and from this level up (about code 204), the full protection
_PERCENTILE = 0.99


def frame_headroom(x_low: torch.Tensor, headroom: float) -> float:
    """The headroom for a frame, from its small version ``x_low`` ``(B, 3, h, w)`` in [0, 1]:
    ``headroom`` when the 99th percentile of its brightest channel is at or above
    ``PROTECT_FROM``, 1 (none) at or below ``FREE_BELOW``, linear in between.

    >>> round(frame_headroom(torch.full((1, 3, 8, 8), 0.6), 0.75), 4)  # halfway
    0.875
    """
    if headroom >= 1.0:
        return 1.0
    brightest = x_low.detach().amax(dim=1).flatten().float()
    if brightest.numel() == 0:
        return 1.0
    rank = max(1, math.ceil(_PERCENTILE * brightest.numel()))
    level = float(brightest.kthvalue(rank).values)  # a selection, ~4x faster than quantile
    weight = min(max((level - FREE_BELOW) / (PROTECT_FROM - FREE_BELOW), 0.0), 1.0)
    return 1.0 - weight * (1.0 - headroom)


def protect_highlights(original: torch.Tensor, enhanced: torch.Tensor,
                       headroom: float) -> torch.Tensor:
    """``enhanced`` ``(B, 3, H, W)`` with each pixel's enhancement scaled down where its brightest
    channel would exceed ``m + headroom * (1 - m)`` (``m``: the brightest channel of ``original``,
    same shape, both in [0, 1]); ``headroom`` 1 returns ``enhanced`` unchanged. Returns a new
    tensor (or ``enhanced`` itself when nothing is protected).

    >>> x = torch.tensor([0.6, 0.4, 0.2]).view(1, 3, 1, 1)
    >>> y = protect_highlights(x, torch.tensor([1.0, 0.8, 0.4]).view(1, 3, 1, 1), 0.75)
    >>> [round(v, 4) for v in y.flatten().tolist()]  # bound 0.9; the lift scaled by 3/4
    [0.9, 0.7, 0.35]
    """
    if headroom >= 1.0:
        return enhanced
    brightest = original.amax(dim=1, keepdim=True)
    bound = brightest + headroom * (1.0 - brightest)
    # per channel, the share of its lift that stays under the bound; one share for the pixel
    lift = enhanced - original
    room = bound - original  # >= 0: the bound is at or above every input channel
    share = torch.where(enhanced > bound, room / lift.clamp(min=1e-6), torch.ones_like(lift))
    share = share.amin(dim=1, keepdim=True).clamp(0.0, 1.0)
    return original + share * lift

"""Colours that were already visible keep their hue: a term on the input, needing no target.

Brightening may rightly neutralise the sensor tint of a dark pixel, but a pixel that is already
well exposed and colourful in the input (an orange sunset, a lit red sign) shows its true hue;
a render that learns the colour style of its training targets must not carry that style over
to it. The same pixels :func:`llie_video.picture_stats.hue_shift` judges.
"""

from __future__ import annotations

import torch

from llie_video.ops.lab import rgb_to_lab
from llie_video.picture_stats import HUE_SATURATION, HUE_VALUE


def lit_colour_mask(x: torch.Tensor) -> torch.Tensor:
    """``(B, 1, H, W)`` float mask of the well-exposed, colourful pixels of ``x``
    ``(B, 3, H, W)`` in [0, 1]: those :func:`llie_video.picture_stats.hue_shift` judges (HSV
    value and saturation at least ``HUE_VALUE`` and ``HUE_SATURATION``)."""
    high = x.amax(1, keepdim=True)
    low = x.amin(1, keepdim=True)
    return ((high >= HUE_VALUE) & ((high - low) >= HUE_SATURATION * high)).to(x.dtype)


def lit_colour_loss(output: torch.Tensor, inputs: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``1 - cos`` of the angle between the CIELAB ``(a*, b*)`` of ``output`` and of ``inputs``
    (both ``(B, 3, H, W)``), averaged over the input's well-exposed colourful pixels
    (:func:`lit_colour_mask`); 0 when there are none."""
    mask = lit_colour_mask(inputs)
    count = mask.sum()
    if count == 0:
        return output.sum() * 0.0
    out_ab, in_ab = rgb_to_lab(output)[:, 1:], rgb_to_lab(inputs)[:, 1:]
    cos = (out_ab * in_ab).sum(1, keepdim=True) / (out_ab.norm(dim=1, keepdim=True)
                                                   * in_ab.norm(dim=1, keepdim=True) + eps)
    return ((1.0 - cos) * mask).sum() / count


__all__ = ["lit_colour_loss", "lit_colour_mask"]

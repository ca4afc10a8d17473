"""Colour as the eye judges it: CIELAB chroma and CIEDE2000 colour difference.

A saturation figure can hide what the eye sees (a value-weighted saturation of a picture with
little colour barely moves when its colours drain); these are the honest figures every
evaluation reports beside it: the mean CIELAB chroma C*ab of an output over its target's (1: as
colourful, 0.5: half the colour), and the mean CIEDE2000 difference per pixel (about 1: just
noticeable side by side, above 10: a different colour). Both on sRGB pictures ``(3, H, W)`` in
[0, 1] (tensors) or ``(H, W, 3)`` uint8 (arrays), D65; the conversions are scikit-image's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from skimage.color import deltaE_ciede2000, rgb2lab

_GREY_CHROMA = 1.0  # C*ab floor of a ratio's denominator: a grey reference stays finite


def _rgb01(picture: torch.Tensor | np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` float64 in [0, 1] from a ``(3, H, W)`` tensor in [0, 1] or an ``(H, W, 3)``
    uint8 array."""
    if isinstance(picture, torch.Tensor):
        return picture.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().double().numpy()
    return picture.astype(np.float64) / 255.0


def mean_chroma(picture: torch.Tensor | np.ndarray) -> float:
    """Mean CIELAB chroma ``sqrt(a*^2 + b*^2)`` of a picture's pixels.

    >>> round(mean_chroma(np.full((2, 2, 3), 128, np.uint8)), 1)  # grey
    0.0
    >>> round(mean_chroma(np.array([[[255, 0, 0]]], np.uint8)), 1)  # sRGB red
    104.6
    """
    lab = rgb2lab(_rgb01(picture))
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def chroma_ratio(output: torch.Tensor | np.ndarray, reference: torch.Tensor | np.ndarray) -> float:
    """:func:`mean_chroma` of ``output`` over that of ``reference`` (its target, or its input
    for an unpaired picture); the denominator is floored at 1 (a grey reference)."""
    return mean_chroma(output) / max(mean_chroma(reference), _GREY_CHROMA)


def mean_ciede2000(output: torch.Tensor | np.ndarray, target: torch.Tensor | np.ndarray) -> float:
    """Mean CIEDE2000 difference between the pixels of ``output`` and ``target`` (same size)."""
    return float(deltaE_ciede2000(rgb2lab(_rgb01(output)), rgb2lab(_rgb01(target))).mean())


def farthest_from_one(ratios: Sequence[float]) -> int:
    """The index of the ratio farthest from 1 on a log scale (half and double are as far).

    >>> farthest_from_one([0.9, 1.8, 0.5])
    2
    """
    return max(range(len(ratios)), key=lambda i: abs(math.log(max(ratios[i], 1e-6))))


__all__ = ["chroma_ratio", "farthest_from_one", "mean_chroma", "mean_ciede2000"]

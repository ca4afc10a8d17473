"""Losses against a reference image: L1, SSIM, colour direction and CIELAB colour.

All take ``output`` and ``target`` ``(B, 3, H, W)`` in [0, 1] and return a scalar tensor.
"""

from __future__ import annotations

import torch

from llie_video.metrics import ssim_per_image
from llie_video.ops.lab import lab_chroma, rgb_to_lab


def l1_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error."""
    return (output - target).abs().mean()


def ssim_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``1 - SSIM`` (the metric of :mod:`llie_video.metrics`, averaged over the batch)."""
    return 1.0 - ssim_per_image(output, target).mean()


def colour_angle_loss(output: torch.Tensor, target: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``1 - cos`` of the angle between the RGB vectors of ``output`` and ``target`` per pixel.

    Penalises hue and saturation errors independently of brightness; 0 when every pixel's colour
    direction matches. ``eps`` keeps black pixels finite (their cosine is taken as 0).
    """
    dot = (output * target).sum(1)
    norms = output.norm(dim=1) * target.norm(dim=1)
    return (1.0 - dot / (norms + eps)).mean()


def lab_colour_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean distance between the CIELAB ``(a*, b*)`` of ``output`` and ``target`` per pixel,
    divided by 100: hue and chroma errors as the eye weighs them, lightness left to the L1 and
    SSIM terms."""
    difference = rgb_to_lab(output)[:, 1:] - rgb_to_lab(target)[:, 1:]
    return (difference.pow(2).sum(1) + 1e-6).sqrt().mean() / 100.0


def chroma_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per image, ``|log(mean C*ab of output / mean C*ab of target)|``, averaged over the batch:
    0 when the output is as colourful as the target overall. A per-pixel colour term is won by
    greying pixels whose colour is uncertain; this term makes a drained (or a garish) picture
    cost as much as it looks."""
    def mean_chroma(x: torch.Tensor) -> torch.Tensor:
        return lab_chroma(rgb_to_lab(x)).mean((1, 2, 3)) + 1.0  # + 1: grey targets stay finite

    return (mean_chroma(output) / mean_chroma(target)).log().abs().mean()

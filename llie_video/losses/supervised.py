"""Losses against a reference image: L1, SSIM and colour direction.

All take ``output`` and ``target`` ``(B, 3, H, W)`` in [0, 1] and return a scalar tensor.
"""

from __future__ import annotations

import torch

from llie_video.metrics import ssim_per_image


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

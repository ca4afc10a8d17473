"""Retinex rendering: reflectance = image / illumination (SCI, Ma et al., CVPR 2022)."""

from __future__ import annotations

import torch

ILLUMINATION_FLOOR = 1e-4


def divide_by_illumination(
    x: torch.Tensor, illumination: torch.Tensor, eps: float = ILLUMINATION_FLOOR
) -> torch.Tensor:
    """Recover the reflectance ``clamp(x / clamp(illumination, eps, 1), 0, 1)``.

    Args:
        x: image, ``(B, 3, H, W)`` in [0, 1].
        illumination: ``(B, 3, H, W)`` (or broadcastable), nominally in (0, 1].
        eps: lower bound for the illumination, avoids division by zero.

    Returns:
        ``(B, 3, H, W)`` in [0, 1].

    >>> x = torch.full((1, 3, 1, 1), 0.2)
    >>> divide_by_illumination(x, torch.full((1, 3, 1, 1), 0.4))[0, 0, 0, 0].item()
    0.5
    """
    return torch.clamp(x / torch.clamp(illumination, eps, 1.0), 0.0, 1.0)

"""Resizing helpers for the estimate-at-low-resolution, render-at-full-resolution split."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def low_resolution_size(height: int, width: int, scale: float) -> tuple[int, int]:
    """Size of the estimation frame: ``floor(size / scale)``, at least 1 pixel per side."""
    return max(1, int(height / scale)), max(1, int(width / scale))


def downscale(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Downscale ``x`` (``(B, C, H, W)``) by ``scale`` (>= 1) for parameter estimation.

    Uses bilinear interpolation with ``scale_factor`` exactly as Zero-DCE++'s reference code does,
    so checkpoints trained with it see the frames they were trained on. ``scale == 1`` is a no-op.
    Returns ``(B, C, floor(H / scale), floor(W / scale))``.
    """
    if scale == 1:
        return x
    if scale < 1:
        raise ValueError(f"estimation scale must be >= 1, got {scale}")
    h, w = low_resolution_size(x.shape[-2], x.shape[-1], scale)
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False, antialias=False)


def upsample_params(params: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Upsample a parameter map ``(B, P, h, w)`` to ``(B, P, *size)`` (bilinear, corners aligned,
    as Zero-DCE++'s ``UpsamplingBilinear2d``). Returns ``params`` itself when the size matches."""
    if tuple(params.shape[-2:]) == tuple(size):
        return params
    return F.interpolate(params, size=size, mode="bilinear", align_corners=True)

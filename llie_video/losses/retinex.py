"""SCI's stage losses (Ma et al., CVPR 2022): illumination fidelity and edge-aware smoothness.

Each stage ``t`` of :func:`llie_video.models.sci.run_stages` gives an input ``S_t`` and an
illumination ``L_t`` (both ``(B, 3, H, W)``); SCI's loss per stage is
``1.5 * stage_fidelity + edge_aware_smoothness``.
"""

from __future__ import annotations

import torch

from llie_video.ops.color import rgb_to_yuv

SMOOTHNESS_RADIUS = 2  # 5x5 neighbourhood
SMOOTHNESS_SIGMA = 10.0


def stage_fidelity(illumination: torch.Tensor, stage_input: torch.Tensor) -> torch.Tensor:
    """``mean((L_t - S_t)^2)``: the illumination stays close to the stage's input."""
    return (illumination - stage_input).pow(2).mean()


def _half_offsets(radius: int) -> list[tuple[int, int]]:
    """One offset of each ``(d, -d)`` pair in the ``(2r+1)^2`` neighbourhood (12 for r = 2)."""
    return [(dy, dx) for dy in range(0, radius + 1) for dx in range(-radius, radius + 1)
            if dy > 0 or dx > 0]


def _shifted_pair(x: torch.Tensor, dy: int, dx: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Views ``x[p]`` and ``x[p + (dy, dx)]`` over all ``p`` where both lie inside ``x``."""
    h, w = x.shape[-2:]
    x0, x1 = max(0, -dx), w - max(0, dx)
    return x[..., 0 : h - dy, x0:x1], x[..., dy:h, x0 + dx : x1 + dx]


def edge_aware_smoothness(
    stage_input: torch.Tensor,
    illumination: torch.Tensor,
    radius: int = SMOOTHNESS_RADIUS,
    sigma: float = SMOOTHNESS_SIGMA,
) -> torch.Tensor:
    """SCI's smoothness: ``sum_d mean(w_d * |L(p) - L(p + d)|_1)`` over the 24 neighbours ``d`` of
    a 5x5 window, ``w_d = exp(-|Y(p) - Y(p + d)|^2 / (2 sigma^2))`` with ``Y`` the stage input in
    Y'CbCr (BT.601). Offsets ``d`` and ``-d`` cover the same pixel pairs, so each of the 12
    half-window offsets is counted twice.
    """
    guide = rgb_to_yuv(stage_input)
    scale = -1.0 / (2.0 * sigma * sigma)
    total = torch.zeros((), dtype=illumination.dtype, device=illumination.device)
    for dy, dx in _half_offsets(radius):
        g0, g1 = _shifted_pair(guide, dy, dx)
        l0, l1 = _shifted_pair(illumination, dy, dx)
        weight = torch.exp((g0 - g1).pow(2).sum(1, keepdim=True) * scale)
        total = total + 2.0 * (weight * (l0 - l1).abs().sum(1, keepdim=True)).mean()
    return total

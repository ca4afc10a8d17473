"""Colour post-operations and conversions."""

from __future__ import annotations

import torch

# Luma weights (R, G, B) of the two matrices video uses.
BT601 = (0.299, 0.587, 0.114)
BT709 = (0.2126, 0.7152, 0.0722)


GAMMA_FLOOR = 1e-6  # 1e-6 ** (1 / 1.3) < 3e-5: invisible in 8-bit output


def adjust_gamma(x: torch.Tensor, gamma: float) -> torch.Tensor:
    """Gamma post-processing ``x ** (1 / gamma)``: ``gamma > 1`` brightens, ``< 1`` darkens.

    Args:
        x: ``(B, C, H, W)`` in [0, 1].
        gamma: a positive Python float; ``1.0`` returns ``x`` unchanged.

    >>> adjust_gamma(torch.tensor([0.25]), 2.0).item()
    0.5
    """
    if gamma == 1.0:
        return x
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, got {gamma}")
    # Clamped just above 0: the derivative of x ** (1 / gamma) is infinite at black for gamma > 1
    # (real pairs hold pixels of exactly 0), which turned training losses into NaN.
    return x.clamp_min(GAMMA_FLOOR).pow(1.0 / gamma)


def luma_gamma(x: torch.Tensor, gamma: float,
               weights: tuple[float, float, float] = BT601) -> torch.Tensor:
    """Gamma on the luma alone: each pixel's channels of ``x`` ``(B, 3, H, W)`` in [0, 1]
    scaled together by ``luma ** (1 / gamma - 1)`` (``weights``), so its luma becomes
    ``luma ** (1 / gamma)`` and its channel ratios, hence its hue, stay as they were (a gamma
    per channel darkens the weaker channels more, and twists near-white hues); clamped to
    [0, 1]. ``gamma`` 1 returns ``x``.

    >>> y = luma_gamma(torch.tensor([0.8, 0.4, 0.2]).view(1, 3, 1, 1), 0.5)
    >>> [round(v, 4) for v in y.flatten().tolist()]
    [0.3974, 0.1987, 0.0994]
    """
    if gamma == 1.0:
        return x
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, got {gamma}")
    scale = luma(x, weights).clamp_min(GAMMA_FLOOR).pow(1.0 / gamma - 1.0)
    return (x * scale).clamp_(0.0, 1.0)


def blend(original: torch.Tensor, enhanced: torch.Tensor, strength: float) -> torch.Tensor:
    """Mix ``original`` and ``enhanced`` (same shape): ``strength`` 1 is fully enhanced, 0 the input."""
    if strength == 1.0:
        return enhanced
    return original + strength * (enhanced - original)


def luma(x: torch.Tensor, weights: tuple[float, float, float] = BT601) -> torch.Tensor:
    """Luma ``(B, 1, H, W)`` of an RGB image ``(B, 3, H, W)``."""
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    return weights[0] * r + weights[1] * g + weights[2] * b


def rgb_to_yuv(x: torch.Tensor, weights: tuple[float, float, float] = BT601) -> torch.Tensor:
    """Full-range RGB ``(B, 3, H, W)`` to Y'CbCr with Cb, Cr centred on 0 (range [-0.5, 0.5])."""
    kr, kg, kb = weights
    y = luma(x, weights)
    cb = (x[:, 2:3] - y) / (2.0 * (1.0 - kb))
    cr = (x[:, 0:1] - y) / (2.0 * (1.0 - kr))
    return torch.cat([y, cb, cr], dim=1)


def yuv_to_rgb(x: torch.Tensor, weights: tuple[float, float, float] = BT601) -> torch.Tensor:
    """Inverse of :func:`rgb_to_yuv`: ``(B, 3, H, W)`` Y'CbCr (chroma centred on 0) to RGB."""
    kr, kg, kb = weights
    y, cb, cr = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    r = y + 2.0 * (1.0 - kr) * cr
    b = y + 2.0 * (1.0 - kb) * cb
    g = (y - kr * r - kb * b) / kg
    return torch.cat([r, g, b], dim=1)


def scale_saturation(x: torch.Tensor, factor: float,
                     weights: tuple[float, float, float] = BT601,
                     per_pixel: torch.Tensor | None = None) -> torch.Tensor:
    """Scale the chroma of ``x`` ``(B, 3, H, W)`` in [0, 1] about its luma (``weights``):
    ``luma + factor * (x - luma)``, clamped to [0, 1]; ``factor`` 1 returns ``x``, 0 grey.
    ``per_pixel`` ``(B, 1, H, W)``, if given, multiplies ``factor`` pixel by pixel.

    >>> grey = scale_saturation(torch.tensor([0.2, 0.5, 0.8]).view(1, 3, 1, 1), 0.0)
    >>> [round(v, 4) for v in grey.flatten().tolist()]
    [0.4445, 0.4445, 0.4445]
    """
    if factor == 1.0 and per_pixel is None:
        return x
    y = luma(x, weights)
    scale = factor if per_pixel is None else factor * per_pixel
    return (y + scale * (x - y)).clamp_(0.0, 1.0)


def shadow_weight(input_luma: torch.Tensor, threshold: float) -> torch.Tensor:
    """How much colour a pixel keeps by its input luma (``(B, 1, H, W)`` in [0, 1]): a ramp
    from 0 at black to 1 at ``threshold`` and above (``threshold > 0``)."""
    return (input_luma / threshold).clamp_(0.0, 1.0)

"""Synthetic low-light images from well-exposed sRGB photographs.

The clean image is linearised (inverse sRGB curve), darkened by an exposure factor, given
Poisson-Gaussian sensor noise (shot noise through a photon count, plus read noise), re-encoded with
the sRGB curve and quantised to 8 bits. With the default factors (0.008-0.06, log-uniform) a photo of
mean luma ~90-170 becomes a dark frame of mean luma ~5-30 (of 255).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DegradationConfig:
    """Ranges the degradation samples from (log-uniform unless noted).

    Attributes:
        exposure_min, exposure_max: factor applied to the linear-light image.
        photons_min, photons_max: photons collected at full scale (linear 1.0 before darkening);
            the shot noise of a pixel is ``sqrt(photons * linear) / photons``.
        read_noise_min, read_noise_max: standard deviation of the Gaussian read noise, linear light.
        quantise: round to 8 bits at the end, as a camera's output would be.
    """

    exposure_min: float = 0.008
    exposure_max: float = 0.06
    photons_min: float = 1000.0
    photons_max: float = 20000.0
    read_noise_min: float = 0.0002
    read_noise_max: float = 0.002
    quantise: bool = True

    def __post_init__(self) -> None:
        for low, high, name in (
            (self.exposure_min, self.exposure_max, "exposure"),
            (self.photons_min, self.photons_max, "photons"),
            (self.read_noise_min, self.read_noise_max, "read_noise"),
        ):
            if not 0 < low <= high:
                raise ValueError(f"{name}: need 0 < min <= max, got {low}, {high}")


@dataclass(frozen=True)
class DegradationParams:
    """One draw from :class:`DegradationConfig`."""

    exposure: float
    photons: float
    read_noise: float


def srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    """Inverse sRGB transfer function (IEC 61966-2-1), any shape, values in [0, 1]."""
    return torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055).clamp_min(0).pow(2.4))


def linear_to_srgb(x: torch.Tensor) -> torch.Tensor:
    """sRGB transfer function, any shape; input clamped to [0, 1]."""
    x = x.clamp(0.0, 1.0)
    return torch.where(x <= 0.0031308, 12.92 * x, 1.055 * x.pow(1 / 2.4) - 0.055)


def _log_uniform(low: float, high: float, generator: torch.Generator) -> float:
    u = float(torch.rand((), generator=generator, dtype=torch.float64))
    return math.exp(math.log(low) + u * (math.log(high) - math.log(low)))


def sample_params(config: DegradationConfig, generator: torch.Generator) -> DegradationParams:
    """Draw exposure, photon count and read noise (log-uniform in their ranges)."""
    return DegradationParams(
        exposure=_log_uniform(config.exposure_min, config.exposure_max, generator),
        photons=_log_uniform(config.photons_min, config.photons_max, generator),
        read_noise=_log_uniform(config.read_noise_min, config.read_noise_max, generator),
    )


def apply_degradation(
    clean: torch.Tensor, params: DegradationParams, generator: torch.Generator, quantise: bool = True
) -> torch.Tensor:
    """Darken and add sensor noise to ``clean`` ``(..., 3, H, W)`` sRGB in [0, 1].

    Returns the dark sRGB image, same shape, in [0, 1] (multiples of 1/255 when ``quantise``).
    Random numbers come from ``generator`` only, so a seeded generator reproduces the result.
    """
    linear = srgb_to_linear(clean.float()) * params.exposure
    electrons = torch.poisson(linear * params.photons, generator=generator)
    noisy = electrons / params.photons
    noisy = noisy + params.read_noise * torch.randn(
        noisy.shape, generator=generator, dtype=noisy.dtype
    )
    dark = linear_to_srgb(noisy)
    if quantise:
        dark = torch.round(dark * 255.0) / 255.0
    return dark


def degrade(
    clean: torch.Tensor, config: DegradationConfig, generator: torch.Generator
) -> torch.Tensor:
    """Sample parameters from ``config`` and degrade ``clean`` ``(3, H, W)`` -> ``(3, H, W)``."""
    return apply_degradation(clean, sample_params(config, generator), generator, config.quantise)

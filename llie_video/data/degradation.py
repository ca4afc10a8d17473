"""Synthetic low-light images from well-exposed sRGB photographs.

The clean image is linearised (inverse sRGB curve), darkened by an exposure factor, given
Poisson-Gaussian sensor noise (shot noise through a photon count, plus read noise), re-encoded with
the sRGB curve and quantised to 8 bits. With the default factors (0.008-0.06, log-uniform) a photo of
mean luma ~90-170 becomes a dark frame of mean luma ~5-30 (of 255).

Real night shots are rarely dark everywhere: street lights, lamps and lit facades are already well
exposed while the rest is dark. With ``lit_probability > 0`` a sample may get *lit regions*: smooth
Gaussian blobs where the exposure factor rises towards a much larger one (up to 1, no darkening), so
a model trained on these pairs learns to leave well-lit parts alone instead of blowing them out.
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
        lit_probability: chance that a sample gets 1 to ``lit_regions_max`` lit regions (0: never,
            and no random numbers are drawn for them, so the default recipe is unchanged).
        lit_exposure_min, lit_exposure_max: exposure factor at a lit region's centre.
        lit_radius_min, lit_radius_max: a region's Gaussian radius, fraction of the long side
            (uniform).
    """

    exposure_min: float = 0.008
    exposure_max: float = 0.06
    photons_min: float = 1000.0
    photons_max: float = 20000.0
    read_noise_min: float = 0.0002
    read_noise_max: float = 0.002
    quantise: bool = True
    lit_probability: float = 0.0
    lit_regions_max: int = 3
    lit_exposure_min: float = 0.25
    lit_exposure_max: float = 1.0
    lit_radius_min: float = 0.05
    lit_radius_max: float = 0.35

    def __post_init__(self) -> None:
        for low, high, name in (
            (self.exposure_min, self.exposure_max, "exposure"),
            (self.photons_min, self.photons_max, "photons"),
            (self.read_noise_min, self.read_noise_max, "read_noise"),
            (self.lit_exposure_min, self.lit_exposure_max, "lit_exposure"),
            (self.lit_radius_min, self.lit_radius_max, "lit_radius"),
        ):
            if not 0 < low <= high:
                raise ValueError(f"{name}: need 0 < min <= max, got {low}, {high}")
        if not 0.0 <= self.lit_probability <= 1.0 or self.lit_regions_max < 1:
            raise ValueError("lit_probability must be in [0, 1] and lit_regions_max >= 1")
        if self.lit_exposure_max > 1.0:
            raise ValueError("lit_exposure_max must be <= 1 (a lit region is never brightened)")


@dataclass(frozen=True)
class LitRegion:
    """A Gaussian blob of higher exposure: centre ``(cy, cx)`` and ``radius`` as fractions of the
    image height, width and long side; ``exposure`` is the factor at the centre."""

    cy: float
    cx: float
    radius: float
    exposure: float


@dataclass(frozen=True)
class DegradationParams:
    """One draw from :class:`DegradationConfig`."""

    exposure: float
    photons: float
    read_noise: float
    lit: tuple[LitRegion, ...] = ()


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


def _uniform(low: float, high: float, generator: torch.Generator) -> float:
    return low + (high - low) * float(torch.rand((), generator=generator, dtype=torch.float64))


def sample_lit_regions(config: DegradationConfig, generator: torch.Generator) -> tuple[LitRegion, ...]:
    """With probability ``lit_probability``, 1 to ``lit_regions_max`` lit regions; else none.
    Draws nothing from ``generator`` when ``lit_probability`` is 0."""
    if config.lit_probability <= 0 or _uniform(0, 1, generator) >= config.lit_probability:
        return ()
    count = 1 + int(torch.randint(config.lit_regions_max, (), generator=generator))
    return tuple(
        LitRegion(
            cy=_uniform(0, 1, generator),
            cx=_uniform(0, 1, generator),
            radius=_uniform(config.lit_radius_min, config.lit_radius_max, generator),
            exposure=_log_uniform(config.lit_exposure_min, config.lit_exposure_max, generator),
        )
        for _ in range(count)
    )


def sample_params(config: DegradationConfig, generator: torch.Generator) -> DegradationParams:
    """Draw exposure, photon count and read noise (log-uniform in their ranges), then the lit
    regions (see :func:`sample_lit_regions`)."""
    exposure = _log_uniform(config.exposure_min, config.exposure_max, generator)
    photons = _log_uniform(config.photons_min, config.photons_max, generator)
    read_noise = _log_uniform(config.read_noise_min, config.read_noise_max, generator)
    return DegradationParams(exposure, photons, read_noise, sample_lit_regions(config, generator))


def exposure_map(params: DegradationParams, height: int, width: int) -> torch.Tensor:
    """The per-pixel exposure factor ``(H, W)``: ``params.exposure`` raised towards each lit
    region's factor by its Gaussian weight, ``e + max_k w_k(x) * max(0, e_k - e)``."""
    ys = (torch.arange(height, dtype=torch.float32) + 0.5) / height
    xs = (torch.arange(width, dtype=torch.float32) + 0.5) / width
    long_side = float(max(height, width))
    lift = torch.zeros(height, width)
    for region in params.lit:
        dy = (ys - region.cy)[:, None] * height / long_side
        dx = (xs - region.cx)[None, :] * width / long_side
        weight = torch.exp(-(dy.square() + dx.square()) / (2 * region.radius**2))
        lift = torch.maximum(lift, weight * max(0.0, region.exposure - params.exposure))
    return params.exposure + lift


def apply_degradation(
    clean: torch.Tensor, params: DegradationParams, generator: torch.Generator, quantise: bool = True
) -> torch.Tensor:
    """Darken and add sensor noise to ``clean`` ``(..., 3, H, W)`` sRGB in [0, 1].

    Returns the dark sRGB image, same shape, in [0, 1] (multiples of 1/255 when ``quantise``).
    Random numbers come from ``generator`` only, so a seeded generator reproduces the result.
    """
    linear = srgb_to_linear(clean.float())
    if params.lit:
        linear = linear * exposure_map(params, clean.shape[-2], clean.shape[-1])
    else:
        linear = linear * params.exposure
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

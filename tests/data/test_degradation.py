"""Synthetic low-light degradation: transfer curves, darkening factor, noise statistics."""

from __future__ import annotations

import math

import pytest
import torch

from llie_video.data.degradation import (
    DegradationConfig,
    DegradationParams,
    LitRegion,
    apply_degradation,
    degrade,
    exposure_map,
    linear_to_srgb,
    sample_params,
    srgb_to_linear,
)


def test_srgb_curves_invert_each_other_and_hit_known_points() -> None:
    x = torch.linspace(0, 1, 101)
    assert torch.allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-6)
    assert float(srgb_to_linear(torch.tensor(0.5))) == pytest.approx(0.2140, abs=1e-4)


def test_noise_free_darkening_scales_linear_light() -> None:
    clean = torch.full((3, 64, 64), 0.6)
    params = DegradationParams(exposure=0.03, photons=1e9, read_noise=1e-12)
    dark = apply_degradation(clean, params, torch.Generator().manual_seed(0), quantise=False)
    ratio = srgb_to_linear(dark).mean() / srgb_to_linear(clean).mean()
    assert float(ratio) == pytest.approx(0.03, rel=1e-3)


def test_shot_and_read_noise_variance_match_the_model() -> None:
    # Linear signal s = 0.5 * 0.05; variance = s / photons + read^2.
    clean_linear = 0.5
    clean = linear_to_srgb(torch.full((3, 128, 128), clean_linear))
    params = DegradationParams(exposure=0.05, photons=4000.0, read_noise=0.002)
    dark = apply_degradation(clean, params, torch.Generator().manual_seed(1), quantise=False)
    noisy_linear = srgb_to_linear(dark)
    signal = clean_linear * params.exposure
    expected_var = signal / params.photons + params.read_noise**2
    assert float(noisy_linear.mean()) == pytest.approx(signal, rel=0.02)
    assert float(noisy_linear.var()) == pytest.approx(expected_var, rel=0.1)


def test_degrade_is_reproducible_quantised_and_dark() -> None:
    clean = torch.rand(3, 32, 32, generator=torch.Generator().manual_seed(2)) * 0.4 + 0.3
    config = DegradationConfig()
    a = degrade(clean, config, torch.Generator().manual_seed(7))
    b = degrade(clean, config, torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    assert torch.equal(a, torch.round(a * 255) / 255)
    assert float(a.mean()) < 0.15 < float(clean.mean())


def test_config_rejects_inverted_ranges() -> None:
    with pytest.raises(ValueError):
        DegradationConfig(exposure_min=0.1, exposure_max=0.01)


def test_exposure_map_rises_to_a_lit_region_and_falls_back_to_the_base() -> None:
    region = LitRegion(cy=0.5, cx=0.5, radius=0.1, exposure=1.0)
    params = DegradationParams(exposure=0.02, photons=1e9, read_noise=1e-12, lit=(region,))
    emap = exposure_map(params, 101, 201)
    assert emap.shape == (101, 201)
    # Pixel (50, 100) is the centre; distance is measured in long-side units (201 px).
    assert float(emap[50, 100]) == pytest.approx(1.0, abs=1e-3)
    assert float(emap[0, 0]) == pytest.approx(0.02, abs=1e-4)
    # One radius (0.1 * 201 px = 20.1 px) to the right: weight exp(-1/2).
    expected = 0.02 + math.exp(-0.5 * (20.0 / 20.1) ** 2) * 0.98
    assert float(emap[50, 120]) == pytest.approx(expected, rel=1e-3)


def test_noise_free_lit_region_keeps_its_pixels_and_darkens_the_rest() -> None:
    clean = torch.full((3, 64, 64), 0.6)
    region = LitRegion(cy=0.5, cx=0.5, radius=0.05, exposure=1.0)
    params = DegradationParams(exposure=0.03, photons=1e9, read_noise=1e-12, lit=(region,))
    dark = apply_degradation(clean, params, torch.Generator().manual_seed(0), quantise=False)
    assert float(dark[:, 31:33, 31:33].mean()) == pytest.approx(0.6, abs=0.02)
    ratio = srgb_to_linear(dark[:, :4, :4]).mean() / srgb_to_linear(clean[:, :4, :4]).mean()
    assert float(ratio) == pytest.approx(0.03, rel=1e-3)


def test_lit_regions_are_drawn_only_when_asked() -> None:
    off = sample_params(DegradationConfig(), torch.Generator().manual_seed(3))
    assert off.lit == ()
    config = DegradationConfig(lit_probability=1.0, lit_regions_max=2)
    draws = [sample_params(config, torch.Generator().manual_seed(s)) for s in range(20)]
    counts = {len(p.lit) for p in draws}
    assert counts == {1, 2}
    # The base exposure, photons and read noise are the first draws, as without lit regions.
    plain = sample_params(DegradationConfig(), torch.Generator().manual_seed(0))
    assert (draws[0].exposure, draws[0].photons) == (plain.exposure, plain.photons)
    for p in draws:
        for r in p.lit:
            assert 0.25 <= r.exposure <= 1.0 and 0.05 <= r.radius <= 0.35


def test_config_rejects_lit_regions_that_brighten() -> None:
    with pytest.raises(ValueError):
        DegradationConfig(lit_exposure_max=1.5)
    with pytest.raises(ValueError):
        DegradationConfig(lit_probability=1.5)

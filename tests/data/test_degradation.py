"""Synthetic low-light degradation: transfer curves, darkening factor, noise statistics."""

from __future__ import annotations

import pytest
import torch

from llie_video.data.degradation import (
    DegradationConfig,
    DegradationParams,
    apply_degradation,
    degrade,
    linear_to_srgb,
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

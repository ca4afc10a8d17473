"""PSNR and SSIM against hand computations."""

from __future__ import annotations

import math

import pytest
import torch

from llie_video.metrics import gaussian_window, psnr, ssim, ssim_per_image


def test_psnr_of_a_constant_offset_matches_the_formula() -> None:
    x = torch.full((1, 3, 8, 8), 0.5)
    y = x + 0.1
    assert psnr(x, y) == pytest.approx(-10 * math.log10(0.01), abs=1e-4)


def test_psnr_is_the_mean_of_per_image_values() -> None:
    x = torch.zeros(2, 3, 4, 4)
    y = torch.stack([torch.full((3, 4, 4), 0.1), torch.full((3, 4, 4), 0.01)])
    assert psnr(x, y) == pytest.approx((20.0 + 40.0) / 2, abs=1e-3)


def test_ssim_of_identical_images_is_one_and_of_a_noisy_copy_less() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 24, 24, generator=g)
    assert ssim(x, x) == pytest.approx(1.0, abs=1e-6)
    noisy = (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert ssim(x, noisy) < 0.9


def test_ssim_of_constant_images_matches_the_luminance_term() -> None:
    # No variance: SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1) everywhere (float32
    # cancellation in E[x^2] - mu^2 leaves ~1e-5 of noise).
    a, b, c1 = 0.3, 0.5, 0.01**2
    expected = (2 * a * b + c1) / (a * a + b * b + c1)
    assert ssim(torch.full((1, 3, 16, 16), a), torch.full((1, 3, 16, 16), b)) == pytest.approx(
        expected, abs=1e-4
    )


def test_gaussian_window_is_normalised_and_symmetric() -> None:
    w = gaussian_window()
    assert w.shape == (11,)
    assert float(w.sum()) == pytest.approx(1.0)
    assert torch.allclose(w, w.flip(0))
    assert float(w[5] / w[6]) == pytest.approx(math.exp(1 / (2 * 1.5**2)), rel=1e-5)


def test_ssim_is_differentiable_and_rejects_small_images() -> None:
    x = torch.rand(1, 3, 12, 12, requires_grad=True)
    ssim_per_image(x, torch.rand(1, 3, 12, 12)).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    with pytest.raises(ValueError):
        ssim(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8))


def _ssim_with_a_full_2d_window(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Reference SSIM per image: one 11x11 Gaussian window as a 2-D convolution per plane."""
    b, c, h, w = x.shape
    taps = gaussian_window().double()
    window = torch.outer(taps, taps).view(1, 1, 11, 11)
    planes = torch.cat([x, y, x * x, y * y, x * y]).double().reshape(-1, 1, h, w)
    mu_x, mu_y, xx, yy, xy = torch.nn.functional.conv2d(planes, window).split(b * c)
    c1, c2 = 0.01**2, 0.03**2
    cov, var_x, var_y = xy - mu_x * mu_y, xx - mu_x**2, yy - mu_y**2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return ssim_map.reshape(b, -1).mean(1).float()


def test_separable_ssim_equals_the_full_window_and_its_gradient_flows() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.rand(3, 3, 40, 53, generator=g)
    y = (0.6 * x + 0.3 * torch.rand(x.shape, generator=g)).clamp(0, 1)
    assert torch.allclose(ssim_per_image(x, y), _ssim_with_a_full_2d_window(x, y), atol=1e-5)
    x.requires_grad_(True)
    ssim_per_image(x, y).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and float(x.grad.abs().sum()) > 0

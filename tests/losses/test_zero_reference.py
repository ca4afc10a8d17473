"""Zero-reference losses on known values, and their gradients."""

from __future__ import annotations

import pytest
import torch

from llie_video.losses.zero_reference import (
    ZeroReferenceWeights,
    colour_constancy_loss,
    exposure_control_loss,
    illumination_smoothness_loss,
    spatial_consistency_loss,
    zero_reference_loss,
)


def test_exposure_loss_is_the_squared_distance_to_the_level() -> None:
    x = torch.full((1, 3, 32, 32), 0.2)
    assert float(exposure_control_loss(x, level=0.6)) == pytest.approx(0.16, abs=1e-6)
    assert float(exposure_control_loss(torch.full((1, 3, 32, 32), 0.6))) == pytest.approx(0, abs=1e-9)


def test_colour_constancy_on_grey_is_finite_with_finite_gradient() -> None:
    grey = torch.full((2, 3, 8, 8), 0.4, requires_grad=True)
    loss = colour_constancy_loss(grey)
    loss.backward()
    assert float(loss.detach()) == pytest.approx(1e-4, abs=1e-6)  # sqrt(eps)
    assert torch.isfinite(grey.grad).all()


def test_colour_constancy_matches_hand_value() -> None:
    x = torch.zeros(1, 3, 4, 4)
    x[:, 0] = 0.5  # means r=0.5, g=b=0: D_rg = D_rb = 0.25, D_gb = 0
    expected = (2 * 0.25**2) ** 0.5
    assert float(colour_constancy_loss(x)) == pytest.approx(expected, abs=1e-6)


def test_spatial_consistency_of_a_global_offset_counts_only_the_border() -> None:
    g = torch.Generator().manual_seed(0)
    original = torch.rand(1, 3, 16, 32, generator=g) * 0.5
    assert float(spatial_consistency_loss(original, original)) == 0.0
    # An offset c keeps every difference between neighbouring 4x4 regions; only those to the
    # zero padding change, by c: a left and a right one per region row (h = 4 rows of w = 8
    # regions), an upper and a lower one per region column. Each direction's squared error is
    # averaged over the h * w regions: 2 c^2 / w + 2 c^2 / h.
    c, h, w = 0.1, 4, 8
    offset = spatial_consistency_loss(original + c, original)
    assert float(offset) == pytest.approx(2 * c**2 / w + 2 * c**2 / h, rel=1e-5)


def test_spatial_consistency_grows_as_contrast_is_flattened() -> None:
    g = torch.Generator().manual_seed(0)
    original = torch.rand(1, 3, 16, 16, generator=g) * 0.5
    mean = float(original.mean())
    losses = [float(spatial_consistency_loss(mean + k * (original - mean), original))
              for k in (1.0, 0.5, 0.0)]
    assert losses[0] == 0.0 < losses[1] < losses[2]


def test_illumination_smoothness_of_a_ramp() -> None:
    params = torch.arange(4.0).view(1, 1, 1, 4).expand(1, 1, 4, 4).contiguous()
    # Horizontal steps of 1: sum 12 over 12 pairs; no vertical change; times 2.
    assert float(illumination_smoothness_loss(params)) == pytest.approx(2.0)
    assert float(illumination_smoothness_loss(torch.ones(1, 3, 5, 5))) == 0.0


def test_weighted_sum_and_gradient_reach_the_curve_map() -> None:
    x = torch.rand(1, 3, 32, 32) * 0.2
    params = torch.zeros(1, 3, 32, 32, requires_grad=True)
    enhanced = x + params * (x * x - x)
    weights = ZeroReferenceWeights()
    total = zero_reference_loss(enhanced, x, params, weights)
    expected = (
        weights.spatial * spatial_consistency_loss(enhanced, x)
        + weights.exposure * exposure_control_loss(enhanced, 0.6)
        + weights.colour * colour_constancy_loss(enhanced)
        + weights.smoothness * illumination_smoothness_loss(params)
    )
    assert float(total.detach()) == pytest.approx(float(expected.detach()))
    total.backward()
    # Brightening (negative alpha) lowers the exposure term: the gradient must be positive.
    assert float(params.grad.sum()) > 0

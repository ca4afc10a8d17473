"""SCI's stage losses on known values, and their gradients."""

from __future__ import annotations

import pytest
import torch

from llie_video.losses.retinex import edge_aware_smoothness, stage_fidelity


def test_fidelity_is_the_mean_squared_difference() -> None:
    assert float(stage_fidelity(torch.full((1, 3, 4, 4), 0.5), torch.full((1, 3, 4, 4), 0.2))) == (
        pytest.approx(0.09)
    )


def test_smoothness_of_a_constant_illumination_is_zero() -> None:
    x = torch.rand(1, 3, 9, 9)
    assert float(edge_aware_smoothness(x, torch.full((1, 3, 9, 9), 0.3))) == 0.0


def test_smoothness_of_a_horizontal_ramp_with_flat_guide() -> None:
    # L = c * column, flat guide (weights 1): each offset (dy, dx) contributes 2 * 3 * c * |dx|.
    c = 0.01
    illumination = (c * torch.arange(8.0)).view(1, 1, 1, 8).expand(1, 3, 8, 8).contiguous()
    guide = torch.full((1, 3, 8, 8), 0.5)
    half_offsets = [(dy, dx) for dy in range(3) for dx in range(-2, 3) if dy > 0 or dx > 0]
    expected = sum(2 * 3 * c * abs(dx) for _, dx in half_offsets)
    assert float(edge_aware_smoothness(guide, illumination)) == pytest.approx(expected, rel=1e-5)


def test_edges_in_the_guide_lower_the_weight() -> None:
    illumination = torch.rand(1, 3, 10, 10, generator=torch.Generator().manual_seed(1))
    flat = torch.zeros(1, 3, 10, 10)
    edges = flat.clone()
    edges[..., ::2, :] = 1.0
    assert float(edge_aware_smoothness(edges, illumination, sigma=0.5)) < float(
        edge_aware_smoothness(flat, illumination, sigma=0.5)
    )


def test_gradients_flow_to_the_illumination() -> None:
    illumination = torch.rand(1, 3, 8, 8, requires_grad=True)
    x = torch.rand(1, 3, 8, 8)
    (1.5 * stage_fidelity(illumination, x) + edge_aware_smoothness(x, illumination)).backward()
    assert illumination.grad is not None and float(illumination.grad.abs().sum()) > 0

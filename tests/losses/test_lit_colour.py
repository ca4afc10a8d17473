"""The term that keeps the hue of well-exposed colourful input pixels."""

from __future__ import annotations

import pytest
import torch

from llie_video.losses.lit_colour import lit_colour_loss, lit_colour_mask


def _picture() -> torch.Tensor:
    x = torch.full((1, 3, 4, 8), 0.02)  # dark, no colour to keep
    x[..., 4:] = torch.tensor([0.8, 0.4, 0.1]).view(1, 3, 1, 1)  # a lit orange half
    return x


def test_only_well_exposed_colourful_pixels_count() -> None:
    mask = lit_colour_mask(_picture())
    assert mask[..., 4:].all() and not mask[..., :4].any()
    assert not lit_colour_mask(torch.full((1, 3, 2, 2), 0.9)).any()  # bright grey


def test_brightening_is_free_and_a_hue_change_costs() -> None:
    x = _picture()
    brighter = x.clone()
    brighter[..., 4:] = torch.tensor([0.95, 0.5, 0.15]).view(1, 3, 1, 1)
    brighter[..., :4] = torch.tensor([0.3, 0.5, 0.6]).view(1, 3, 1, 1)  # dark part may change
    assert float(lit_colour_loss(brighter, x)) < 0.01
    cyan = x.clone()
    cyan[..., 4:] = torch.tensor([0.2, 0.6, 0.8]).view(1, 3, 1, 1)
    assert float(lit_colour_loss(cyan, x)) > 1.0  # more than 90 degrees round


def test_no_lit_pixels_gives_zero_with_a_gradient_path() -> None:
    dark = torch.full((1, 3, 2, 2), 0.05, requires_grad=True)
    loss = lit_colour_loss(dark * 3, dark.detach())
    assert float(loss.detach()) == pytest.approx(0.0)
    loss.backward()
    assert dark.grad is not None

"""The brightness ceiling's hold: exact where it applies, neutral where it does not, never
darker than the input; its gamma keeps each pixel's hue."""

import pytest
import torch

from llie_video.ops.color import blend, luma, luma_gamma
from llie_video.ops.exposure import MAX_EXPONENT, hold_under_ceiling


def _frames(level: float, input_level: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """An input of mean luma about ``input_level`` and a render of it of about ``level``."""
    g = torch.Generator().manual_seed(0)
    x = input_level + (torch.rand(1, 3, 18, 32, generator=g) - 0.5) * 0.2
    y = (level + (torch.rand(1, 3, 18, 32, generator=g) - 0.5) * 0.4).clamp(0, 1)
    return x, y


def _mean_luma(x, y, gamma, strength):
    return luma(blend(x, luma_gamma(y, gamma), strength)).mean().item()


@pytest.mark.parametrize(("gamma", "strength"), [(1.0, 1.0), (1.0, 0.7), (1.2, 1.0)])
def test_a_bright_render_is_brought_down_to_the_ceiling_by_gamma(gamma, strength):
    x, y = _frames(0.7)
    hold = hold_under_ceiling(x, y, gamma, strength, 0.5)
    assert hold.gamma < gamma and hold.strength == strength
    assert _mean_luma(x, y, *hold) == pytest.approx(0.5, abs=1e-4)


def test_beyond_the_gamma_limit_the_render_is_blended_with_the_input():
    """A render near white would need a crushing gamma: the gamma stops at its limit and the
    strength brings the mean down the rest of the way."""
    x, y = _frames(0.93)
    hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5)
    assert hold.gamma == pytest.approx(1.0 / MAX_EXPONENT)
    assert 0.0 < hold.strength < 1.0
    assert _mean_luma(x, y, *hold) == pytest.approx(0.5, abs=1e-4)


def test_input_brighter_than_the_ceiling_passes_through():
    """The target is never below the input's own mean luma; a render that cannot be darkened
    to it by the gamma ends as the input itself (strength 0)."""
    x, y = _frames(0.97, input_level=0.7)
    hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5)
    assert hold.strength == pytest.approx(0.0, abs=1e-6)
    x, y = _frames(0.8, input_level=0.6)
    hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5)
    assert _mean_luma(x, y, *hold) == pytest.approx(luma(x).mean().item(), abs=1e-4)


def test_a_render_under_the_ceiling_keeps_the_users_settings():
    x, y = _frames(0.35)
    assert hold_under_ceiling(x, y, 1.2, 0.8, 0.5) == (1.2, 0.8)


@pytest.mark.parametrize("ceiling, strength", [(1.0, 1.0), (0.5, 0.0)])
def test_ceiling_one_or_strength_zero_is_off(ceiling, strength):
    x, y = _frames(0.9)
    assert hold_under_ceiling(x, y, 1.0, strength, ceiling) == (1.0, strength)


def test_the_held_gamma_darkens_a_colour_without_changing_its_hue():
    """The ceiling's gamma scales a pixel's channels together: their ratios stay."""
    x, y = _frames(0.7)
    y[:, :, :4, :4] = torch.tensor([0.9, 0.5, 0.2]).view(1, 3, 1, 1)  # an orange patch
    hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5)
    held = luma_gamma(y, hold.gamma)[0, :, 0, 0]
    assert held[0] < 0.9 and torch.allclose(held / held[0], torch.tensor([1.0, 5 / 9, 2 / 9]))


def test_the_gamma_acts_on_the_frames_own_luma():
    """With another matrix's luma the hold still brings the mean (BT.601) luma to the ceiling."""
    x, y = _frames(0.7)
    bt709 = (0.2126, 0.7152, 0.0722)
    hold = hold_under_ceiling(x, y, 1.0, 1.0, 0.5, bt709)
    held = luma_gamma(y, hold.gamma, bt709)
    assert luma(held).mean().item() == pytest.approx(0.5, abs=1e-4)

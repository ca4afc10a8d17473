"""The brightness ceiling's gamma: exact where it applies, neutral where it does not."""

import pytest
import torch

from llie_video.ops.color import adjust_gamma, blend, luma
from llie_video.ops.exposure import ceiling_gamma


def _frames(level: float) -> tuple[torch.Tensor, torch.Tensor]:
    """A dark input and a render of it whose mean luma is about ``level``."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1, 3, 18, 32, generator=g) * 0.2
    y = (level + (torch.rand(1, 3, 18, 32, generator=g) - 0.5) * 0.4).clamp(0, 1)
    return x, y


def _mean_luma(x, y, gamma, strength):
    return luma(blend(x, adjust_gamma(y, gamma), strength)).mean().item()


@pytest.mark.parametrize("gamma", [1.0, 1.5])
@pytest.mark.parametrize("strength", [1.0, 0.7])
def test_a_bright_render_is_brought_down_to_the_ceiling(gamma, strength):
    x, y = _frames(0.8)
    lowered = ceiling_gamma(x, y, gamma, strength, 0.5)
    assert lowered < gamma
    assert _mean_luma(x, y, lowered, strength) == pytest.approx(0.5, abs=1e-4)


def test_a_render_under_the_ceiling_keeps_the_users_gamma():
    x, y = _frames(0.35)
    assert ceiling_gamma(x, y, 1.2, 1.0, 0.5) == 1.2


@pytest.mark.parametrize("ceiling, strength", [(1.0, 1.0), (0.5, 0.0)])
def test_ceiling_one_or_strength_zero_is_off(ceiling, strength):
    x, y = _frames(0.9)
    assert ceiling_gamma(x, y, 1.0, strength, ceiling) == 1.0

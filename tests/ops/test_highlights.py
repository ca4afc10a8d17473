"""Highlight protection: bounded highlights, kept gradation and hue, dark pixels untouched."""

import torch

from llie_video.ops.highlights import protect_highlights


def _curve(x: torch.Tensor, alpha: float = 1.0, steps: int = 8) -> torch.Tensor:
    """A strong light-enhancement curve ``x + alpha * x * (1 - x)``, applied ``steps`` times."""
    for _ in range(steps):
        x = x + alpha * x * (1 - x)
    return x


def test_brightest_channel_stays_under_the_bound():
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    y = protect_highlights(x, _curve(x), 0.75)
    brightest = x.amax(dim=1)
    assert (y.amax(dim=1) <= brightest + 0.75 * (1 - brightest) + 1e-6).all()
    assert (y >= x - 1e-6).all()  # never darker than the input


def test_highlight_gradation_is_kept():
    """A strong curve flattens a bright ramp to white; protected, the ramp keeps at least
    ``1 - headroom`` of its slope and stays increasing."""
    ramp = torch.linspace(0.6, 1.0, 41).view(1, 1, 1, 41).expand(1, 3, 1, 41)
    flat = _curve(ramp)
    protected = protect_highlights(ramp, flat, 0.75)
    assert (flat[..., 1:] - flat[..., :-1]).min() < 1e-3  # the curve flattens it
    steps = protected[..., 1:] - protected[..., :-1]
    assert (steps >= 0.25 * 0.01 - 1e-6).all()  # ramp step 0.01


def test_hue_direction_is_kept():
    """The lift of all three channels is scaled by one factor: the enhanced pixel lies on the
    line from the input to the unprotected render (no channel clips ahead of the others)."""
    x = torch.tensor([0.3, 0.5, 0.6]).view(1, 3, 1, 1)  # a dusk-sky blue
    y = torch.tensor([0.7, 1.0, 1.0]).view(1, 3, 1, 1)
    protected = protect_highlights(x, y, 0.75)
    share = (protected - x) / (y - x)
    assert torch.allclose(share, share[:, :1].expand_as(share))
    assert 0.0 < share[0, 0].item() < 1.0


def test_dark_pixels_and_headroom_one_are_untouched():
    x = torch.full((1, 3, 4, 4), 0.01)
    y = _curve(x, steps=4)
    assert y.max() < 0.2 and torch.equal(protect_highlights(x, y, 0.75), y)  # bound 0.7525
    bright = torch.full((1, 3, 4, 4), 0.8)
    assert torch.equal(protect_highlights(bright, _curve(bright), 1.0), _curve(bright))

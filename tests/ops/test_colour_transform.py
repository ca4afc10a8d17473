"""The learned render's colour step: identity at zero, the affine formula, its range."""

from __future__ import annotations

import torch

from llie_video.ops.colour_transform import (
    BLACK_KNEE,
    COLOUR_TRANSFORM_CHANNELS,
    apply_colour_transform,
)


def test_zero_maps_are_the_identity() -> None:
    x = torch.rand(2, 3, 5, 7)
    assert torch.equal(apply_colour_transform(x, torch.zeros(2, COLOUR_TRANSFORM_CHANNELS, 5, 7)), x)


def test_each_pixel_gets_its_own_matrix_and_offset() -> None:
    torch.manual_seed(0)
    x = torch.rand(1, 3, 4, 4) * 0.5
    t = (torch.rand(1, 12, 4, 4) - 0.5) * 0.4
    out = apply_colour_transform(x, t)
    for r, c in ((0, 0), (3, 2)):
        matrix = torch.eye(3) + t[0, :9, r, c].reshape(3, 3)
        weight = min(1.0, float(x[0, :, r, c].max()) / BLACK_KNEE)
        expected = (matrix @ x[0, :, r, c] + weight * t[0, 9:, r, c]).clamp(0, 1)
        assert torch.allclose(out[0, :, r, c], expected, atol=1e-6)


def test_output_stays_in_range() -> None:
    out = apply_colour_transform(torch.ones(1, 3, 2, 2), torch.ones(1, 12, 2, 2))
    assert out.min() >= 0 and out.max() <= 1


def test_black_stays_black_and_the_offset_fades_in_up_to_the_knee() -> None:
    t = torch.zeros(1, 12, 1, 3)
    t[:, 9:] = 0.2  # a lift of every channel
    x = torch.tensor([0.0, BLACK_KNEE / 2, 0.6]).view(1, 1, 1, 3).expand(1, 3, 1, 3)
    out = apply_colour_transform(x, t)[0, 0, 0]
    assert out[0] == 0.0  # black
    assert abs(float(out[1]) - (BLACK_KNEE / 2 + 0.1)) < 1e-6  # half the offset
    assert abs(float(out[2]) - 0.8) < 1e-6  # all of it

"""Black point and white balance of the input."""

import torch

from llie_video.ops.input_levels import (
    MAX_BLACK,
    MAX_GAIN,
    InputLevels,
    apply_levels,
    black_point,
    grey_world_gains,
)


def test_black_point_maps_the_floor_to_black_and_is_capped():
    x = torch.full((1, 3, 20, 20), 0.3)
    x[..., :5, :] = 0.04  # a quarter of the frame holds only a lifted black
    black = black_point(x, 1.0)
    assert abs(black - 0.04) < 1e-6
    out = apply_levels(x.clone(), InputLevels.of(black, (1.0, 1.0, 1.0)))
    assert out[..., :5, :].abs().max() < 1e-6
    assert abs(out[..., 10, 10].mean().item() - (0.3 - 0.04) / 0.96) < 1e-6
    assert black_point(torch.full((1, 3, 8, 8), 0.5), 1.0) == MAX_BLACK
    assert black_point(x, 0.0) == 0.0


def test_grey_world_gains_neutralise_a_tint_within_bounds():
    tinted = torch.tensor([0.1, 0.3, 0.2]).view(1, 3, 1, 1).expand(1, 3, 8, 8).clone()
    gains = grey_world_gains(tinted, 1.0)
    assert abs(gains[0] - MAX_GAIN) < 1e-6  # 2x wanted, clamped
    balanced = apply_levels(tinted.clone(), InputLevels.of(0.0, gains))
    assert balanced[0, 1].mean() < tinted[0, 1].mean()  # the green cast is reduced
    assert grey_world_gains(tinted, 0.0) == (1.0, 1.0, 1.0)
    half = grey_world_gains(tinted, 0.5)
    assert 1.0 < half[0] < gains[0]


def test_identity_levels_leave_the_tensor_alone():
    x = torch.rand(1, 3, 4, 4)
    assert apply_levels(x, InputLevels()) is x

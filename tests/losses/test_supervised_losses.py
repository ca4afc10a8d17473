"""Supervised losses on known values, and their gradients."""

from __future__ import annotations

import math

import pytest
import torch

from llie_video.losses.supervised import colour_angle_loss, l1_loss, ssim_loss


def test_l1_of_an_offset() -> None:
    assert float(l1_loss(torch.zeros(1, 3, 4, 4), torch.full((1, 3, 4, 4), 0.25))) == 0.25


def test_colour_angle_ignores_brightness_and_measures_hue() -> None:
    x = torch.rand(1, 3, 6, 6) + 0.1
    assert float(colour_angle_loss(0.5 * x, x)) == pytest.approx(0.0, abs=1e-5)
    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 1
    yellow = red.clone()
    yellow[:, 1] = 1
    assert float(colour_angle_loss(red, yellow)) == pytest.approx(1 - math.cos(math.pi / 4), abs=1e-5)


def test_ssim_loss_is_zero_for_equal_images_and_has_gradients() -> None:
    y = torch.rand(1, 3, 16, 16)
    assert float(ssim_loss(y, y)) == pytest.approx(0.0, abs=1e-6)
    x = torch.rand(1, 3, 16, 16, requires_grad=True)
    loss = ssim_loss(x, y) + l1_loss(x, y) + colour_angle_loss(x, y)
    loss.backward()
    assert torch.isfinite(x.grad).all() and float(x.grad.abs().sum()) > 0


def test_lab_colour_loss_ignores_lightness_and_sees_hue() -> None:
    from llie_video.losses.supervised import lab_colour_loss

    grey = torch.full((1, 3, 4, 4), 0.3)
    assert float(lab_colour_loss(grey, grey * 2)) < 0.005  # both grey: no colour difference
    tinted = grey.clone()
    tinted[:, 0] += 0.2
    assert float(lab_colour_loss(tinted, grey)) > 0.1


def test_chroma_loss_penalises_a_drained_picture_and_not_a_darker_one() -> None:
    from llie_video.losses.supervised import chroma_loss

    torch.manual_seed(0)
    colourful = torch.rand(2, 3, 8, 8)
    drained = colourful.mean(1, keepdim=True) + 0.3 * (colourful - colourful.mean(1, keepdim=True))
    assert float(chroma_loss(colourful, colourful)) == pytest.approx(0.0, abs=1e-6)
    assert float(chroma_loss(drained, colourful)) > 0.5
    shifted = (colourful.clone() * 0.95).requires_grad_(True)
    chroma_loss(shifted, colourful).backward()
    assert torch.isfinite(shifted.grad).all()

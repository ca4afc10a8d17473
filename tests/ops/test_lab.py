"""CIELAB in torch against scikit-image's conversion; chroma; gradients."""

from __future__ import annotations

import numpy as np
import torch
from skimage.color import rgb2lab

from llie_video.ops.lab import lab_chroma, rgb_to_lab


def test_matches_scikit_image() -> None:
    torch.manual_seed(0)
    x = torch.rand(1, 3, 16, 16)
    x[0, :, 0, 0] = 0.0  # black and the dark linear segment
    x[0, :, 0, 1] = 0.01
    ours = rgb_to_lab(x)[0].permute(1, 2, 0).numpy()
    reference = rgb2lab(x[0].permute(1, 2, 0).double().numpy())
    assert np.abs(ours - reference).max() < 1e-3


def test_grey_has_no_chroma_and_red_has_much() -> None:
    grey, red = torch.full((1, 3, 1, 1), 0.4), torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)
    assert float(lab_chroma(rgb_to_lab(grey))) < 0.01
    assert float(lab_chroma(rgb_to_lab(red))) > 100  # sRGB red: C*ab about 104.6


def test_gradients_are_finite_at_black_and_grey() -> None:
    x = torch.zeros(1, 3, 2, 2)
    x[..., 1] = 0.5
    x.requires_grad_(True)
    lab_chroma(rgb_to_lab(x)).sum().backward()
    assert torch.isfinite(x.grad).all()

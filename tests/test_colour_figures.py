"""CIELAB chroma ratio and CIEDE2000 on pictures of known colour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llie_video.colour_figures import chroma_ratio, mean_chroma, mean_ciede2000


def _picture(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.tile(np.array(rgb, np.uint8), (4, 4, 1))


def test_a_drained_picture_has_a_low_chroma_ratio_and_a_large_difference() -> None:
    colourful = _picture((180, 60, 40))
    grey = np.full_like(colourful, int(np.mean([180, 60, 40])))
    half = ((colourful.astype(float) + grey) / 2).astype(np.uint8)
    assert chroma_ratio(colourful, colourful) == pytest.approx(1.0)
    assert 0.35 < chroma_ratio(half, colourful) < 0.65
    assert chroma_ratio(grey, colourful) < 0.05
    assert mean_ciede2000(colourful, colourful) == pytest.approx(0.0, abs=1e-9)
    assert mean_ciede2000(grey, colourful) > mean_ciede2000(half, colourful) > 5


def test_tensors_and_arrays_agree() -> None:
    array = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    tensor = torch.from_numpy(array).permute(2, 0, 1).float() / 255
    assert mean_chroma(tensor) == pytest.approx(mean_chroma(array), rel=1e-5)


def test_a_grey_reference_keeps_the_ratio_finite() -> None:
    assert np.isfinite(chroma_ratio(_picture((200, 50, 50)), _picture((90, 90, 90))))

"""Real low-light photos of ../shared (the exporters and runtimes are compared on them), and a
generated dark frame that is always there."""

from __future__ import annotations

import cv2
import torch

from llie_video.export.api import example_input
from llie_video.images import read_rgb
from tests.helpers.shared import shared_path

TEST_PHOTOS = ("DICM/65.jpg", "LIME/2.bmp", "SCI_medium/3008.jpg")
GENERATED = "generated"
_LONG_SIDE = 400  # Zero-DCE estimates at full size: keep the photos quick to enhance


def load_test_image(name: str) -> torch.Tensor:
    """``(1, 3, H, W)`` float RGB in [0, 1]: :data:`GENERATED` (a dark, smooth, noisy frame), or
    a photo of :data:`TEST_PHOTOS` with its long side brought to 400 pixels (skipped where
    ../shared is absent)."""
    if name == GENERATED:
        return example_input(1, 181, 263, seed=3)
    rgb = read_rgb(shared_path("data", "test", *name.split("/")))
    scale = _LONG_SIDE / max(rgb.shape[:2])
    rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255.0

"""Folders of real clips (written with PyAV), images and bad files for the batch tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


def write_image(path: Path, size: tuple[int, int] = (48, 32), level: int = 25) -> Path:
    """A dark image with a gradient, written with OpenCV."""
    width, height = size
    ramp = np.linspace(level // 2, level, width, dtype=np.float32)
    bgr = np.stack([np.tile(ramp, (height, 1)) * f for f in (0.8, 0.9, 1.0)], -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), bgr.astype(np.uint8))
    return path


@pytest.fixture
def mixed_folder(tmp_path: Path, make_clip) -> Path:
    """``in/``: two good clips (one in a subfolder), an image, a corrupt clip (a truncated
    file), a text file named like a video, a note that is not a video at all."""
    root = tmp_path / "in"
    (root / "night").mkdir(parents=True)
    make_clip("in/a.mp4", frames=8, size=(64, 48), seed=1)
    make_clip("in/night/b.mkv", frames=10, size=(64, 48), audio=False, seed=2)
    write_image(root / "night" / "still.png")
    good = (root / "a.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(good[: len(good) // 3])
    (root / "not_a_video.mp4").write_text("hello\n")
    (root / "notes.txt").write_text("not a video\n")
    return root

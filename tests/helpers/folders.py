"""Folders of real files for the batch tests: clips written with PyAV, an image written with
OpenCV, and bad files beside them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.helpers.clips import write_clip


def write_image(path: Path, size: tuple[int, int] = (48, 32), level: int = 25) -> Path:
    """A dark image with a gradient."""
    width, height = size
    ramp = np.linspace(level // 2, level, width, dtype=np.float32)
    bgr = np.stack([np.tile(ramp, (height, 1)) * f for f in (0.8, 0.9, 1.0)], -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), bgr.astype(np.uint8))
    return path


def write_mixed_folder(root: Path) -> Path:
    """``root``: two good clips (8 and 10 frames, one in ``night/``), an image, a truncated
    clip, a text file named like a video, and a note that is not a video at all."""
    (root / "night").mkdir(parents=True)
    write_clip(root / "a.mp4", frames=8, size=(64, 48), seed=1)
    write_clip(root / "night" / "b.mkv", frames=10, size=(64, 48), audio=False, seed=2)
    write_image(root / "night" / "still.png")
    good = (root / "a.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(good[: len(good) // 3])
    (root / "not_a_video.mp4").write_text("hello\n")
    (root / "notes.txt").write_text("not a video\n")
    return root

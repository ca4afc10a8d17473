"""The one method the pipeline and the image paths need from an enhancer."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class FrameProcessor(Protocol):
    """Pixels in, pixels out: ``(H, W, 3)`` uint8 RGB -> ``(H, W, 3)`` uint8 RGB."""

    def process(self, rgb: np.ndarray) -> np.ndarray: ...

    def reset_temporal(self) -> None:
        """Forget state carried between frames (a seek, a reconnect, an unrelated image)."""

"""What the pipeline and the image paths need from an enhancer."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from llie_video.video.frame import Frame


class FrameProcessor(Protocol):
    """Frames in, enhanced frames out (:class:`llie_video.video.stage.EnhanceStage`)."""

    def process(self, rgb: np.ndarray) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB -> ``(H, W, 3)`` uint8 RGB (images)."""
        ...

    def process_frame(self, frame: Frame, keep_original: bool = False) -> Frame:
        """A pipeline frame with enhanced pixels (same timing); ``keep_original`` keeps the
        input, as RGB, in ``original``."""
        ...

    def reset_temporal(self) -> None:
        """Forget state carried between frames (a seek, a reconnect, an unrelated image)."""

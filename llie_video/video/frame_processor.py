"""What the pipeline and the image paths need from an enhancer."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Protocol

import numpy as np

from llie_video.enhance.frames import PendingFrame, ReadyFrame
from llie_video.video.frame import Frame

__all__ = ["FrameProcessor", "PendingFrame", "ReadyFrame", "enhance_in_order"]


class FrameProcessor(Protocol):
    """Frames in, enhanced frames out (:class:`llie_video.enhance.stage.EnhanceStage`)."""

    @property
    def overlap(self) -> int:
        """How many submitted frames may still be in flight when the next is submitted (0: each
        is done before the next; on a GPU, uploads and downloads overlap other frames' compute)."""
        ...

    def process(self, rgb: np.ndarray) -> np.ndarray:
        """``(H, W, 3)`` uint8 RGB -> ``(H, W, 3)`` uint8 RGB (images)."""
        ...

    def process_frame(self, frame: Frame, keep_original: bool = False) -> Frame:
        """A pipeline frame with enhanced pixels (same timing); ``keep_original`` keeps the
        input's pixels, unconverted, in ``original``."""
        ...

    def submit_frame(self, frame: Frame, keep_original: bool = False) -> PendingFrame[Frame]:
        """Start :meth:`process_frame` on ``frame``; collect results in submission order, with
        no more than :attr:`overlap` frames left in flight at a submission."""
        ...

    def reset_temporal(self) -> None:
        """Forget state carried between frames (a seek, a reconnect, an unrelated image)."""


def enhance_in_order(processor: FrameProcessor, frames: Iterable[Frame]) -> Iterator[Frame]:
    """``frames`` enhanced in order, ``processor.overlap`` of them left in flight at each
    submission, as the pipeline's enhance thread keeps them (frames only: no audio, no resets)."""
    pending: deque[PendingFrame[Frame]] = deque()
    for frame in frames:
        pending.append(processor.submit_frame(frame))
        while len(pending) > processor.overlap:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()

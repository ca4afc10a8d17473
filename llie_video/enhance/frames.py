"""What the enhancement core needs of a pipeline's frame, and a frame's result as it is handed
back (done, or still on its way from a device). The core knows no sources, sinks or threads:
:class:`llie_video.video.frame.Frame` is one such frame; tests bring their own."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

import av
import numpy as np

FrameT = TypeVar("FrameT", bound="PictureFrame")
ResultT = TypeVar("ResultT", covariant=True)


class PictureFrame(Protocol):
    """A frame's pixels, as the stage reads them, and a copy with new pixels."""

    @property
    def rgb(self) -> np.ndarray:
        """The pixels as ``(H, W, 3)`` uint8 RGB."""
        ...

    @property
    def decoded(self) -> av.VideoFrame | None:
        """The pixels as decoded (4:2:0 planes the stage can read), or None."""
        ...

    def with_pixels(self: FrameT, image: np.ndarray | av.VideoFrame,
                    keep_original: bool = False) -> FrameT:
        """The same frame (timing, index) with ``image``; ``keep_original`` keeps the old
        pixels beside them."""
        ...


class PendingFrame(Protocol[ResultT]):
    """A frame submitted for enhancement, possibly still on its way (a GPU in flight)."""

    def result(self) -> ResultT:
        """The enhanced frame (waits for it); call once."""
        ...


class ReadyFrame(Generic[FrameT]):
    """A :class:`PendingFrame` that is already done."""

    def __init__(self, frame: FrameT) -> None:
        self._frame = frame

    def result(self) -> FrameT:
        return self._frame

"""The unit that travels through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from fractions import Fraction

import av
import numpy as np

from llie_video.enhance.av_planes import as_plane_frame


@dataclass(frozen=True)
class Frame:
    """One video frame.

    Attributes:
        image: the pixels: an ``(H, W, 3)`` uint8 RGB array, or an ``av.VideoFrame`` as
            decoded or resampled to 4:2:0 (the enhance stage reads 4:2:0 planes directly;
            anything else converts it to RGB on first use of :attr:`rgb`).
        pts: presentation timestamp in ``time_base`` units (None when the source has none).
        time_base: the timestamp unit.
        index: position in the source, from 0.
        rotation: display rotation in degrees (metadata, the pixels are not rotated).
        arrival: ``time.monotonic()`` when the source produced it (for latency figures).
        original: after enhancement, the input pixels as they came (RGB array or decoded
            frame, see :func:`rgb_pixels`), for side-by-side views; else None.
    """

    image: np.ndarray | av.VideoFrame
    pts: int | None
    time_base: Fraction | None
    index: int
    rotation: int = 0
    arrival: float = 0.0
    original: np.ndarray | av.VideoFrame | None = None

    @classmethod
    def from_av(cls, frame: av.VideoFrame, index: int, arrival: float,
                planes: bool = False) -> Frame:
        """Wrap a decoded frame, keeping its timing and rotation. The pixels are converted now,
        in the calling thread: to RGB, or with ``planes`` to the 4:2:0 planes the enhance
        stage's plane path reads when the frame is YUV (see :func:`as_plane_frame`)."""
        return cls(
            image=frame_pixels(frame, planes),
            pts=frame.pts,
            time_base=frame.time_base,
            index=index,
            rotation=frame.rotation,
            arrival=arrival,
        )

    @cached_property
    def rgb(self) -> np.ndarray:
        """The pixels as ``(H, W, 3)`` uint8 RGB (converted once, on first use)."""
        return rgb_pixels(self.image)

    @property
    def input_pixels(self) -> np.ndarray | av.VideoFrame:
        """The pixels before enhancement: :attr:`original` when kept, else :attr:`image`."""
        return self.original if self.original is not None else self.image

    @property
    def decoded(self) -> av.VideoFrame | None:
        """The pixels as an ``av.VideoFrame`` (as decoded, or resampled to 4:2:0) when they are
        not RGB yet, else None."""
        return self.image if isinstance(self.image, av.VideoFrame) else None

    @property
    def size(self) -> tuple[int, int]:
        """``(height, width)`` in pixels."""
        if isinstance(self.image, np.ndarray):
            return self.image.shape[0], self.image.shape[1]
        return self.image.height, self.image.width

    def with_pixels(self, image: np.ndarray | av.VideoFrame, keep_original: bool = False) -> Frame:
        """The same frame (timing, index, rotation) with new pixels (RGB array or decoded
        frame); ``keep_original`` keeps the old ones, unconverted, in ``original``."""
        return replace(self, image=image, original=self.image if keep_original else None)

    def to_av(self) -> av.VideoFrame:
        """An ``av.VideoFrame`` with this frame's pixels and timing."""
        if isinstance(self.image, av.VideoFrame):
            frame = self.image
        else:
            frame = av.VideoFrame.from_ndarray(self.image, format="rgb24")
        frame.pts = self.pts
        if self.time_base is not None:
            frame.time_base = self.time_base
        return frame


class Reset:
    """Pipeline marker: the source restarted (a reconnect, a seek); the enhance stage forgets the
    state it carries between frames."""


def rgb_pixels(pixels: np.ndarray | av.VideoFrame) -> np.ndarray:
    """A frame's pixels (:attr:`Frame.image` or :attr:`Frame.original`) as ``(H, W, 3)`` uint8
    RGB: an RGB array as it is, a decoded frame converted."""
    if isinstance(pixels, np.ndarray):
        return pixels
    return pixels.to_ndarray(format="rgb24")


def frame_pixels(frame: av.VideoFrame, planes: bool) -> av.VideoFrame | np.ndarray:
    """A decoded frame's pixels for a :class:`Frame`: with ``planes``, in a 4:2:0 format the
    plane path reads when the frame is YUV (:func:`llie_video.enhance.av_planes.as_plane_frame`);
    otherwise ``(H, W, 3)`` uint8 RGB."""
    kept = as_plane_frame(frame) if planes else None
    return kept if kept is not None else frame.to_ndarray(format="rgb24")

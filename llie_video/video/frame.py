"""The unit that travels through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import av
import numpy as np


@dataclass(frozen=True)
class Frame:
    """One video frame.

    Attributes:
        rgb: ``(H, W, 3)`` uint8 RGB pixels.
        pts: presentation timestamp in ``time_base`` units (None when the source has none).
        time_base: the timestamp unit.
        index: position in the source, from 0.
        rotation: display rotation in degrees (metadata, the pixels are not rotated).
        arrival: ``time.monotonic()`` when the source produced it (for latency figures).
        original: after enhancement, the input pixels (for side-by-side views), else None.
    """

    rgb: np.ndarray
    pts: int | None
    time_base: Fraction | None
    index: int
    rotation: int = 0
    arrival: float = 0.0
    original: np.ndarray | None = None

    @classmethod
    def from_av(cls, frame: av.VideoFrame, index: int, arrival: float) -> Frame:
        """Convert a decoded frame to RGB, keeping its timing and rotation."""
        return cls(
            rgb=frame.to_ndarray(format="rgb24"),
            pts=frame.pts,
            time_base=frame.time_base,
            index=index,
            rotation=frame.rotation,
            arrival=arrival,
        )

    def with_pixels(self, rgb: np.ndarray, keep_original: bool = False) -> Frame:
        """The same frame (timing, index, rotation) with new pixels; ``keep_original`` keeps a
        reference to the old ones in ``original``."""
        return replace(self, rgb=rgb, original=self.rgb if keep_original else None)

    def to_av(self) -> av.VideoFrame:
        """An ``av.VideoFrame`` with this frame's pixels and timing."""
        frame = av.VideoFrame.from_ndarray(self.rgb, format="rgb24")
        frame.pts = self.pts
        if self.time_base is not None:
            frame.time_base = self.time_base
        return frame


class Reset:
    """Pipeline marker: the source restarted (a reconnect, a seek); the enhance stage forgets the
    state it carries between frames."""

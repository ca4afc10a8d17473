"""Small real parts for the threaded pipeline: numbered frames, RGB processors and list sinks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from llie_video.video.frame import Frame
from llie_video.video.frame_processor import ReadyFrame


def numbered_frames(n: int, delay: float = 0.0) -> Iterator[Frame]:
    """``n`` 4x4 frames whose pixels and pts are their index (``delay`` seconds apart)."""
    for i in range(n):
        if delay:
            time.sleep(delay)
        yield Frame(image=np.full((4, 4, 3), i, np.uint8), pts=i, time_base=None, index=i)


class RgbProcessor:
    """A processor of RGB pixels, as the pipeline calls it (identity)."""

    overlap = 0

    def process(self, rgb: np.ndarray) -> np.ndarray:
        return rgb

    def process_frame(self, frame: Frame, keep_original: bool = False) -> Frame:
        return frame.with_pixels(self.process(frame.rgb), keep_original)

    def submit_frame(self, frame: Frame, keep_original: bool = False) -> ReadyFrame:
        return ReadyFrame(self.process_frame(frame, keep_original))

    def reset_temporal(self) -> None:
        pass


class Invert(RgbProcessor):
    """``255 - rgb``: each output frame tells which input it came from."""

    def process(self, rgb: np.ndarray) -> np.ndarray:
        return 255 - rgb


class ListSink:
    """Keeps what it is given; fails with "disk full" at frame ``fail_at``; ``delay`` seconds
    per frame make it slower than the source."""

    def __init__(self, fail_at: int | None = None, delay: float = 0.0) -> None:
        self.video: list[Frame] = []
        self.audio: list[object] = []
        self.fail_at, self.delay = fail_at, delay

    def write_video(self, frame: Frame) -> None:
        if frame.index == self.fail_at:
            raise OSError("disk full")
        time.sleep(self.delay)
        self.video.append(frame)

    def write_audio(self, packet: object) -> None:
        self.audio.append(packet)


class OrderSink(ListSink):
    """Also logs the order of everything written: frame indices and audio items."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[object] = []

    def write_video(self, frame: Frame) -> None:
        super().write_video(frame)
        self.order.append(frame.index)

    def write_audio(self, packet: object) -> None:
        super().write_audio(packet)
        self.order.append(packet)


class InFlight(Invert):
    """Keeps up to ``overlap`` frames in flight, as a GPU stage does; logs what happens."""

    def __init__(self, overlap: int) -> None:
        self.overlap = overlap
        self.log: list[tuple[str, int]] = []
        self.pending = 0
        self.most_pending = 0

    def submit_frame(self, frame: Frame, keep_original: bool = False) -> object:
        processor = self
        self.pending += 1
        self.most_pending = max(self.most_pending, self.pending)

        class Pending:
            def result(self) -> Frame:
                processor.pending -= 1
                processor.log.append(("collect", frame.index))
                return processor.process_frame(frame, keep_original)

        return Pending()

    def reset_temporal(self) -> None:
        self.log.append(("reset", self.pending))

"""Video sources: demux and decode, yielding video frames and untouched audio packets in order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from llie_video.errors import UserError
from llie_video.video.frame import Frame


@dataclass(frozen=True)
class StreamInfo:
    """What a sink needs to know about the input.

    Attributes:
        width, height: coded frame size.
        time_base: the video stream's time base.
        rate: average frame rate (None when unknown).
        frames: number of frames, or an estimate from the duration (0 when unknown).
        audio: the input audio stream to remux, if any.
        name: the input's name, for messages.
    """

    width: int
    height: int
    time_base: Fraction
    rate: Fraction | None
    frames: int
    audio: av.audio.stream.AudioStream | None
    name: str


class ClosingSource:
    """Context-manager support for sources: ``with Source(...) as s`` closes it on exit."""

    def close(self) -> None:
        raise NotImplementedError

    def interrupt(self) -> None:
        """Cut short any wait the source is in (safe from another thread); iteration then
        ends. Sources that never wait need not do anything."""

    def __enter__(self):  # noqa: ANN204 - returns the subclass instance
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileSource(ClosingSource):
    """Decode a video file (or anything FFmpeg opens) with frame threading.

    Iterating yields :class:`Frame` (with ``pts``/``time_base``/rotation) and ``av.Packet`` (audio,
    unchanged) in demux order. Frames are converted to RGB in the decoding thread, unless
    ``decoded_frames``: then YUV frames are handed over as 4:2:0 planes for the plane path (as
    decoded when they already are; see :func:`llie_video.ops.yuv.as_plane_frame`). Use as a
    context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | Path, decoded_frames: bool = False) -> None:
        self.name = str(path)
        self.decoded_frames = decoded_frames
        if not is_url(self.name) and not Path(path).exists():
            raise UserError(f"input not found: {path}")
        try:
            self.container = av.open(str(path))
        except (av.FFmpegError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot open {path} as a video: {_reason(exc)}") from None
        if not self.container.streams.video:
            self.container.close()
            raise UserError(f"{path} has no video stream")
        self.video = self.container.streams.video[0]
        if self.video.codec_context is None or self.video.codec_context.width == 0:
            self.container.close()
            raise UserError(f"{path}: video codec is not supported by this FFmpeg build")
        self.video.thread_type = "AUTO"
        self.audio = self.container.streams.audio[0] if self.container.streams.audio else None

    def info(self) -> StreamInfo:
        video = self.video
        rate = video.average_rate or video.guessed_rate
        frames = video.frames
        if not frames and video.duration and rate:
            frames = int(round(float(video.duration * video.time_base * rate)))
        elif not frames and self.container.duration and rate:
            frames = int(round(self.container.duration / av.time_base * float(rate)))
        return StreamInfo(
            width=video.codec_context.width,
            height=video.codec_context.height,
            time_base=video.time_base,
            rate=Fraction(rate) if rate else None,
            frames=int(frames or 0),
            audio=self.audio,
            name=self.name,
        )

    def __iter__(self) -> Iterator[Frame | av.Packet]:
        streams = [s for s in (self.video, self.audio) if s is not None]
        index = 0
        try:
            for packet in self.container.demux(streams):
                if packet.stream.type == "audio":
                    if packet.dts is not None:
                        yield packet
                    continue
                for decoded in packet.decode():
                    yield Frame.from_av(decoded, index, time.monotonic(), self.decoded_frames)
                    index += 1
        except av.FFmpegError as exc:
            raise RuntimeError(f"decoding {self.name} failed: {_reason(exc)}") from None

    def close(self) -> None:
        self.container.close()


def is_url(name: str) -> bool:
    """Whether ``name`` is a stream URL (``rtsp://``, ``http://`` ...) rather than a file path."""
    scheme, sep, _ = name.partition("://")
    return bool(sep) and scheme.isalpha() and len(scheme) > 1


def _reason(exc: BaseException) -> str:
    """The useful part of an FFmpeg error message."""
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__

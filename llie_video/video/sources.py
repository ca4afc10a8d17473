"""Video sources: demux and decode, yielding video frames and untouched audio packets in order.

:class:`Source` is what every source offers (files here, streams and webcams in
:mod:`llie_video.video.live_sources`); :mod:`llie_video.video.endpoints` picks one by scheme.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import av

from llie_video.errors import UserError
from llie_video.video.frame import Frame, Reset
from llie_video.video.kept_streams import CarriedStream, ContainerTags, carried_streams

if TYPE_CHECKING:
    from llie_video.video.endpoint_options import SourceOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamInfo:
    """What a sink needs to know about the input.

    Attributes:
        width, height: coded frame size.
        time_base: the video stream's time base.
        rate: average frame rate (None when unknown).
        frames: number of frames, or an estimate from the duration (0 when unknown).
        streams: the input's audio and subtitle tracks to keep (copies of their parameters,
            valid after the source closes); their packets come with the frames.
        name: the input's name, for messages.
        pix_fmt: the video's pixel format as decoded (its bit depth decides the output's by
            default), None when unknown.
        tags: the file's metadata and chapters, to write into the output.
    """

    width: int
    height: int
    time_base: Fraction
    rate: Fraction | None
    frames: int
    streams: tuple[CarriedStream, ...]
    name: str
    pix_fmt: str | None = None
    tags: ContainerTags = ContainerTags()

    @property
    def audio(self) -> av.audio.stream.AudioStream | None:
        """The first kept audio track's parameters, if any."""
        return next((s.template for s in self.streams if s.kind == "audio"), None)


class Source(Protocol):
    """A source of frames: what the pipeline, the live job and the preview use.

    Iterating yields :class:`Frame` objects (pixels as RGB, or decoded 4:2:0 planes when opened
    with ``decoded_frames``), the packets of the streams kept (:attr:`StreamInfo.streams`:
    audio, subtitles) as ``av.Packet`` objects, and :class:`Reset` markers (the source restarted: forget the
    temporal state), all in order.
    """

    name: str

    def info(self) -> StreamInfo:
        """Size, timing and audio of the input, for sinks."""
        ...

    def __iter__(self) -> Iterator[Frame | av.Packet | Reset]: ...

    def close(self) -> None:
        """Release the input (the last call; iteration must have ended or be abandoned)."""
        ...

    def interrupt(self) -> None:
        """Cut short any wait the source is in (safe from another thread); iteration then
        ends. Sources that never wait need not do anything."""
        ...


class ClosingSource:
    """Base for sources: ``with Source(...) as s`` closes it on exit; :meth:`interrupt` does
    nothing unless overridden."""

    def close(self) -> None:
        raise NotImplementedError

    def interrupt(self) -> None:
        """See :meth:`Source.interrupt`."""

    def __enter__(self):  # noqa: ANN204 - returns the subclass instance
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileSource(ClosingSource):
    """Decode a video file (or anything FFmpeg opens) with frame threading.

    Iterating yields :class:`Frame` (with ``pts``/``time_base``/rotation) and ``av.Packet`` (every
    audio and subtitle track's, unchanged) in demux order. Frames are converted to RGB in the decoding thread, unless
    ``decoded_frames``: then YUV frames are handed over as 4:2:0 planes for the plane path (as
    decoded when they already are; see :func:`llie_video.enhance.av_planes.as_plane_frame`). Use as a
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
        self.kept = carried_streams(self.container)
        self._tags = ContainerTags.of(self.container, self.video)

    @classmethod
    def from_spec(cls, spec: str, options: SourceOptions) -> FileSource:
        """The registry's opener (:data:`llie_video.video.endpoints.SOURCES`)."""
        return cls(spec, options.decoded_frames)

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
            streams=self.kept,
            name=self.name,
            pix_fmt=video.codec_context.pix_fmt,
            tags=self._tags,
        )

    def __iter__(self) -> Iterator[Frame | av.Packet]:
        kept = {s.index for s in self.kept}
        streams = [self.video, *(s for s in self.container.streams if s.index in kept)]
        index = 0
        try:
            for packet in self.container.demux(streams):
                if packet.stream.index in kept:
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


def same_audio_format(a: av.audio.stream.AudioStream, b: av.audio.stream.AudioStream) -> bool:
    """Whether packets of ``b`` can go into a stream made from ``a`` (same codec, rate,
    channels and codec setup)."""
    ca, cb = a.codec_context, b.codec_context
    return ((ca.name, ca.sample_rate, ca.channels, bytes(ca.extradata or b""))
            == (cb.name, cb.sample_rate, cb.channels, bytes(cb.extradata or b"")))


def is_url(name: str) -> bool:
    """Whether ``name`` is a stream URL (``rtsp://``, ``http://`` ...) rather than a file path."""
    scheme, sep, _ = name.partition("://")
    return bool(sep) and scheme.isalpha() and len(scheme) > 1


def _reason(exc: BaseException) -> str:
    """The useful part of an FFmpeg error message."""
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__

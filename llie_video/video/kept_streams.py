"""What of the input besides its video goes into the output: every audio and subtitle track
(codec parameters, time base, language and title, disposition), the chapters, and the file's
own metadata (title, creation time ...), read from the input container as copies that stay
valid after it closes. How each goes into a given output container is
:mod:`llie_video.video.stream_routes`'s job.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from fractions import Fraction

import av

log = logging.getLogger(__name__)

KEPT_KINDS = ("audio", "subtitle")
_HOLDERS = ("nut", "matroska", "mp4")

# Tags that describe the input file or its encoding rather than its content: the muxer writes
# its own (encoder, brands), or they would be wrong for the new file (durations, statistics).
_STALE_TAGS = {"encoder", "major_brand", "minor_version", "compatible_brands", "duration",
               "number_of_frames", "number_of_bytes", "bps", "vendor_id", "handler_name"}


def kept_metadata(metadata: dict[str, str]) -> dict[str, str]:
    """``metadata`` without the tags that would be stale in the output (see _STALE_TAGS;
    Matroska's ``_STATISTICS_*`` and ``DURATION`` included)."""
    return {key: value for key, value in metadata.items()
            if key.lower() not in _STALE_TAGS and not key.upper().startswith("_STATISTICS")
            and not key.upper().startswith("DURATION")}


@dataclass(frozen=True)
class CarriedStream:
    """A non-video input stream to keep.

    Attributes:
        index: its index in the input (packets are routed by ``packet.stream.index``).
        template: a copy of its codec parameters and time base (:func:`stream_template`).
        metadata: its tags (language, title), stale ones left out.
        disposition: its flags (default, forced ...), as FFmpeg's ``AV_DISPOSITION_*`` bits.
    """

    index: int
    template: av.stream.Stream
    metadata: dict[str, str] = field(default_factory=dict)
    disposition: int = 0

    @property
    def kind(self) -> str:
        """``audio`` or ``subtitle``."""
        return self.template.type

    @property
    def codec(self) -> str:
        """The codec's name (``aac``, ``subrip``, ``ass`` ...)."""
        return self.template.codec_context.name

    def describe(self) -> str:
        """``audio track 2 (opus, fra)``, for messages."""
        language = self.metadata.get("language")
        return f"{self.kind} track {self.index} ({self.codec}{', ' + language if language else ''})"

    @classmethod
    def of(cls, stream: av.stream.Stream) -> CarriedStream:
        """Keep ``stream`` (of an open input)."""
        return cls(index=stream.index, template=stream_template(stream),
                   metadata=kept_metadata(dict(stream.metadata)),
                   disposition=int(stream.disposition))


@dataclass(frozen=True)
class Chapter:
    """A chapter: its span in ``time_base`` units and its tags (title)."""

    start: int
    end: int
    time_base: Fraction
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerTags:
    """The input file's own metadata, its video track's tags, and its chapters."""

    metadata: dict[str, str] = field(default_factory=dict)
    video_metadata: dict[str, str] = field(default_factory=dict)
    chapters: tuple[Chapter, ...] = ()

    @classmethod
    def of(cls, container: av.container.InputContainer,
           video: av.video.stream.VideoStream) -> ContainerTags:
        """Read them from an open input."""
        chapters = tuple(Chapter(start=c["start"], end=c["end"], time_base=c["time_base"],
                                 metadata=dict(c["metadata"])) for c in container.chapters())
        return cls(metadata=kept_metadata(dict(container.metadata)),
                   video_metadata=kept_metadata(dict(video.metadata)), chapters=chapters)

    def write(self, container: av.container.OutputContainer,
              video: av.video.stream.VideoStream) -> None:
        """Give a new output (before its first packet) these tags and chapters."""
        container.metadata.update(self.metadata)
        video.metadata.update(self.video_metadata)
        if self.chapters:
            container.set_chapters([
                {"id": i + 1, "start": c.start, "end": c.end, "time_base": c.time_base,
                 "metadata": c.metadata} for i, c in enumerate(self.chapters)])


def carried_streams(container: av.container.InputContainer) -> tuple[CarriedStream, ...]:
    """Every audio and subtitle stream of an open input that FFmpeg can read, in order."""
    return tuple(CarriedStream.of(s) for s in container.streams
                 if s.type in KEPT_KINDS and s.codec_context is not None)


def stream_template(stream: av.stream.Stream) -> av.stream.Stream:
    """A copy of ``stream``'s codec parameters and time base that stays valid after its
    container is closed, for a sink to make its stream from (``add_stream_from_template``).
    PyAV frees a closed container's streams, and a sink may open after that: a preview
    recording started at the end of a file, a live stream that reconnected. The copy is held by
    an in-memory output container that is never written (NUT holds nearly every codec, Matroska
    SRT, MP4 mov_text); the stream itself where none of them can hold the codec."""
    for holder_format in _HOLDERS:
        holder = av.open(io.BytesIO(), "w", format=holder_format)
        try:
            return holder.add_stream_from_template(stream)
        except (av.FFmpegError, ValueError) as exc:
            log.debug("%s cannot hold %s: %s", holder_format, stream, exc)
    return stream

"""Sources and sinks by scheme: one table each, used by the CLI, the live job and the preview.

A spec names its kind by a scheme: ``webcam:0``, ``rtsp://host/stream``, ``null``; anything else
is a file path. Sources: ``webcam:N``, any stream URL FFmpeg reads (``rtsp://``, ``rtsps://``,
``http(s)://``, ``rtmp://``, ``udp://``, ``srt://`` ...), files. Sinks: ``null`` (or ``-``,
discard), stream URLs to publish to (see :data:`~llie_video.video.sinks.STREAM_FORMATS`), files.

A new camera type is one class in its own module and one registration here::

    class ThermalSource(ClosingSource):          # a Source: info(), iteration, close(), interrupt()
        @classmethod
        def from_spec(cls, spec: str, options: SourceOptions) -> ThermalSource: ...

    SOURCES.add(Endpoint("thermal", ThermalSource.from_spec, live=True))  # thermal:...

The tables are :class:`~llie_video.registry.Registry` instances, keyed by scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import av

from llie_video.errors import UserError
from llie_video.output_paths import check_output_path
from llie_video.registry import Registry
from llie_video.video.endpoint_options import SinkOptions, SourceOptions
from llie_video.video.frame import Frame
from llie_video.video.live_sources import StreamSource, WebcamSource
from llie_video.video.sinks import STREAM_FORMATS, FileSink, NullSink, StreamSink
from llie_video.video.sources import FileSource, Source, StreamInfo, is_url


class Sink(Protocol):
    """What every sink offers: the pipeline's two writes, then one close; ``bit_depth`` is the
    depth of the video it writes (the enhance stage renders at it)."""

    frames_written: int

    @property
    def bit_depth(self) -> int: ...

    def write_video(self, frame: Frame) -> None: ...

    def write_audio(self, packet: av.Packet) -> None: ...

    def close(self, keep: bool = True) -> None:
        """Finish the output; ``keep`` False discards what a file sink wrote."""
        ...


SourceOpener = Callable[[str, SourceOptions], Source]
SinkOpener = Callable[[str, StreamInfo, SinkOptions], Sink]
Opener = TypeVar("Opener", SourceOpener, SinkOpener)


@dataclass(frozen=True)
class Endpoint(Generic[Opener]):
    """One kind of source or sink.

    Attributes:
        scheme: what specs of this kind start with, before ``:`` (``webcam`` for
            ``webcam:0``, ``rtsp`` for ``rtsp://...``); with ``exact``, the whole spec.
        open: the opener: ``(spec, options) -> Source``, or ``(spec, info, options) -> Sink``.
        live: whether a job with this kind at either end is a live job (bounded latency,
            frames dropped when behind) rather than a file job.
        exact: the spec is the scheme itself (``null``), with nothing after it.
        names_a_file: the spec is a file's path (a job's output is then that file).
    """

    scheme: str
    open: Opener
    live: bool
    exact: bool = False
    names_a_file: bool = False


class Endpoints(Registry[Endpoint[Opener]]):
    """The endpoints of one direction, by scheme; ``urls`` serves the URLs of schemes nobody
    registered, ``paths`` everything else (files)."""

    def __init__(self, direction: str, urls: Endpoint[Opener], paths: Endpoint[Opener]) -> None:
        super().__init__(f"{direction} scheme")
        self.urls = urls
        self.paths = paths

    def add(self, endpoint: Endpoint[Opener]) -> None:
        """Serve ``endpoint.scheme`` with ``endpoint`` (replacing an earlier registration)."""
        self.register(endpoint.scheme.lower(), endpoint, replace=True)

    def lookup(self, spec: str) -> Endpoint[Opener]:
        """The endpoint serving ``spec``."""
        exact = self.find(spec)
        if exact is not None and exact.exact:
            return exact
        scheme, colon, _ = spec.partition(":")
        endpoint = self.find(scheme.lower()) if colon and len(scheme) > 1 else None
        if endpoint is not None and not endpoint.exact:
            return endpoint
        return self.urls if is_url(spec) else self.paths


def open_source(spec: str, options: SourceOptions | None = None) -> Source:
    """Open the source ``spec`` names (raises a :class:`UserError` when it cannot)."""
    return SOURCES.lookup(spec).open(spec, options or SourceOptions())


def open_sink(spec: str, info: StreamInfo, options: SinkOptions | None = None) -> Sink:
    """Open the sink ``spec`` names for a source described by ``info``."""
    return SINKS.lookup(spec).open(spec, info, options or SinkOptions())


def is_live_job(source_spec: str, sink_spec: str) -> bool:
    """Whether ``source_spec`` -> ``sink_spec`` runs as a live job (file to file does not)."""
    return SOURCES.lookup(source_spec).live or SINKS.lookup(sink_spec).live


def _open_file_sink(spec: str, info: StreamInfo, options: SinkOptions) -> FileSink:
    target = Path(spec)
    check_output_path(target, options.overwrite)
    return FileSink(target, info, options.encoder)


def _open_stream_sink(spec: str, info: StreamInfo, options: SinkOptions) -> StreamSink:
    return StreamSink(spec, info, options.encoder, options.transport)


def _open_null_sink(spec: str, info: StreamInfo, options: SinkOptions) -> NullSink:
    return NullSink()


def _cannot_publish(spec: str, info: StreamInfo, options: SinkOptions) -> Sink:
    raise UserError(f"cannot publish to {spec}: use one of {', '.join(sorted(STREAM_FORMATS))}")


SOURCES: Endpoints[SourceOpener] = Endpoints(
    "source",
    urls=Endpoint("stream", StreamSource.from_spec, live=True),
    paths=Endpoint("file", FileSource.from_spec, live=False, names_a_file=True),
)
SOURCES.add(Endpoint("webcam", WebcamSource.from_spec, live=True))

SINKS: Endpoints[SinkOpener] = Endpoints(
    "sink",
    urls=Endpoint("stream", _cannot_publish, live=True),
    paths=Endpoint("file", _open_file_sink, live=False, names_a_file=True),
)
for _name in ("null", "-"):
    SINKS.add(Endpoint(_name, _open_null_sink, live=True, exact=True))
for _scheme in STREAM_FORMATS:
    SINKS.add(Endpoint(_scheme, _open_stream_sink, live=True))

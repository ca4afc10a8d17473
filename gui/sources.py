"""Turning a source spec from the window or the command line into an engine source.

Specs: ``webcam:N`` (or a bare webcam index), a stream URL (``rtsp://...``), or a file path;
the engine's registry (:mod:`llie_video.video.endpoints`) opens them, as it does for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

from llie_video.video.endpoint_options import SourceOptions
from llie_video.video.endpoints import SOURCES
from llie_video.video.live_options import StreamOptions, WebcamOptions
from llie_video.video.live_sources import WEBCAM_PREFIX
from llie_video.video.sources import Source, StreamInfo

# the CLI's live job's options (its defaults): a preview rides out a restarting camera or server
# with the same timeouts and backoff
PREVIEW_STREAM_OPTIONS = StreamOptions()


@dataclass
class OpenedSource:
    """An opened engine source, what a sink needs to know about it, and whether it is live
    (arrives in real time) or a file (to be paced)."""

    source: Source
    info: StreamInfo
    live: bool


def webcam_spec(index: int) -> str:
    """The spec for webcam number ``index``."""
    return f"{WEBCAM_PREFIX}{index}"


def normalise_spec(spec: str) -> str:
    """A bare number means that webcam; everything else is kept (stripped)."""
    spec = spec.strip()
    return webcam_spec(int(spec)) if spec.isdigit() else spec


def open_source(spec: str, decoded_frames: bool = False,
                stream_options: StreamOptions | None = None) -> OpenedSource:
    """Open ``spec`` (a stream with ``stream_options``, by default ``PREVIEW_STREAM_OPTIONS``);
    ``decoded_frames`` hands YUV frames over as 4:2:0 planes (for a stage that prefers them).
    Raises :class:`~llie_video.errors.UserError` when it cannot be opened. A stream URL may
    block for its open timeout and retries: the preview calls this on a
    :class:`~gui.reader.SourceReader` thread."""
    spec = normalise_spec(spec)
    endpoint = SOURCES.lookup(spec)
    stream = stream_options or PREVIEW_STREAM_OPTIONS
    options = SourceOptions(stream=stream, webcam=WebcamOptions(reconnect=stream.reconnect),
                            decoded_frames=decoded_frames)
    source = endpoint.open(spec, options)
    try:
        info = source.info()
    except BaseException:
        source.close()
        raise
    return OpenedSource(source, info, endpoint.live)

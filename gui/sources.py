"""Turning a source spec from the window or the command line into an engine source.

Specs: ``webcam:N`` (or a bare webcam index), a stream URL (``rtsp://...``), or a file path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from llie_video.video.live_sources import (
    WEBCAM_PREFIX,
    ReconnectPolicy,
    StreamOptions,
    StreamSource,
    WebcamOptions,
    WebcamSource,
)
from llie_video.video.sources import FileSource, StreamInfo, is_url

# a preview gives up on a dead stream sooner than a recording job would
PREVIEW_STREAM_OPTIONS = StreamOptions(
    open_timeout_s=5.0, read_timeout_s=5.0,
    reconnect=ReconnectPolicy(attempts=3, interval_s=0.5, max_interval_s=2.0),
)


@dataclass
class OpenedSource:
    """An opened engine source, what a sink needs to know about it, and whether to pace it."""

    source: FileSource | StreamSource | WebcamSource
    info: StreamInfo
    live: bool


def webcam_spec(index: int) -> str:
    """The spec for webcam number ``index``."""
    return f"{WEBCAM_PREFIX}{index}"


def normalise_spec(spec: str) -> str:
    """A bare number means that webcam; everything else is kept (stripped)."""
    spec = spec.strip()
    return webcam_spec(int(spec)) if spec.isdigit() else spec


def open_source(spec: str, stream_options: StreamOptions | None = None) -> OpenedSource:
    """Open ``spec`` (a stream with ``stream_options``, by default ``PREVIEW_STREAM_OPTIONS``);
    raises :class:`~llie_video.errors.UserError` when it cannot be opened. A stream URL may
    block for its open timeout and retries: the preview calls this on a
    :class:`~gui.reader.SourceReader` thread."""
    spec = normalise_spec(spec)
    if spec.startswith(WEBCAM_PREFIX):
        source = WebcamSource(spec[len(WEBCAM_PREFIX):] or "0", WebcamOptions())
        live = True
    elif is_url(spec):
        source, live = StreamSource(spec, stream_options or PREVIEW_STREAM_OPTIONS), True
    else:
        source, live = FileSource(spec), False
    try:
        info = replace(source.info(), audio=None)  # the preview and its recordings are silent
    except BaseException:
        source.close()
        raise
    return OpenedSource(source, info, live)

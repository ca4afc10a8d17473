"""Live jobs: a webcam or stream in, a file, a stream or nothing out, with bounded latency.

Queues hold one frame and drop the oldest when the enhancer falls behind; the encoder runs in
zero-latency mode; fps, latency (arrival -> enhanced frame out) and drops are reported once a
second. A recording is finalised (playable) when the job is stopped (Ctrl-C, ``duration_s``) and
also when the source is lost for good; the loss is then re-raised.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from llie_video.errors import UserError
from llie_video.video.frame import Frame
from llie_video.video.job import JobResult
from llie_video.video.live_sources import (
    WEBCAM_PREFIX,
    StreamOptions,
    StreamSource,
    WebcamOptions,
    WebcamSource,
)
from llie_video.video.pipeline import Pipeline, PipelineStats
from llie_video.video.sinks import (
    EncoderSettings,
    FileSink,
    NullSink,
    StreamSink,
    check_output_path,
)
from llie_video.video.sources import FileSource, StreamInfo, is_url
from llie_video.video.stage import EnhanceStage

NULL_OUTPUTS = ("null", "-")


@dataclass(frozen=True)
class LiveStatus:
    """One status report: frames out per second over the last interval, the latest latency,
    and the number of frames dropped so far."""

    fps: float
    latency_ms: float
    dropped: int
    frames: int
    reconnects: int


def open_input(spec: str, stream: StreamOptions, webcam: WebcamOptions,
               decoded_frames: bool = False):
    """A source for ``spec``: ``webcam:N`` (or a device path after the prefix), a stream URL, or
    a file (played as fast as it decodes); ``decoded_frames`` hands YUV frames over as 4:2:0
    planes (for a stage that prefers planes)."""
    if spec.startswith(WEBCAM_PREFIX):
        return WebcamSource(spec[len(WEBCAM_PREFIX) :] or "0", webcam, decoded_frames)
    if is_url(spec):
        return StreamSource(spec, stream, decoded_frames)
    return FileSource(spec, decoded_frames)


def open_output(spec: str, info: StreamInfo, encoder: EncoderSettings, overwrite: bool,
                transport: str):
    """A sink for ``spec``: ``null``/``-`` (discard), a stream URL (publish), or a file."""
    if spec in NULL_OUTPUTS:
        return NullSink()
    live_encoder = replace(encoder, zero_latency=True)
    if is_url(spec):
        return StreamSink(spec, info, live_encoder, transport)
    target = Path(spec)
    check_output_path(target, overwrite)
    return FileSink(target, replace(info, audio=None), live_encoder)


class _Reporter:
    """Calls ``report`` with a :class:`LiveStatus` every ``interval_s`` until stopped."""

    def __init__(self, stats: PipelineStats, source: object, report: Callable[[LiveStatus], None],
                 interval_s: float = 1.0) -> None:
        self.stats, self.source, self.report, self.interval_s = stats, source, report, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="llie-status", daemon=True)

    def __enter__(self) -> _Reporter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        last_frames, last_time = 0, time.monotonic()
        while not self._stop.wait(self.interval_s):
            now, frames = time.monotonic(), self.stats.frames_out
            self.report(LiveStatus(
                fps=(frames - last_frames) / (now - last_time),
                latency_ms=1000 * self.stats.last_latency_s,
                dropped=self.stats.dropped,
                frames=frames,
                reconnects=getattr(self.source, "reconnects", 0),
            ))
            last_frames, last_time = frames, now


def run_live(
    source_spec: str,
    target_spec: str,
    stage: EnhanceStage,
    encoder: EncoderSettings | None = None,
    stream: StreamOptions | None = None,
    webcam: WebcamOptions | None = None,
    overwrite: bool = False,
    duration_s: float | None = None,
    report: Callable[[LiveStatus], None] | None = None,
    on_pipeline: Callable[[Pipeline], None] | None = None,
    on_frame: Callable[[Frame], None] | None = None,
) -> JobResult:
    """Run a live job until the source ends, ``duration_s`` passes, or it is stopped."""
    stream = stream or StreamOptions()
    stage.prepare()
    source = open_input(source_spec, stream, webcam or WebcamOptions(), stage.prefers_planes)
    try:
        info = source.info()
        stage.warm_up(info.height, info.width)  # not on the first live frames
        sink = open_output(target_spec, info, encoder or EncoderSettings(), overwrite,
                           stream.transport)
    except BaseException:
        source.close()
        raise
    pipeline = Pipeline(source, stage, sink, queue_size=1, live=True, on_frame=on_frame,
                        interrupt=source.interrupt)
    if on_pipeline is not None:
        on_pipeline(pipeline)
    timer = threading.Timer(duration_s, pipeline.stop) if duration_s else None
    try:
        if timer is not None:
            timer.start()
        with _Reporter(pipeline.stats, source, report or (lambda status: None)):
            stats = pipeline.run()
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            sink.close(keep=True)  # a recording of what arrived before the loss stays playable
        raise
    finally:
        if timer is not None:
            timer.cancel()
        source.close()
    sink.close(keep=True)
    frames = getattr(sink, "frames_written", stats.frames_out)
    if frames == 0:
        raise UserError(f"{source_spec}: no frames arrived")
    output = Path(target_spec) if not (is_url(target_spec) or target_spec in NULL_OUTPUTS) else Path()
    return JobResult(output, frames, pipeline.interrupted, stats)

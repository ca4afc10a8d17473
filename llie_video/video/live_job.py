"""Live jobs: a webcam or stream in, a file, a stream or nothing out, with bounded latency.

Sources and sinks are opened by scheme (:mod:`llie_video.video.endpoints`). Queues hold one frame
and drop the oldest when the enhancer falls behind; the encoder runs in zero-latency mode; the
source's audio is remuxed unchanged, as the file job does; fps, latency (arrival -> enhanced
frame out) and drops are reported once a second. A recording is finalised (playable) when the
job is stopped (Ctrl-C, ``duration_s``) and also when the source is lost for good; the loss is
then re-raised.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from llie_video.errors import UserError
from llie_video.video.endpoints import SINKS, SinkOptions, SourceOptions, open_sink, open_source
from llie_video.video.frame import Frame
from llie_video.video.job import JobResult
from llie_video.video.live_sources import StreamOptions, WebcamOptions
from llie_video.video.live_status import LiveStatus, StatusMeter
from llie_video.video.pipeline import Pipeline
from llie_video.video.sinks import EncoderSettings
from llie_video.enhance.stage import EnhanceStage


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
    source = open_source(source_spec, SourceOptions(stream, webcam or WebcamOptions(),
                                                    decoded_frames=stage.prefers_planes))
    live_encoder = replace(encoder or EncoderSettings(), zero_latency=True)
    try:
        info = source.info()
        stage.warm_up(info.height, info.width)  # not on the first live frames
        sink = open_sink(target_spec, info, SinkOptions(live_encoder, overwrite, stream.transport))
        stage.output_bit_depth = sink.bit_depth
    except BaseException:
        source.close()
        raise
    pipeline = Pipeline(source, stage, sink, queue_size=1, live=True, on_frame=on_frame,
                        interrupt=source.interrupt)
    if on_pipeline is not None:
        on_pipeline(pipeline)
    meter = StatusMeter(pipeline.stats, reconnects=lambda: getattr(source, "reconnects", 0))
    timer = threading.Timer(duration_s, pipeline.stop) if duration_s else None
    try:
        if timer is not None:
            timer.start()
        with meter.reporting(report or (lambda status: None)):
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
    if sink.frames_written == 0:
        raise UserError(f"{source_spec}: no frames arrived")
    output = Path(target_spec) if SINKS.lookup(target_spec) is SINKS.paths else Path()
    return JobResult(output, sink.frames_written, pipeline.interrupted, stats)

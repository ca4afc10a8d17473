"""One job runner: a source and a sink opened by spec, the enhance stage between them.

:func:`run_job` serves every job of the CLI and the batch, files, webcams, streams and ``null``
alike: the source and the sink are opened through the endpoint registry
(:mod:`llie_video.video.endpoints`), the pipeline runs until the source ends, ``duration_s``
passes or it is stopped (Ctrl-C, :meth:`Pipeline.stop`), and the result says what was written.
A stopped job keeps, finalised and playable, what it wrote. The preview runs its sessions through
:func:`run_opened`, the same runner for a source and a sink it opened itself.

What differs between a file job and a live one is its :class:`Flow`: a file job takes every
frame and discards its output if it fails; a live job (either end live) keeps latency bounded
(queues of one frame that drop the oldest, the encoder in zero-latency mode, the stage warmed
up before the first frame) and keeps a recording of what arrived before a source was lost for
good, the loss then re-raised. Reconnects are the source's options (:class:`JobOptions`
``stream`` and ``webcam``). Every audio and subtitle track, the chapters and the file's
metadata are kept (:mod:`llie_video.video.stream_routes`), timestamps and rotation too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from llie_video.enhance.stage import EnhanceStage
from llie_video.errors import UserError
from llie_video.video.encoders import EncoderSettings
from llie_video.video.endpoint_options import SinkOptions, SourceOptions
from llie_video.video.endpoints import (
    SINKS, SOURCES, Sink, is_live_job, open_sink, open_source)
from llie_video.video.frame import Frame
from llie_video.video.live_options import StreamOptions, WebcamOptions
from llie_video.video.live_status import LiveStatus, StatusMeter
from llie_video.video.pipeline import Pipeline, PipelineStats
from llie_video.video.sources import Source, StreamInfo
from llie_video.video.stage_builder import configure_cpu_threads

# configure_cpu_threads is re-exported for bench/stage_breakdown.py, which imports it from here
__all__ = ["FILE_FLOW", "LIVE_FLOW", "PREVIEW_FLOW", "Flow", "JobHooks", "JobOptions",
           "JobResult", "configure_cpu_threads", "enhance_video", "run_job", "run_live",
           "run_opened"]


@dataclass(frozen=True)
class Flow:
    """How frames flow through a job.

    Attributes:
        queue_size: frames each queue between the pipeline's stages holds.
        live: a full queue drops its oldest frame (bounded latency) instead of waiting, the
            encoder runs in zero-latency mode and the stage is warmed up at the source's size
            before the first frame; a failed job keeps what it wrote.
        no_frames: why a job that wrote no frame failed (after the source's spec); None: such
            a job did not fail (a preview stopped before its first frame).
        keep_original: frames keep their input pixels beside the enhanced ones (a preview
            shows both).
    """

    queue_size: int
    live: bool
    no_frames: str | None
    keep_original: bool = False


FILE_FLOW = Flow(queue_size=8, live=False, no_frames="no video frames could be decoded")
LIVE_FLOW = Flow(queue_size=1, live=True, no_frames="no frames arrived")
PREVIEW_FLOW = Flow(queue_size=1, live=True, no_frames=None, keep_original=True)


@dataclass(frozen=True)
class JobOptions:
    """How to run a job.

    Attributes:
        encoder: the video encoder's settings.
        overwrite: replace an existing output file.
        stream: network streams' transport, timeouts and reconnection.
        webcam: the capture size and rate asked of a webcam, and its reconnection.
        duration_s: stop after this many seconds (None: at the source's end).
        flow: :data:`FILE_FLOW` or :data:`LIVE_FLOW`; None: live when either end is.
    """

    encoder: EncoderSettings = field(default_factory=EncoderSettings)
    overwrite: bool = False
    stream: StreamOptions = field(default_factory=StreamOptions)
    webcam: WebcamOptions = field(default_factory=WebcamOptions)
    duration_s: float | None = None
    flow: Flow | None = None


@dataclass(frozen=True)
class JobHooks:
    """What a caller hears of a running job (each optional).

    Attributes:
        on_start: the source's description, once both ends are open.
        on_frame: each enhanced frame, once written (on the sink's thread).
        on_pipeline: the pipeline before it runs (to call ``stop()`` from elsewhere).
        report: a live status once a second (fps, latency, drops, reconnects).
    """

    on_start: Callable[[StreamInfo], None] | None = None
    on_frame: Callable[[Frame], None] | None = None
    on_pipeline: Callable[[Pipeline], None] | None = None
    report: Callable[[LiveStatus], None] | None = None


@dataclass(frozen=True)
class JobResult:
    """What a finished (or interrupted) job did; ``output`` is the file written, None when the
    sink writes no file (a stream, ``null``)."""

    output: Path | None
    frames: int
    interrupted: bool
    stats: PipelineStats


def run_job(source_spec: str | Path, target_spec: str | Path, stage: EnhanceStage,
            options: JobOptions | None = None, hooks: JobHooks | None = None) -> JobResult:
    """Enhance what ``source_spec`` names into what ``target_spec`` names with ``stage``.

    The encoder is tried before decoding starts; the stage renders at the sink's bit depth
    (10-bit planes for a 10-bit output). A file is written under a temporary name and renamed
    on success; an existing one is kept unless ``options.overwrite``.
    """
    source_spec, target_spec = str(source_spec), str(target_spec)
    options = options or JobOptions()
    hooks = hooks or JobHooks()
    sink_endpoint = SINKS.lookup(target_spec)
    flow = options.flow or (LIVE_FLOW if is_live_job(source_spec, target_spec) else FILE_FLOW)
    _check_not_the_input(source_spec, target_spec)
    source, sink = _open_ends(source_spec, target_spec, stage, options, flow)
    result = run_opened(source, sink, stage, flow, options.duration_s, hooks)
    if result.frames == 0 and flow.no_frames is not None:
        raise UserError(f"{source_spec}: {flow.no_frames}")
    return replace(result, output=Path(target_spec) if sink_endpoint.names_a_file else None)


def run_opened(source: Source, sink: Sink, stage: EnhanceStage, flow: Flow,
               duration_s: float | None = None, hooks: JobHooks | None = None) -> JobResult:
    """:func:`run_job` for a source and a sink already open (the preview's: a paced source
    read on its own thread, a sink that shows the frames); both are closed when it returns."""
    hooks = hooks or JobHooks()
    pipeline = Pipeline(source, stage, sink, queue_size=flow.queue_size, live=flow.live,
                        keep_original=flow.keep_original, on_frame=hooks.on_frame,
                        interrupt=source.interrupt)
    stats = _run(pipeline, source, sink, flow, duration_s, hooks)
    return JobResult(None, sink.frames_written, pipeline.interrupted, stats)


def _check_not_the_input(source_spec: str, target_spec: str) -> None:
    if (SOURCES.lookup(source_spec).names_a_file and SINKS.lookup(target_spec).names_a_file
            and Path(source_spec).resolve() == Path(target_spec).resolve()):
        raise UserError("input and output are the same file")


def _open_ends(source_spec: str, target_spec: str, stage: EnhanceStage, options: JobOptions,
               flow: Flow) -> tuple[Source, Sink]:
    """The opened source and sink (the source closed again if the sink cannot be opened). A
    live job compiles the stage's kernel before the source is opened and warms it up at the
    source's size before the sink is: a live source's first frames are not late."""
    if flow.live:
        stage.prepare()
    source = open_source(source_spec, SourceOptions(options.stream, options.webcam,
                                                    decoded_frames=stage.prefers_planes))
    encoder = replace(options.encoder, zero_latency=True) if flow.live else options.encoder
    try:
        info = source.info()
        if flow.live:
            stage.warm_up(info.height, info.width)
        sink = open_sink(target_spec, info,
                         SinkOptions(encoder, options.overwrite, options.stream.transport))
        stage.output_bit_depth = sink.bit_depth
    except BaseException:
        source.close()
        raise
    return source, sink


def _run(pipeline: Pipeline, source: Source, sink: Sink, flow: Flow, duration_s: float | None,
         hooks: JobHooks) -> PipelineStats:
    """Tell ``hooks``, run ``pipeline`` to its end and close both ends. On a failure the sink
    keeps what it wrote if the job is live or was aborted (Ctrl-C), and discards it otherwise."""
    timer = threading.Timer(duration_s, pipeline.stop) if duration_s else None
    meter = StatusMeter(pipeline.stats, reconnects=lambda: getattr(source, "reconnects", 0))
    report = hooks.report
    try:
        if hooks.on_pipeline is not None:
            hooks.on_pipeline(pipeline)
        if hooks.on_start is not None:
            hooks.on_start(source.info())
        if timer is not None:
            timer.start()
        with meter.reporting(report) if report is not None else contextlib.nullcontext():
            stats = pipeline.run()
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the first error is the one to report
            sink.close(keep=flow.live or isinstance(exc, KeyboardInterrupt))
        raise
    finally:
        if timer is not None:
            timer.cancel()
        source.close()
    sink.close(keep=True)
    return stats


def enhance_video(source_path: str | Path, target_path: str | Path, stage: EnhanceStage,
                  encoder: EncoderSettings | None = None, overwrite: bool = False,
                  on_start: Callable[[StreamInfo], None] | None = None,
                  on_frame: Callable[[Frame], None] | None = None,
                  on_pipeline: Callable[[Pipeline], None] | None = None) -> JobResult:
    """A file job: :func:`run_job` with :data:`FILE_FLOW` and these options and hooks."""
    options = JobOptions(encoder or EncoderSettings(), overwrite, flow=FILE_FLOW)
    return run_job(source_path, target_path, stage, options,
                   JobHooks(on_start, on_frame, on_pipeline))


def run_live(source_spec: str, target_spec: str, stage: EnhanceStage,
             encoder: EncoderSettings | None = None, stream: StreamOptions | None = None,
             webcam: WebcamOptions | None = None, overwrite: bool = False,
             duration_s: float | None = None,
             report: Callable[[LiveStatus], None] | None = None,
             on_pipeline: Callable[[Pipeline], None] | None = None,
             on_frame: Callable[[Frame], None] | None = None) -> JobResult:
    """A live job: :func:`run_job` with :data:`LIVE_FLOW` and these options and hooks."""
    options = JobOptions(encoder or EncoderSettings(), overwrite, stream or StreamOptions(),
                         webcam or WebcamOptions(), duration_s, LIVE_FLOW)
    return run_job(source_spec, target_spec, stage, options,
                   JobHooks(on_frame=on_frame, on_pipeline=on_pipeline, report=report))

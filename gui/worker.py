"""The preview worker: one engine pipeline on a QThread, frames out as Qt signals.

:class:`PreviewWorker` is a QObject moved to a QThread. Its :meth:`~PreviewWorker.run` builds the
stage as the CLI does (:func:`~llie_video.video.stage_builder.build_stage`, from the
:class:`WorkerConfig`'s job config), opens the source and runs the job runner's
:func:`~llie_video.video.job.run_opened` (``PREVIEW_FLOW``: live, originals kept) into a
:class:`SignalSink`. Frames take the CLI's fast path: decoded 4:2:0 planes through the stage's
plane route (the fused kernel on the CPU), with no RGB copy of the full frame; the sink converts
each (original, enhanced) pair to RGB QImages at the size the view shows them, on the pipeline's
sink thread, turned upright when the frames carry a display rotation (the recording keeps the
pixels as decoded, with the rotation as metadata, and the source's audio). The source is opened
and read on a :class:`~gui.reader.SourceReader` thread, so that a stream that hangs while
connecting or reading never keeps the worker from stopping. A live source that is lost (a camera
or server restarting, a webcam unplugged) is reopened by the engine with the CLI's live job's
reconnect policy (:mod:`llie_video.video.live_options`); each loss, wait and reconnect is relayed
as ``source_status`` for the status bar, and a recording goes on through it. The other methods
(:meth:`~PreviewWorker.stop`, :meth:`~PreviewWorker.update_settings`, pause and recording) are
thread-safe and are called directly from the GUI thread: none of them waits for a frame.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import av
from PyQt6.QtCore import QObject, pyqtSignal, pyqtSlot
from PyQt6.QtGui import QImage

from gui.images import display_image
from gui.pacing import PacedSource
from gui.reader import SourceReader
from gui.recorder import Recorder
from gui.sources import OpenedSource, open_source
from llie_video.errors import UserError
from llie_video.job_config import JobConfig
from llie_video.video.frame import Frame
from llie_video.video.live_status import StatusMeter
from llie_video.video.pipeline import Pipeline, StageError
from llie_video.enhance.stage import EnhanceStage

STATS_INTERVAL_S = 0.5
MAX_FRAMES_IN_FLIGHT = 2  # frames emitted but not yet taken by the GUI; more are not shown


@dataclass(frozen=True)
class WorkerConfig:
    """What to run: a source spec and the job config of the CLI (model, weights, initial
    settings, device, backend, threads), from which the stage is built as the CLI builds it."""

    source: str
    job: JobConfig = field(default_factory=JobConfig)


@dataclass(frozen=True)
class SessionInfo:
    """What the worker opened, for the window's title and status bar."""

    source: str
    width: int
    height: int
    live: bool
    model: str
    parameters: int
    device: str


class SignalSink:
    """Pipeline sink: emits each frame's (original, enhanced) QImages, at most
    :attr:`display_box` big, with the frame itself (full resolution, for snapshots); feeds the
    recorder with frames and audio.

    At most ``MAX_FRAMES_IN_FLIGHT`` frames wait for the GUI; a frame arriving while the GUI is
    that far behind is recorded but not shown (``skipped``), so a busy window never builds a
    backlog. The GUI calls :meth:`frame_taken` for each frame it receives.
    """

    bit_depth = 8  # the pictures shown are 8-bit RGB

    def __init__(self, signal: pyqtSignal, recorder: Recorder) -> None:
        self.signal = signal
        self.recorder = recorder
        self.skipped = 0
        self.frames_written = 0  # frames received (shown or skipped)
        self.display_box: tuple[int, int] | None = None  # (width, height); set by the GUI
        self._slots = threading.Semaphore(MAX_FRAMES_IN_FLIGHT)

    def write_video(self, frame: Frame) -> None:
        self.frames_written += 1
        self.recorder.write(frame)
        if not self._slots.acquire(blocking=False):
            self.skipped += 1
            return
        box = self.display_box
        self.signal.emit(display_image(frame.input_pixels, frame.rotation, box),
                         display_image(frame.image, frame.rotation, box), frame)

    def write_audio(self, packet: av.Packet) -> None:
        """The preview is silent; a recording keeps the audio."""
        self.recorder.write_audio(packet)

    def frame_taken(self) -> None:
        self._slots.release()

    def close(self, keep: bool = True) -> None:
        """Nothing to finish: the worker finalises a recording itself (and reports it)."""


class PreviewWorker(QObject):
    """Runs one preview session; make a new worker to change the source, model or device."""

    frame_ready = pyqtSignal(QImage, QImage, object)  # original, enhanced (as shown), Frame
    opened = pyqtSignal(object)  # SessionInfo
    stats_changed = pyqtSignal(object)  # LiveStatus
    failed = pyqtSignal(str)
    notice = pyqtSignal(str)  # a passing word for the status bar
    source_status = pyqtSignal(str)  # a live source lost, being reopened, or reopened
    ended = pyqtSignal(str)  # the source ended on its own
    recording_finished = pyqtSignal(object)  # RecordingResult
    finished = pyqtSignal()

    def __init__(self, config: WorkerConfig) -> None:
        super().__init__()
        self.config = config
        self.recorder = Recorder()
        self.sink = SignalSink(self.frame_ready, self.recorder)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.reader = SourceReader(config.source, opener=self._open_source)
        self._decoded_frames = False  # the stage's choice, made before the reader starts
        self._paused = False
        self._settings = config.job.enhance
        self._stage: EnhanceStage | None = None
        self._source: PacedSource | None = None
        self._pipeline: Pipeline | None = None
        self._meter: StatusMeter | None = None

    # -- called from the GUI thread -------------------------------------------------------

    def stop(self) -> None:
        """End the session soon (the running frame is finished, a recording is finalised); a
        source still opening, or blocked in a read, is left to close on its own thread."""
        self._stopping.set()
        self.reader.stop()
        with self._lock:
            if self._source is not None:
                self._source.stop()
            if self._pipeline is not None:
                self._pipeline.stop()

    def update_settings(self, **changes: float) -> None:
        """Change gamma/strength/smoothing; applies from the next frame, no restart."""
        with self._lock:
            self._settings = replace(self._settings, **changes)  # validates the values
            if self._stage is not None:
                self._stage.update(**changes)

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused
            if self._source is not None:
                (self._source.pause if paused else self._source.resume)()

    def set_display_box(self, box: tuple[int, int] | None) -> None:
        """Show frames at most ``box`` ``(width, height)`` device pixels big (None: full size)."""
        self.sink.display_box = box

    def start_recording(self, target: Path) -> None:
        self.recorder.start(target)

    def stop_recording(self) -> None:
        result = self.recorder.stop()
        if result is not None:
            self.recording_finished.emit(result)

    # -- runs on the worker thread --------------------------------------------------------

    @pyqtSlot()
    def run(self) -> None:
        """Open, enhance until the source ends or :meth:`stop`. A recording is finalised and
        reported first, then an error becomes ``failed``: the last word the window shows."""
        try:
            error = self._run_reporting_errors()
            self.stop_recording()
            if error:
                self.failed.emit(error)
        finally:
            self.finished.emit()

    def _run_reporting_errors(self) -> str:
        """:meth:`_run`; the message of its error, or "" when there was none."""
        try:
            self._run()
        except (UserError, StageError) as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - the window reports it and keeps running
            return f"{type(exc).__name__}: {exc}"
        return ""

    def _run(self) -> None:
        from llie_video.video.job import PREVIEW_FLOW, JobHooks, run_opened
        from llie_video.video.stage_builder import build_stage

        try:
            with self._lock:
                job = replace(self.config.job, enhance=self._settings)
            stage = build_stage(job)  # settings changed meanwhile are applied below
            self._decoded_frames = stage.prefers_planes
            self.reader.start()
            opened = self.reader.wait_opened()
            if opened is None:
                return  # stopped while the source was opening
            if stage.needs_preparing:
                self.notice.emit("Preparing the fast path (compiled once per machine, up to a "
                                 "minute the first time) …")
            stage.warm_up(opened.info.height, opened.info.width)
            source = PacedSource(self.reader, paced=not opened.live, info=opened.info)
            self.recorder.info = opened.info

            def started(pipeline: Pipeline) -> None:
                self._started(stage, source, pipeline, opened)

            run_opened(source, self.sink, stage, PREVIEW_FLOW,
                       hooks=JobHooks(on_frame=self._on_frame, on_pipeline=started))
            if not self._stopping.is_set():
                self.ended.emit(f"end of {opened.info.name}")
        finally:
            self.reader.stop()  # its thread closes the source

    def _started(self, stage: EnhanceStage, source: PacedSource, pipeline: Pipeline,
                 opened: OpenedSource) -> None:
        """The session's pipeline is about to run: make it reachable from the GUI thread (with
        the settings changed while the model loaded) and say what was opened; a session stopped
        meanwhile ends at once."""
        with self._lock:
            stage.update(**{f.name: getattr(self._settings, f.name)
                            for f in fields(self._settings)})
            self._stage, self._source, self._pipeline = stage, source, pipeline
            if self._paused:
                source.pause()
        if self._stopping.is_set():
            pipeline.stop()
            return
        self.opened.emit(SessionInfo(
            source=opened.info.name, width=opened.info.width, height=opened.info.height,
            live=opened.live,
            model=getattr(stage.model, "registry_name", self.config.job.model.name),
            parameters=stage.model.num_parameters(), device=str(stage.device),
        ))
        self._meter = StatusMeter(pipeline.stats, STATS_INTERVAL_S,
                                  lambda: getattr(opened.source, "reconnects", 0))

    def _open_source(self, spec: str) -> OpenedSource:
        """The reader's opener: decoded planes when the stage prefers them; a live source's
        reconnection reports to ``source_status``."""
        opened = open_source(spec, decoded_frames=self._decoded_frames)
        reconnection = getattr(opened.source, "reconnection", None)
        if reconnection is not None:
            reconnection.on_status = self.source_status.emit
        return opened

    def _on_frame(self, frame: Frame) -> None:
        assert self._meter is not None
        status = self._meter.poll()
        if status is not None:
            self.stats_changed.emit(status)

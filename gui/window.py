"""The main window: wires the controls and the views to a :class:`PreviewController`.

The window shows what the worker sends and forwards what the user asks; it does no processing.
Errors from the worker appear in the message line and the status bar; the window stays usable.
A live source being reconnected is said there too, until the next word replaces it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QCloseEvent, QImage
from PyQt6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from gui.controller import PreviewController
from gui.controls import ControlPanel
from gui.images import display_image
from gui.recorder import RecordingResult
from gui.settings import GuiSettings
from gui.sources import normalise_spec
from gui.views import ComparisonView
from gui.worker import SessionInfo, WorkerConfig
from llie_video.job_config import JobConfig

if TYPE_CHECKING:
    from llie_video.video.frame import Frame
    from llie_video.video.live_status import LiveStatus


class MainWindow(QMainWindow):
    """Original and enhanced video with live controls; ``store`` keeps the settings."""

    def __init__(self, store: QSettings, source: str | None = None,
                 job: JobConfig | None = None) -> None:
        """``job``: the command line's job config (weights, backend, threads ...); the window's
        own model, device and settings replace its."""
        super().__init__()
        self.job = job or JobConfig()
        self.setWindowTitle("llie-video preview")
        self.store = store
        self.settings = GuiSettings.load(store)
        self.controller = PreviewController(self)
        self.controls = ControlPanel(self.settings)
        self.views = ComparisonView()
        self.views.set_split_mode(self.settings.split_mode)
        self.views.split_view.set_split(self.settings.split)
        self.message = QLabel("Choose a source: a webcam, a file or a stream URL.")
        self.message.setWordWrap(True)
        self.last_frames: tuple[QImage, QImage] | None = None  # as shown
        self.last_frame: Frame | None = None  # the same, at full resolution
        self.frames_shown = 0
        self._build()
        self._connect()
        if source:
            self.open_source(source)
        elif self.settings.source:
            self.open_source(self.settings.source)

    def _build(self) -> None:
        column = QVBoxLayout()
        column.addWidget(self.views, 1)
        column.addWidget(self.message)
        row = QHBoxLayout()
        row.addLayout(column, 3)
        row.addWidget(self.controls, 1)
        holder = QWidget()
        holder.setLayout(row)
        self.setCentralWidget(holder)
        self.stats_label = QLabel("")
        self.model_label = QLabel("")
        self.statusBar().addPermanentWidget(self.stats_label)
        self.statusBar().addPermanentWidget(self.model_label)
        self.resize(1100, 560)

    def _connect(self) -> None:
        c, p = self.controller, self.controls
        c.frame_ready.connect(self._show_frames)
        self.views.display_box_changed.connect(c.set_display_box)
        c.set_display_box(self.views.display_box())
        c.opened.connect(self._opened)
        c.stats_changed.connect(self._show_stats)
        c.failed.connect(lambda text: self.show_error(text))
        c.notice.connect(self._say)
        c.source_status.connect(self._source_status)
        c.ended.connect(lambda text: self._say(f"{text}. Open it again, or another source."))
        c.recording_finished.connect(self._recording_finished)
        p.settings_changed.connect(lambda name, value: c.update_settings(**{name: value}))
        p.engine_changed.connect(self._restart)
        p.source_chosen.connect(self.open_source)
        p.file_requested.connect(self._choose_file)
        p.folder_requested.connect(self._choose_folder)
        p.play.toggled.connect(self._set_paused)
        p.snapshot.clicked.connect(lambda: self.save_snapshot())
        p.record.toggled.connect(self._set_recording)
        p.split.toggled.connect(self.views.set_split_mode)

    # -- sessions -------------------------------------------------------------------------

    def open_source(self, spec: str) -> None:
        """Start previewing ``spec`` (restarts the worker)."""
        self.settings.source = normalise_spec(spec)
        self._restart()

    def _restart(self) -> None:
        if not self.settings.source:
            return
        self.controls.store(self.settings)
        s = self.settings
        self.controls.record.setChecked(False)
        self.controls.play.setChecked(False)
        job = replace(self.job, model=replace(self.job.model, name=s.model), enhance=s.enhance,
                      runtime=replace(self.job.runtime, device=s.device))
        self.controller.start(WorkerConfig(s.source, job))
        self._say(f"Opening {s.source} …")

    def _opened(self, info: SessionInfo) -> None:
        kind = "live" if info.live else "file"
        self._say(f"{info.source} ({kind}, {info.width}x{info.height})")
        self.model_label.setText(f"{info.model}: {info.parameters:,} parameters on {info.device}")

    def _show_frames(self, original: QImage, enhanced: QImage, frame: Frame) -> None:
        self.last_frames, self.last_frame = (original, enhanced), frame
        self.frames_shown += 1
        self.views.show_frames(original, enhanced)

    def _show_stats(self, stats: LiveStatus) -> None:
        reconnects = f" | reconnects {stats.reconnects}" if stats.reconnects else ""
        self.stats_label.setText(f"{stats.fps:.1f} fps | latency {stats.latency_ms:.0f} ms | "
                                 f"dropped {stats.dropped}{reconnects}")

    def _set_paused(self, paused: bool) -> None:
        self.controls.play.setText("Play" if paused else "Pause")
        if not paused and not self.controller.running:
            self._restart()  # the source had ended: play it again
            return
        self.controller.set_paused(paused)

    # -- messages -------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.statusBar().showMessage(text, 5000)

    def _source_status(self, text: str) -> None:
        """A live source lost, being reopened, or reopened: said until the next word."""
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.statusBar().showMessage(text)

    def show_error(self, text: str) -> None:
        """Show an error in the message line and the status bar."""
        self.message.setStyleSheet("color: #d33;")
        self.message.setText(f"Error: {text}")
        self.statusBar().showMessage(f"Error: {text}")

    # -- snapshot and recording -----------------------------------------------------------

    def _output_path(self, stem: str, suffix: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = Path(self.settings.output_folder)
        path, n = folder / f"{stem}-{stamp}{suffix}", 1
        while path.exists() or path.with_name(path.stem + "-original.png").exists():
            path, n = folder / f"{stem}-{stamp}-{n}{suffix}", n + 1
        return path

    def save_snapshot(self) -> list[Path]:
        """Save the shown original and enhanced frames, at full resolution, as PNGs in the
        output folder."""
        frame = self.last_frame
        if frame is None:
            self.show_error("no frame to save yet")
            return []
        images = [display_image(pixels, frame.rotation)
                  for pixels in (frame.input_pixels, frame.image)]
        base = self._output_path("snapshot", "")
        paths = [base.with_name(f"{base.name}-{kind}.png") for kind in ("original", "enhanced")]
        for path, image in zip(paths, images):
            if not image.save(str(path), "PNG"):
                self.show_error(f"cannot write {path}")
                return []
        self._say(f"Saved {paths[0].name} and {paths[1].name} in {paths[0].parent}")
        return paths

    def _set_recording(self, on: bool) -> None:
        self.controls.record.setText("Stop recording" if on else "Record")
        if not on:
            self.controller.stop_recording()
            return
        target = self._output_path("recording", ".mp4")
        if not Path(self.settings.output_folder).is_dir():
            self.show_error(f"output folder {self.settings.output_folder} does not exist")
        elif self.controller.start_recording(target):
            self._say(f"Recording to {target}")
            return
        else:
            self.show_error("nothing to record: open a source first")
        self.controls.record.setChecked(False)

    def _recording_finished(self, result: RecordingResult) -> None:
        self.controls.record.blockSignals(True)
        self.controls.record.setChecked(False)
        self.controls.record.setText("Record")
        self.controls.record.blockSignals(False)
        if result.error:
            self.show_error(f"recording {result.path.name}: {result.error}")
        else:
            self._say(f"Saved {result.path} ({result.frames} frames)")

    # -- dialogs --------------------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", self.settings.output_folder,
                                              "Videos (*.mp4 *.mkv *.mov *.avi *.webm);;All (*)")
        if path:
            self.open_source(path)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save snapshots and recordings in",
                                                  self.settings.output_folder)
        if folder:
            self.set_output_folder(folder)

    def set_output_folder(self, folder: str | Path) -> None:
        self.settings.output_folder = str(folder)
        self.controls.folder.setText(str(folder))

    # -- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Save the settings, stop the worker (a recording is finalised), within a second."""
        self.controls.store(self.settings)
        self.settings.split_mode = self.views.split_mode
        self.settings.split = self.views.split_view.split
        self.settings.save(self.store)
        if not self.controller.shutdown(1000):
            self.statusBar().showMessage("the preview is still stopping")
        event.accept()

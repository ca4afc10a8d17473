"""Starting, restarting and stopping preview workers on their QThreads, from the GUI thread.

:class:`PreviewController` owns at most one current worker. Changing the source, model or device
starts a new one; the old one is asked to stop and is dropped when its thread finishes, without
the GUI thread waiting for it. Only :meth:`PreviewController.shutdown` (closing the window)
waits, for a bounded time, and :meth:`PreviewController.wait_finished` at exit.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QDeadlineTimer, QObject, Qt, QThread, pyqtSignal, pyqtSlot
from PyQt6.QtGui import QImage

from gui.worker import PreviewWorker, WorkerConfig


class PreviewController(QObject):
    """Relays the current worker's signals; the window talks to this object only."""

    frame_ready = pyqtSignal(QImage, QImage, object)  # original, enhanced (as shown), Frame
    opened = pyqtSignal(object)
    stats_changed = pyqtSignal(object)
    failed = pyqtSignal(str)
    notice = pyqtSignal(str)
    source_status = pyqtSignal(str)
    ended = pyqtSignal(str)
    recording_finished = pyqtSignal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: PreviewWorker | None = None
        self._threads: dict[QThread, PreviewWorker] = {}  # every thread still running
        self._display_box: tuple[int, int] | None = None

    @property
    def running(self) -> bool:
        """Whether the current worker's thread is still running."""
        return self.worker is not None and any(
            w is self.worker and t.isRunning() for t, w in self._threads.items())

    @property
    def threads(self) -> list[QThread]:
        return list(self._threads)

    def start(self, config: WorkerConfig) -> PreviewWorker:
        """Stop the current worker (without waiting) and start one for ``config``."""
        self.stop()
        worker = PreviewWorker(config)
        worker.set_display_box(self._display_box)
        thread = QThread()
        thread.setObjectName("llie-preview")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # direct: quit() is thread-safe, and shutdown() blocks the GUI thread's event loop
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._forget)
        worker.frame_ready.connect(self._deliver_frame)
        worker.opened.connect(self.opened)
        worker.stats_changed.connect(self.stats_changed)
        worker.failed.connect(self.failed)
        worker.notice.connect(self.notice)
        worker.source_status.connect(self.source_status)
        worker.ended.connect(self.ended)
        worker.recording_finished.connect(self.recording_finished)
        self._threads[thread] = worker
        self.worker = worker
        thread.start()
        return worker

    def stop(self) -> None:
        """Ask the current worker to stop; its recording, if any, is still finalised and
        reported. Its frames, stats and errors are no longer relayed."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        for signal in (worker.frame_ready, worker.opened, worker.stats_changed, worker.failed,
                       worker.notice, worker.source_status, worker.ended):
            signal.disconnect()
        worker.stop()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop everything and wait up to ``timeout_ms`` in all; True when every thread ended."""
        self.stop()
        for worker in self._threads.values():
            worker.stop()
        deadline = QDeadlineTimer(timeout_ms)
        return all([thread.wait(deadline) for thread in list(self._threads)])

    def wait_finished(self) -> None:
        """Block until every worker thread has ended: at exit, after :meth:`shutdown` gave up
        (a model still loading), since a QThread must not be destroyed while it runs. Sources
        still opening do not count: they run on daemon threads of their own."""
        for thread in list(self._threads):
            thread.wait()

    @pyqtSlot(QImage, QImage, object)
    def _deliver_frame(self, original: QImage, enhanced: QImage, frame: object) -> None:
        worker = self.sender()
        if isinstance(worker, PreviewWorker):
            worker.sink.frame_taken()
            if worker is self.worker:  # not a frame queued by a worker since replaced
                self.frame_ready.emit(original, enhanced, frame)

    @pyqtSlot()
    def _forget(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread) and thread in self._threads:
            worker = self._threads.pop(thread)
            if worker is self.worker:  # it ended on its own (an error, the end of the source)
                self.worker = None  # nothing may call it once it is deleted
            worker.deleteLater()
            thread.deleteLater()

    # -- forwarded to the current worker --------------------------------------------------

    def set_display_box(self, box: tuple[int, int]) -> None:
        """Frames are shown at most ``box`` ``(width, height)`` device pixels big: the current
        worker and the next ones convert them to that size."""
        self._display_box = box
        if self.worker is not None:
            self.worker.set_display_box(box)

    def update_settings(self, **changes: float) -> None:
        if self.worker is not None:
            self.worker.update_settings(**changes)

    def set_paused(self, paused: bool) -> None:
        if self.worker is not None:
            self.worker.set_paused(paused)

    def start_recording(self, target: Path) -> bool:
        """Record the current session into ``target``; False when nothing is running."""
        if self.worker is None:
            return False
        self.worker.start_recording(target)
        return True

    def stop_recording(self) -> None:
        if self.worker is not None:
            self.worker.stop_recording()

"""Recording the enhanced stream to a file while the preview runs.

:meth:`Recorder.start` and :meth:`Recorder.stop` are called from the GUI thread; frames arrive on
the pipeline's sink thread. The file (a :class:`~llie_video.video.sinks.FileSink`) is opened with
the first frame or audio packet after :meth:`start`, written under a temporary name and renamed
into place when the recording stops, so a half-written file never carries the target's name. The
source's audio is remuxed unchanged, as the file job does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from llie_video.video.frame import Frame
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import StreamInfo


@dataclass(frozen=True)
class RecordingResult:
    """A finished recording: its path, how many frames it holds, and an error message if any."""

    path: Path
    frames: int
    error: str = ""


class Recorder:
    """Writes frames to a file between :meth:`start` and :meth:`stop` (thread-safe)."""

    def __init__(self, info: StreamInfo | None = None,
                 encoder: EncoderSettings | None = None) -> None:
        self.info = info  # set once the source is open; frames only arrive after that
        self.encoder = encoder or EncoderSettings(zero_latency=True)
        self._lock = threading.Lock()
        self._target: Path | None = None
        self._sink: FileSink | None = None
        self._error = ""

    @property
    def recording(self) -> bool:
        return self._target is not None

    def start(self, target: Path) -> None:
        """Record from the next frame on into ``target`` (stops a recording already running)."""
        with self._lock:
            self._close_locked()
            self._target, self._error = target, ""

    def write(self, frame: Frame) -> None:
        """Encode ``frame`` if recording; an encoder error ends the recording (kept for stop)."""
        self._write(lambda sink: sink.write_video(frame))

    def write_audio(self, packet: av.Packet) -> None:
        """Remux an audio packet of the source if recording."""
        self._write(lambda sink: sink.write_audio(packet))

    def _write(self, write: Callable[[FileSink], None]) -> None:
        with self._lock:
            if self._target is None or self._error:
                return
            try:
                if self._sink is None:
                    assert self.info is not None, "frames arrive only after the source is open"
                    self._sink = FileSink(self._target, self.info, self.encoder)
                write(self._sink)
            except Exception as exc:  # noqa: BLE001 - reported by stop(), the preview goes on
                self._error = str(exc) or type(exc).__name__

    def stop(self) -> RecordingResult | None:
        """Finish the file; None when nothing was being recorded."""
        with self._lock:
            return self._close_locked()

    def _close_locked(self) -> RecordingResult | None:
        target, sink, error = self._target, self._sink, self._error
        self._target, self._sink, self._error = None, None, ""
        if target is None:
            return None
        frames = sink.frames_written if sink is not None else 0
        if sink is not None:
            try:
                sink.close(keep=True)
            except Exception as exc:  # noqa: BLE001
                error = error or str(exc)
        if not frames and not error:
            error = "no frames arrived while recording"
        return RecordingResult(target, frames, error)

"""One batch worker: a model and enhance stage loaded once, then one file after another.

Both engines run this: the local engine in each process of its pool, the Ray engine in each
actor. A file's failure is its result (status ``failed`` and a one-line error), never an
exception, so one bad file does not stop the others.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from llie_video.errors import UserError
from llie_video.job_config import JobConfig
from llie_video.video.frame import Frame
from llie_video.video.pipeline import StageError

ResultStatus = Literal["done", "failed", "stopped"]


@dataclass(frozen=True)
class FileTask:
    """One file to enhance: paths as strings (tasks travel to other processes and nodes);
    ``overwrite`` an existing target; ``frames`` expected (progress), 0 when unknown."""

    source: str
    target: str
    kind: str
    overwrite: bool = False
    frames: int = 0


@dataclass(frozen=True)
class FileResult:
    """How a file ended: ``done``, ``failed`` (with ``error``, one line) or ``stopped`` (the
    batch was interrupted: nothing written)."""

    status: ResultStatus
    frames: int = 0
    seconds: float = 0.0
    fps: float = 0.0
    error: str = ""


OnResult = Callable[[int, FileResult], None]  # an engine's report: (task index, how it ended)
OnFrames = Callable[[int, int], None]  # (task index, frames written since the last report)


class Stopped(Exception):
    """Raised inside a running file job to end it because the batch is being interrupted."""


def one_line(exc: BaseException) -> str:
    """A one-line description of why a file failed."""
    if isinstance(exc, StageError) and isinstance(exc.error, UserError):
        exc = exc.error
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exc, (UserError, StageError)):
        return line or type(exc).__name__
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def partial_files(target: Path) -> list[Path]:
    """Temporary files a job writing ``target`` leaves if it is killed (``.name.partial-PID``)."""
    pattern = f".{glob.escape(target.stem)}.partial-*{glob.escape(target.suffix)}"
    return sorted(target.parent.glob(pattern)) if target.parent.is_dir() else []


class BatchWorker:
    """Loads ``config``'s model once (``threads`` for torch, the fused kernel and ONNX Runtime)
    and enhances files with it; the temporal state is reset between files."""

    def __init__(self, config: JobConfig, threads: int) -> None:
        from llie_video.video.stage_builder import build_stage

        self.stage = build_stage(config, threads)
        self.encoder = config.encoder
        self.stage.prepare()

    def run(self, task: FileTask, on_frames: Callable[[int], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> FileResult:
        """Enhance ``task``; ``on_frames(n)`` reports frames as they are written (from another
        thread); ``should_stop()`` true ends the job, its output unwritten."""
        should_stop = should_stop or (lambda: False)
        if should_stop():
            return FileResult("stopped")
        target = Path(task.target)
        began = time.monotonic()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for stale in partial_files(target):  # left by a killed run
                stale.unlink(missing_ok=True)
            self.stage.reset_temporal()
            frames = self._enhance(task, target, on_frames, should_stop)
        except Stopped:
            return FileResult("stopped")
        except StageError as exc:
            if isinstance(exc.error, Stopped):
                return FileResult("stopped")
            return FileResult("failed", seconds=time.monotonic() - began, error=one_line(exc))
        except Exception as exc:  # noqa: BLE001 - any failure is this file's, the batch goes on
            return FileResult("failed", seconds=time.monotonic() - began, error=one_line(exc))
        seconds = time.monotonic() - began
        return FileResult("done", frames, seconds, frames / seconds if seconds > 0 else 0.0)

    def _enhance(self, task: FileTask, target: Path, on_frames: Callable[[int], None] | None,
                 should_stop: Callable[[], bool]) -> int:
        source = Path(task.source)
        if task.kind == "image":
            from llie_video.images import enhance_image

            enhance_image(source, target, self.stage, task.overwrite)
            if on_frames is not None:
                on_frames(1)
            return 1
        from llie_video.video.job import enhance_video

        def frame_written(frame: Frame) -> None:
            if should_stop():
                raise Stopped
            if on_frames is not None:
                on_frames(1)

        result = enhance_video(source, target, self.stage, self.encoder, task.overwrite,
                               on_frame=frame_written)
        return result.frames

"""Live figures: frames out per second, latency and drops, from a running pipeline's counters.

One :class:`StatusMeter` serves the live job's once-a-second report (:meth:`StatusMeter.reporting`,
a thread of its own) and the preview's status bar (:meth:`StatusMeter.poll` on each frame).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llie_video.video.pipeline import PipelineStats


@dataclass(frozen=True)
class LiveStatus:
    """One report: frames out per second over the last interval, the latest latency, the
    frames dropped and written so far, and the source's reconnects."""

    fps: float
    latency_ms: float
    dropped: int
    frames: int
    reconnects: int


class StatusMeter:
    """Turns ``stats`` into a :class:`LiveStatus` every ``interval_s``; ``reconnects`` reads
    the source's reconnect count (0 for sources that never reconnect)."""

    def __init__(self, stats: PipelineStats, interval_s: float = 1.0,
                 reconnects: Callable[[], int] = lambda: 0) -> None:
        self.stats = stats
        self.interval_s = interval_s
        self.reconnects = reconnects
        self._lock = threading.Lock()
        self.restart()

    def restart(self) -> None:
        """Count rates from now on (not from, say, the model load before the run)."""
        with self._lock:
            self._last_time, self._last_frames = time.monotonic(), self.stats.frames_out

    def poll(self) -> LiveStatus | None:
        """The status over the interval just ended, or None while it is still running."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_time < self.interval_s:
                return None
            frames = self.stats.frames_out
            fps = (frames - self._last_frames) / (now - self._last_time)
            self._last_time, self._last_frames = now, frames
        return LiveStatus(fps=fps, latency_ms=1000 * self.stats.last_latency_s,
                          dropped=self.stats.dropped, frames=frames,
                          reconnects=self.reconnects())

    @contextmanager
    def reporting(self, report: Callable[[LiveStatus], None]) -> Iterator[None]:
        """Call ``report`` with each interval's status, from a thread of its own, while the
        ``with`` block runs."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(self.interval_s):
                status = self.poll()
                if status is not None:
                    report(status)

        thread = threading.Thread(target=run, name="llie-status", daemon=True)
        self.restart()
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

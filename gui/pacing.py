"""A source wrapper for previews: real-time pacing, pause, and a prompt stop.

:class:`~llie_video.video.sources.FileSource` decodes as fast as it can; a preview must show
frames at their own timestamps instead. Live sources (webcams, streams) arrive in real time and
are passed through unpaced; while paused their frames are read and discarded, so the stream stays
connected. Audio packets pass through unpaced, for recordings (the preview plays no sound); a
paused live source discards them with its frames.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace

import av

from llie_video.video.frame import Frame, Reset
from llie_video.video.sources import StreamInfo

_WAIT_S = 0.05  # longest uninterrupted wait, so that stop() acts promptly
_LATE_S = 0.5  # when further behind schedule than this, restart the schedule instead of racing


class PacedSource:
    """Iterate ``source`` at real-time speed (``paced``), with :meth:`pause` and :meth:`stop`.

    Frames leave with ``arrival`` set to the moment they are released, so latency figures measure
    the enhancer, not the pacing wait. It is a :class:`~llie_video.video.sources.Source` for the
    job runner: ``info`` describes ``source``; closing or interrupting it stops it (whoever
    opened ``source`` closes that).
    """

    def __init__(self, source: Iterable[object], paced: bool, info: StreamInfo | None = None
                 ) -> None:
        self.source = source
        self.paced = paced
        self._info = info
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        """End the iteration at the next frame or within ``_WAIT_S`` of a wait (any thread)."""
        self._stop.set()
        self._running.set()

    interrupt = stop
    close = stop

    def info(self) -> StreamInfo:
        """What ``source`` is (as given)."""
        if self._info is None:
            raise ValueError("this PacedSource was made without the source's StreamInfo")
        return self._info

    def __iter__(self) -> Iterator[Frame | Reset | av.Packet]:
        schedule: tuple[float, float] | None = None  # (wall clock, stream time) of a shown frame
        for item in self.source:
            if self._stop.is_set():
                return
            if isinstance(item, Reset):
                yield item
                continue
            if not isinstance(item, Frame):  # audio
                if self.paced or not self.paused:
                    yield item
                continue
            if self.paused:
                if not self.paced:
                    continue  # live: discard while paused
                self._wait_until_resumed()
                schedule = None
                if self._stop.is_set():
                    return
            if self.paced:
                schedule = self._wait_for(item, schedule)
                if self._stop.is_set():
                    return
            yield replace(item, arrival=time.monotonic())

    def _wait_until_resumed(self) -> None:
        while not self._running.wait(_WAIT_S):
            pass

    def _wait_for(self, frame: Frame, schedule: tuple[float, float] | None) -> tuple[float, float]:
        """Sleep until ``frame`` is due; returns the schedule for the next frame."""
        if frame.pts is None or frame.time_base is None:
            return schedule or (time.monotonic(), 0.0)
        stream_time = float(frame.pts * frame.time_base)
        now = time.monotonic()
        if schedule is None:
            return now, stream_time
        due = schedule[0] + (stream_time - schedule[1])
        if now - due > _LATE_S or due - now > 2 * _LATE_S:  # far behind, or a timestamp jump
            return now, stream_time
        while (left := due - time.monotonic()) > 0 and not self._stop.is_set():
            self._stop.wait(min(left, _WAIT_S))
        return schedule

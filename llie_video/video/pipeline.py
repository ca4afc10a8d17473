"""Threads joined by bounded queues: source -> enhance -> sink.

Each stage runs in its own thread. Queues are bounded, so a slow stage holds the faster ones back
(back-pressure: a file job never drops a frame). Every blocking ``put``/``get`` re-checks a stop
event, so no thread waits forever on a dead neighbour. The first exception in any stage stops all
stages and is re-raised from :meth:`Pipeline.run` as a :class:`StageError` naming the stage.
:meth:`Pipeline.stop` asks the source to end early: what was read is still enhanced and written,
so the output stays playable. The enhance thread may keep a frame or two in flight (a GPU copying
one frame while it computes the next, see ``FrameProcessor.overlap``); they leave in order, audio
behind them, and a live pipeline keeps none.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import av

from llie_video.errors import UserError
from llie_video.video.frame import Frame, Reset
from llie_video.video.frame_processor import FrameProcessor, PendingFrame

_END = object()  # end-of-stream sentinel
_POLL_S = 0.1


class StageError(RuntimeError):
    """A pipeline stage failed; ``stage`` names it and ``__cause__`` is the original error."""

    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"{stage} stage failed: {error}")
        self.stage = stage
        self.error = error


class FrameSink(Protocol):
    """What the output stage needs."""

    def write_video(self, frame: Frame) -> None: ...

    def write_audio(self, packet: av.Packet) -> None:
        """A packet of a kept track: audio, or subtitles (the name predates them)."""
        ...


@dataclass
class PipelineStats:
    """Counters updated while the pipeline runs (read them from any thread)."""

    frames_in: int = 0
    frames_out: int = 0
    dropped: int = 0
    started: float = field(default_factory=time.monotonic)  # reset when the run starts
    finished: float | None = None  # when the run ended
    last_latency_s: float = 0.0

    @property
    def fps(self) -> float:
        """Frames written per second of the run (so far, or in all once it has ended)."""
        elapsed = (self.finished or time.monotonic()) - self.started
        return self.frames_out / elapsed if elapsed > 0 else 0.0


class Pipeline:
    """Run ``source`` items through ``processor`` into ``sink`` on three threads.

    Args:
        source: yields :class:`Frame` and ``av.Packet`` objects (audio, subtitles) in demux
            order.
        processor: enhances the pixels of each frame.
        sink: receives enhanced frames and the packets, in the source's order.
        queue_size: capacity of each queue between stages.
        on_frame: called from the sink thread after each frame is written (progress).
        live: bounded latency instead of completeness: when the enhance stage falls behind, the
            oldest waiting frame is dropped (counted in ``stats.dropped``) instead of holding
            the source back; audio and markers pass without counting against ``queue_size``.
            File jobs leave it off: no frame is ever dropped.
        keep_original: frames reaching the sink carry their input pixels in ``original``.
        interrupt: called by :meth:`stop` to cut short a blocking wait of the source (a live
            stream's reconnect back-off), so that a stop is prompt.
    """

    def __init__(
        self,
        source: Iterable[Frame | av.Packet],
        processor: FrameProcessor,
        sink: FrameSink,
        queue_size: int = 8,
        on_frame: Callable[[Frame], None] | None = None,
        live: bool = False,
        keep_original: bool = False,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        self.source = source
        self.processor = processor
        self.sink = sink
        self.on_frame = on_frame
        self.live = live
        self.keep_original = keep_original
        self._interrupt = interrupt
        self.stats = PipelineStats()
        self._queue_size = queue_size
        # live: the bound applies to frames only (see _put_dropping_oldest), so the queue is open
        self._decoded: queue.Queue[object] = queue.Queue(maxsize=0 if live else queue_size)
        self._enhanced: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._abort = threading.Event()  # an error: every stage stops now
        self._finish = threading.Event()  # a stop request: the source ends, the rest drains
        self._errors: list[StageError] = []
        self._errors_lock = threading.Lock()

    @property
    def interrupted(self) -> bool:
        """Whether :meth:`stop` ended the run before the source was exhausted."""
        return self._finish.is_set()

    def stop(self) -> None:
        """End early: stop reading the source; frames already read are still written."""
        self._finish.set()
        if self._interrupt is not None:
            self._interrupt()

    def run(self) -> PipelineStats:
        """Run to the end (or until :meth:`stop`); re-raise the first stage error.

        A first Ctrl-C (KeyboardInterrupt in the calling thread) acts like :meth:`stop`: what was
        read is still written. A second one aborts at once and propagates.
        """
        # the clock starts here, not at construction: whatever runs in between (the first
        # run's kernel compile) is not the pipeline's time
        self.stats.started = time.monotonic()
        threads = [
            threading.Thread(target=self._guard, args=("decode", self._read), name="llie-decode"),
            threading.Thread(target=self._guard, args=("enhance", self._enhance), name="llie-enhance"),
            threading.Thread(target=self._guard, args=("encode", self._write), name="llie-encode"),
        ]
        for thread in threads:
            thread.start()
        try:
            try:
                _join_all(threads)
            except KeyboardInterrupt:
                self.stop()
                _join_all(threads)
        except BaseException:
            self._abort.set()
            for thread in threads:
                thread.join()
            raise
        finally:
            self.stats.finished = time.monotonic()
        if self._errors:
            first = self._errors[0]
            if isinstance(first.error, UserError):
                raise first.error
            raise first from first.error
        return self.stats

    # -- stages ---------------------------------------------------------------------------

    def _guard(self, name: str, body: Callable[[], None]) -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach run()
            with self._errors_lock:
                self._errors.append(StageError(name, exc))
            self._abort.set()

    def _put(self, q: queue.Queue[object], item: object) -> bool:
        while not self._abort.is_set():
            try:
                q.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _get(self, q: queue.Queue[object]) -> object:
        while not self._abort.is_set():
            try:
                return q.get(timeout=_POLL_S)
            except queue.Empty:
                continue
        return _END

    def _put_dropping_oldest(self, q: queue.Queue[object], item: object) -> bool:
        """Live mode: ``q`` holds at most ``queue_size`` frames; a frame beyond them drops the
        oldest waiting frame. Audio and markers never count, are never dropped nor reordered, and
        never push a frame out (an audio packet right behind each frame used to drop every frame
        the enhancer had not yet taken from a one-frame queue: the preview showed 4 frames of
        240). The source is never held back."""
        if self._abort.is_set():
            return False
        with q.mutex:  # Queue's documented lock; the consumer's get() sees the item as usual
            if isinstance(item, Frame):
                waiting = [entry for entry in q.queue if isinstance(entry, Frame)]
                if len(waiting) >= self._queue_size:
                    q.queue.remove(waiting[0])
                    self.stats.dropped += 1
            q.queue.append(item)
            q.unfinished_tasks += 1
            q.not_empty.notify()
        return True

    def _read(self) -> None:
        put = self._put_dropping_oldest if self.live else self._put
        try:
            for item in self.source:
                if self._finish.is_set() or not put(self._decoded, item):
                    break
                if isinstance(item, Frame):
                    self.stats.frames_in += 1
        finally:
            self._put(self._decoded, _END)

    def _enhance(self) -> None:
        # frames submitted and still in flight, and what came after them, in order
        waiting: deque[tuple[PendingFrame | None, object]] = deque()
        overlap = 0 if self.live else self.processor.overlap  # live: no frame waits for the next
        try:
            while (item := self._get(self._decoded)) is not _END:
                if isinstance(item, Reset):
                    if not self._hand_on(waiting, 0):
                        return
                    self.processor.reset_temporal()
                    continue
                if isinstance(item, Frame):
                    waiting.append((self.processor.submit_frame(item, self.keep_original), None))
                else:
                    waiting.append((None, item))
                if not self._hand_on(waiting, overlap):
                    return
            self._hand_on(waiting, 0)
        finally:
            self._put(self._enhanced, _END)

    def _hand_on(self, waiting: deque[tuple[PendingFrame | None, object]], overlap: int) -> bool:
        """Pass ``waiting`` items on in order until at most ``overlap`` frames are in flight
        (audio behind a frame in flight waits with it); False when the pipeline aborts."""
        in_flight = sum(pending is not None for pending, _ in waiting)
        while waiting and (waiting[0][0] is None or in_flight > overlap):
            pending, item = waiting.popleft()
            if pending is not None:
                item = pending.result()
                in_flight -= 1
            if not self._put(self._enhanced, item):
                return False
        return True

    def _write(self) -> None:
        while (item := self._get(self._enhanced)) is not _END:
            if isinstance(item, Frame):
                self.sink.write_video(item)
                self.stats.frames_out += 1
                self.stats.last_latency_s = time.monotonic() - item.arrival
                if self.on_frame is not None:
                    self.on_frame(item)
            else:
                self.sink.write_audio(item)  # type: ignore[arg-type]


def _join_all(threads: list[threading.Thread]) -> None:
    """Join ``threads`` in short waits, so the calling thread still sees Ctrl-C."""
    for thread in threads:
        while thread.is_alive():
            thread.join(_POLL_S)

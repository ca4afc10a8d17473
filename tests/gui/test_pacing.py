"""The preview's paced source: frames at their timestamps, pause and resume, a prompt stop.

Times are only ever bounded from below (a frame is not released before it is due): a slower
machine makes these tests take longer, never fail."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import numpy as np
import pytest

from gui.pacing import PacedSource
from llie_video.video.frame import Frame, Reset

RATE = 50  # frames per second of the test streams


def frame(i: int, pts: int | None = None) -> Frame:
    return Frame(image=np.zeros((2, 2, 3), np.uint8), pts=i if pts is None else pts,
                 time_base=Fraction(1, RATE), index=i)


class Watched:
    """A source that records which items were taken, and lets a test wait for the ``n``-th."""

    def __init__(self, items: list[object]) -> None:
        self.items = items
        self.taken = 0
        self._changed = threading.Condition()

    def __iter__(self):
        for item in self.items:
            with self._changed:
                self.taken += 1
                self._changed.notify_all()
            yield item

    def wait_taken(self, n: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.taken >= n, 30)


def test_frames_leave_no_earlier_than_their_timestamps():
    out = []
    for item in PacedSource([frame(i) for i in range(10)], paced=True):
        out.append((item.index, item.arrival, time.monotonic()))
    assert [i for i, _, _ in out] == list(range(10))
    first = out[0][1]
    for i, arrival, taken in out:
        # stamped on release (latency counts from there), and released when due at the earliest
        assert arrival <= taken
        assert arrival - first >= i / RATE - 1e-3


def test_a_timestamp_jump_restarts_the_schedule_instead_of_waiting():
    jump = [frame(0), frame(1), frame(2, pts=10_000 * RATE), frame(3, pts=10_000 * RATE + 1)]
    began = time.monotonic()
    assert [f.index for f in PacedSource(jump, paced=True)] == [0, 1, 2, 3]
    assert time.monotonic() - began < 1_000  # not the 10,000 s the timestamps say


def test_live_sources_are_not_paced_and_audio_passes_for_recordings():
    items = [frame(0, pts=0), "audio", Reset(), frame(1, pts=100 * RATE)]  # 100 s apart
    out = list(PacedSource(items, paced=False))
    assert [type(item).__name__ for item in out] == ["Frame", "str", "Reset", "Frame"]


def test_a_paused_file_waits_and_resumes_where_it_was():
    source = Watched([frame(i) for i in range(6)])
    paced = PacedSource(source, paced=True)
    out: list[int] = []
    finished = threading.Event()

    def consume() -> None:
        for item in paced:
            out.append(item.index)
            if item.index == 1:
                paced.pause()
        finished.set()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    source.wait_taken(3)  # frame 2 was read while paused: it is held, not shown nor dropped
    assert paced.paused and out == [0, 1] and not finished.is_set()
    paced.resume()
    assert finished.wait(30)
    assert out == [0, 1, 2, 3, 4, 5]


def test_a_paused_live_source_keeps_reading_and_discards():
    items = [frame(i) for i in range(5)] + ["audio", Reset(), frame(5)]
    paced = PacedSource(items, paced=False)
    paced.pause()
    out = list(paced)  # nothing waits: a live stream stays connected while paused
    assert [type(item).__name__ for item in out] == ["Reset"]


@pytest.mark.parametrize("pause", [True, False])
def test_stop_ends_a_pause_or_a_wait_without_the_next_frame(pause):
    # the second frame is due in 0.9 s (any later would count as a timestamp jump)
    paced = PacedSource([frame(0), frame(1, pts=int(0.9 * RATE))], paced=True)
    out = []
    first = threading.Event()

    def consume() -> None:
        for item in paced:
            out.append(item.index)
            if pause:
                paced.pause()
            first.set()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    assert first.wait(30)
    paced.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert out == [0]  # the waiting frame was not released: the stop ended the wait

"""One meter for live figures: the live job's once-a-second report and the preview's status."""

from __future__ import annotations

import threading
import time

import pytest

from llie_video.video import live_status
from llie_video.video.live_status import LiveStatus, StatusMeter
from llie_video.video.pipeline import PipelineStats


class _Clock:
    """Stands in for the meter's ``time``: it moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_poll_reports_once_per_interval_with_the_frames_of_that_interval(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(live_status, "time", clock)
    stats = PipelineStats(frames_out=10, dropped=2, last_latency_s=0.030)
    meter = StatusMeter(stats, interval_s=0.2, reconnects=lambda: 1)
    clock.now += 0.1
    assert meter.poll() is None  # the interval has not ended
    stats.frames_out = 20
    clock.now += 0.15
    status = meter.poll()
    assert status is not None and meter.poll() is None  # a new interval started
    assert status.frames == 20 and status.dropped == 2 and status.reconnects == 1
    assert status.latency_ms == 30.0
    assert status.fps == pytest.approx(10 / 0.25)  # ten frames in a quarter of a second


def test_reporting_calls_back_from_its_own_thread_until_the_block_ends():
    stats = PipelineStats()
    meter = StatusMeter(stats, interval_s=0.05)
    reports: list[tuple[LiveStatus, str]] = []
    with meter.reporting(lambda s: reports.append((s, threading.current_thread().name))):
        while len(reports) < 2:
            stats.frames_out += 1
            time.sleep(0.01)
    count = len(reports)
    time.sleep(0.15)
    assert len(reports) == count  # no report after the block
    assert all(name == "llie-status" for _, name in reports)
    assert reports[-1][0].frames <= stats.frames_out

"""Soak: a live RTSP job for a long time, its server restarted every few minutes, a frame rate
that varies; RSS, latency and drops printed per minute (not CI: run it by hand).

The served clip is dark, small and variable-rate (segments at 30, 12, 24 and 8 fps); the server
(tests/rtsp_server.py on loopback) replays it on each reconnect, so the job also reconnects at
the clip's end. The job runs as the CLI runs it (:func:`llie_video.video.job.run_live`,
default model, default stream options and reconnect policy) into a null sink.

    nice -n 10 python bench/soak.py --minutes 60 --size 320x240 [--restart-every 4]

Each row: the minute; RSS at its end (MiB); frames out; median and p95 latency (frame arrival ->
enhanced frame out, ms); frames dropped in that minute (and as a share of the frames that
arrived); reconnects and server restarts so far. The summary gives each figure's spread over the
minutes after the first, as a share of its median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from llie_video import create_model  # noqa: E402
from llie_video.enhance.stage import EnhanceStage  # noqa: E402
from llie_video.video.job import run_live  # noqa: E402
from llie_video.video.live_sources import StreamOptions  # noqa: E402
from llie_video.video.live_status import LiveStatus  # noqa: E402
from tests.helpers.rtsp import RtspServer  # noqa: E402

SEGMENTS = ((30, 10.0), (12, 10.0), (24, 10.0), (8, 10.0))  # (fps, seconds) of the served clip


def rss_mib() -> float:
    """This process's resident set size in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_variable_rate_clip(target: Path, width: int, height: int) -> Path:
    """A dark, noisy H.264 clip whose frame rate changes from segment to segment
    (:data:`SEGMENTS`), with a bright square moving across."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:height, 0:width]
    base = (12 + 10 * (xx / width)[..., None] * np.array([1.0, 0.8, 0.6])).astype(np.float32)
    with av.open(str(target), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.options = {"crf": "20", "preset": "veryfast", "g": "30"}
        t = 0.0
        for fps, seconds in SEGMENTS:
            for _ in range(int(fps * seconds)):
                image = base + rng.normal(0, 3, base.shape).astype(np.float32)
                x = int((t * 40) % max(1, width - 32))
                image[height // 3: height // 3 + 32, x: x + 32] += 60
                frame = av.VideoFrame.from_ndarray(np.clip(image, 0, 255).astype(np.uint8),
                                                   format="rgb24")
                frame.pts, frame.time_base = int(round(t * 1000)), Fraction(1, 1000)
                container.mux(stream.encode(frame))
                t += 1.0 / fps
        container.mux(stream.encode(None))
    return target


@dataclass
class Minute:
    """What one minute of the run saw."""

    latencies: list[float] = field(default_factory=list)
    rss: float = 0.0
    frames: int = 0
    dropped: int = 0
    arrived: int = 0


class Recorder:
    """Collects latencies per minute from the job's ``on_frame`` and counters from its
    once-a-second ``report``."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.minutes: list[Minute] = [Minute()]
        self._lock = threading.Lock()
        self._last: LiveStatus | None = None
        self.dropped_at_minute_start = 0
        self.frames_at_minute_start = 0

    def on_frame(self, frame) -> None:
        latency = time.monotonic() - frame.arrival
        with self._lock:
            self.minutes[-1].latencies.append(latency)

    def report(self, status: LiveStatus) -> None:
        with self._lock:
            self._last = status

    def close_minute(self, restarts: int) -> str:
        """End the current minute; its row."""
        with self._lock:
            minute = self.minutes[-1]
            status = self._last
            self.minutes.append(Minute())
        frames = status.frames if status else 0
        dropped = status.dropped if status else 0
        minute.rss = rss_mib()
        minute.frames = frames - self.frames_at_minute_start
        minute.dropped = dropped - self.dropped_at_minute_start
        minute.arrived = minute.frames + minute.dropped
        self.frames_at_minute_start, self.dropped_at_minute_start = frames, dropped
        index = len(self.minutes) - 1
        lat = sorted(minute.latencies) or [float("nan")]
        median = 1000 * statistics.median(lat)
        p95 = 1000 * lat[int(0.95 * (len(lat) - 1))]
        share = 100 * minute.dropped / max(minute.arrived, 1)
        return (f"{index:4d} {minute.rss:8.0f} {minute.frames:7d} {median:8.1f} {p95:8.1f} "
                f"{minute.dropped:6d} {share:5.1f}% {status.reconnects if status else 0:6d} "
                f"{restarts:5d}")


def spread(values: list[float]) -> str:
    """(max - min) / median, as a percentage."""
    values = [v for v in values if v == v]
    if not values:
        return "n/a"
    middle = statistics.median(values)
    return f"{100 * (max(values) - min(values)) / middle:.1f}%" if middle else "n/a"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=60.0, help="how long to run (default 60)")
    p.add_argument("--size", default="320x240", help="served frame size (default 320x240)")
    p.add_argument("--restart-every", type=float, default=4.0, metavar="MIN",
                   help="minutes between server restarts (default 4)")
    p.add_argument("--downtime", type=float, default=3.0, metavar="S",
                   help="seconds the server stays down at each restart (default 3)")
    args = p.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_variable_rate_clip(Path(tmp) / "soak.mp4", width, height)
        server = RtspServer(clip, audio=False)
        server.start()
        stage = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"),
                             kernel_threads=1)
        recorder = Recorder()
        done = threading.Event()
        restarts = 0

        def tick() -> None:
            nonlocal restarts
            next_restart = args.restart_every * 60
            minute = 1
            while not done.wait(0.2):
                elapsed = time.monotonic() - recorder.start
                if elapsed >= next_restart:
                    server.stop()
                    time.sleep(args.downtime)
                    server.start()
                    restarts += 1
                    next_restart += args.restart_every * 60
                if elapsed >= minute * 60:
                    print(recorder.close_minute(restarts), flush=True)
                    minute += 1

        print(f"soak: {args.minutes:g} min, {width}x{height}, segments "
              f"{', '.join(f'{f} fps' for f, _ in SEGMENTS)}, server restarted every "
              f"{args.restart_every:g} min for {args.downtime:g} s", flush=True)
        print(" min  RSS MiB  frames  med ms   p95 ms  dropped  share  reconn  restarts",
              flush=True)
        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            result = run_live(server.url, "null", stage, stream=StreamOptions(),
                              duration_s=args.minutes * 60, report=recorder.report,
                              on_frame=recorder.on_frame)
        finally:
            done.set()
            ticker.join()
            server.stop()
    closed = [m for m in recorder.minutes[1:-1] if m.frames]  # after the first minute
    print(f"done: {result.frames} frames, {result.stats.dropped} dropped, {restarts} restarts")
    if closed:
        medians = [statistics.median(m.latencies) for m in closed if m.latencies]
        print(f"spread after the first minute (max - min over the median): RSS "
              f"{spread([m.rss for m in closed])}, median latency {spread(medians)}, "
              f"frames a minute {spread([m.frames for m in closed])}")


if __name__ == "__main__":
    main()

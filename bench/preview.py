"""Preview benchmark: the preview window on a 720p 30 fps file (Qt offscreen), side by side with
the CLI's live path on the same file (``llie-video clip.mp4 null``), in one run.

Each round runs, on one dark 720p 30 fps clip (``llie-video sample``'s, H.264 + AAC):

(a) the CLI live path, as ``llie-video clip.mp4 null`` runs it (the file decoded as fast as it
    goes, frames dropped when the enhancer is behind): frames out per second and the median
    latency (frame decoded -> enhanced frame out);
(b) the preview: the main window at its default size, the clip played at its own pace: frames
    shown per second (frames that reached the window) and the median latency (frame released by
    the pacer -> frame delivered to the window, display conversion included), over the clip
    less its first second;
(c) with ``--rgb-route``, the preview as it ran before it took the fast path (frames decoded to
    RGB, the stage's RGB route, full-size pictures to the window), for comparison.

Prints each run, the share of the machine it got (``cores``: this process's CPU time over wall
time; 2 is all of a 2-core machine) and the ratios to (a) of the same round, and for the
preview the CPU time per frame shown by thread (what a frame costs, whatever the load: at 30 fps
a 2-core machine has 66 ms per frame); asserts nothing.
Figures vary between runs on shared machines: compare within a run.

    python bench/preview.py [--seconds 10] [--rounds 2] [--noise 1] [--rgb-route]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from PyQt6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

import gui.worker  # noqa: E402
from gui.sources import open_source  # noqa: E402
from gui.window import MainWindow  # noqa: E402
from llie_video import create_model  # noqa: E402
from llie_video.job_config import RuntimeConfig  # noqa: E402
from llie_video.sample import write_sample_clip  # noqa: E402
from llie_video.video.job import configure_cpu_threads  # noqa: E402
from llie_video.video.job import run_live  # noqa: E402
from llie_video.video.live_status import LiveStatus  # noqa: E402
from llie_video.enhance.stage import EnhanceStage  # noqa: E402

SETTLE_S = 1.0  # left out at the start of each preview run


@dataclass(frozen=True)
class Figures:
    fps: float
    latency_ms: float
    frames: int
    cores: float  # CPU time of this process over wall time: the share of the machine it got


def thread_cpu_s() -> dict[str, float]:
    """CPU seconds used so far by each live thread of this process (Linux): Python threads by
    name, the GUI thread as ``gui``, the rest (FFmpeg's codec threads, Qt's) together as
    ``codec and other``."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    names[threading.main_thread().native_id] = "gui"
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = defaultdict(float)
    for task in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{task}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        utime, stime = stat.rsplit(")", 1)[1].split()[11:13]
        used[names.get(int(task), "codec and other")] += (int(utime) + int(stime)) / ticks
    return used


class CpuShare:
    """This process's CPU time over wall time since construction."""

    def __init__(self) -> None:
        self._cpu, self._wall = time.process_time(), time.monotonic()

    def cores(self) -> float:
        return (time.process_time() - self._cpu) / (time.monotonic() - self._wall)


def cli_live_path(clip: Path) -> Figures:
    """``llie-video clip.mp4 null``: the CLI's default runtime, model and settings."""
    threads = RuntimeConfig().threads
    device = torch.device("cpu")
    configure_cpu_threads(device, threads)
    stage = EnhanceStage(create_model("default", pretrained=True), device,
                         kernel_threads=threads)
    stage.prepare()
    latencies: list[float] = []
    share = CpuShare()
    result = run_live(str(clip), "null", stage,
                      on_frame=lambda frame: latencies.append(time.monotonic() - frame.arrival))
    return Figures(result.stats.fps, 1000 * statistics.median(latencies), result.frames,
                   share.cores())


def run_events(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def preview(app: QApplication, clip: Path, seconds: float, folder: Path) -> Figures:
    """The window playing ``clip``; frames shown and their latency after the first second."""
    window = MainWindow(QSettings(str(folder / "gui.ini"), QSettings.Format.IniFormat))
    window.show()
    shown: list[tuple[float, float]] = []  # (delivered, latency) per frame
    window.controller.frame_ready.connect(
        lambda original, enhanced, frame: shown.append(
            (time.monotonic(), time.monotonic() - frame.arrival)))
    statuses: list[LiveStatus] = []  # twice a second: frames enhanced and dropped so far
    window.controller.stats_changed.connect(statuses.append)
    window.open_source(str(clip))
    deadline = time.monotonic() + 120  # the first run on a machine compiles the kernel
    while not shown and time.monotonic() < deadline:
        run_events(app, 0.05)
    run_events(app, 0.6)  # a first status
    share, threads_before, status_before = CpuShare(), thread_cpu_s(), statuses[-1]
    shown_before = len(shown)
    run_events(app, seconds - 1.5)
    cores, threads_after, status_after = share.cores(), thread_cpu_s(), statuses[-1]
    print_costs(threads_before, threads_after, status_before, status_after,
                len(shown) - shown_before)
    window.close()
    window.controller.wait_finished()
    start = shown[0][0] + SETTLE_S
    kept = [(t, latency) for t, latency in shown if t >= start]
    span = kept[-1][0] - start
    return Figures(len(kept) / span, 1000 * statistics.median(lat for _, lat in kept), len(kept),
                   cores)


def print_costs(before: dict[str, float], after: dict[str, float], status_before: LiveStatus,
                status_after: LiveStatus, shown: int) -> None:
    """What one frame costs the preview in CPU time, by job: decoding (per frame released by
    the pacer), enhancing (per frame enhanced), display conversion and the window (per frame
    shown); and what 30 fps of that would take."""
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    enhanced = status_after.frames - status_before.frames
    decoded = enhanced + status_after.dropped - status_before.dropped
    costs = {
        "decode": (used.get("codec and other", 0.0) + used.get("llie-preview-source", 0.0)
                   + used.get("llie-decode", 0.0)) / max(decoded, 1),
        "enhance": used.get("llie-enhance", 0.0) / max(enhanced, 1),
        "display": used.get("llie-encode", 0.0) / max(shown, 1),
        "window": used.get("gui", 0.0) / max(shown, 1),
    }
    print("      preview CPU ms per frame: " + ", ".join(
        f"{name} {1000 * cost:.1f}" for name, cost in costs.items())
        + f"; 30 fps of it takes {30 * sum(costs.values()):.2f} cores", flush=True)


def use_rgb_route() -> None:
    """Make the preview run as before its fast path: RGB frames, full-size pictures."""
    gui.worker.PreviewWorker._open_source = (  # type: ignore[method-assign]
        lambda self, spec: open_source(spec, decoded_frames=False))
    gui.worker.PreviewWorker.set_display_box = (  # type: ignore[method-assign]
        lambda self, box: None)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10.0, help="length of the clip")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--noise", type=float, default=1.0, help="the sample clip's sensor noise")
    p.add_argument("--rgb-route", action="store_true",
                   help="also run the preview as before its fast path")
    args = p.parse_args()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = write_sample_clip(folder / "clip720.mp4", args.seconds, 1280, 720, 30,
                                 noise=args.noise)
        cli_live_path(clip)  # loads (or compiles) the kernel; not counted
        print(f"{'round':>5s} {'run':28s} {'fps':>6s} {'median ms':>10s} {'frames':>7s} "
              f"{'cores':>6s} {'fps/CLI':>8s} {'ms/CLI':>7s}")
        runs = [("CLI live path (clip -> null)", lambda: cli_live_path(clip)),
                ("preview, shown", lambda: preview(app, clip, args.seconds, folder))]
        for round_ in range(1, args.rounds + 1):
            cli = None
            for name, run in runs:
                figures = run()
                cli = cli or figures
                print(f"{round_:5d} {name:28s} {figures.fps:6.1f} {figures.latency_ms:10.1f} "
                      f"{figures.frames:7d} {figures.cores:6.2f} {figures.fps / cli.fps:8.2f} "
                      f"{figures.latency_ms / cli.latency_ms:7.2f}", flush=True)
        if args.rgb_route:
            use_rgb_route()
            figures = preview(app, clip, args.seconds, folder)
            print(f"{'':5s} {'preview, RGB route (before)':28s} {figures.fps:6.1f} "
                  f"{figures.latency_ms:10.1f} {figures.frames:7d} {figures.cores:6.2f}")


if __name__ == "__main__":
    main()

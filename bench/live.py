"""Live benchmark over a real RTSP server on loopback (GStreamer, see tests/rtsp_server.py).

1. Latency: for each model, a 720p 30 fps stream -> llie-video (live mode) -> null sink; prints
   the median and p95 latency (frame arrival -> enhanced frame out) and the share of frames dropped.
2. Soak (``--soak S``): the default model on the same stream for S seconds (the served clip is
   replayed through reconnects), with the server killed and restarted in the middle; prints RSS
   at the start and the end, frames, drops and reconnects.

    python bench/live.py [--seconds 20] [--soak 600]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import torch

from llie_video import create_model
from llie_video.models.weights import Manifest
from llie_video.sample import write_sample_clip
from llie_video.video.job import run_live
from llie_video.video.live_sources import ReconnectPolicy, StreamOptions
from llie_video.enhance.stage import EnhanceStage

SERVER = Path(__file__).resolve().parents[1] / "tests" / "rtsp_server.py"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    def __init__(self, clip: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.clip, self.url, self.process = clip, f"rtsp://127.0.0.1:{self.port}/test", None

    def start(self) -> None:
        self.process = subprocess.Popen(["/usr/bin/python3", str(SERVER), str(self.clip), str(self.port)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def measure(url: str, model_name: str, seconds: float) -> tuple[float, float, float]:
    stage = EnhanceStage(create_model(model_name, pretrained=True), torch.device("cpu"))
    latencies: list[float] = []
    options = StreamOptions(reconnect=ReconnectPolicy(attempts=0))
    result = run_live(url, "null", stage, stream=options, duration_s=seconds,
                      on_frame=lambda f: latencies.append(time.monotonic() - f.arrival))
    latencies.sort()
    total = result.stats.frames_out + result.stats.dropped
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return 1000 * statistics.median(latencies), 1000 * p95, result.stats.dropped / max(total, 1)


def soak(server: Server, seconds: float) -> None:
    stage = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))
    options = StreamOptions(open_timeout_s=5, read_timeout_s=3,
                            reconnect=ReconnectPolicy(attempts=10, interval_s=0.5))
    start_rss = []

    def restart() -> None:
        time.sleep(seconds / 2)
        server.stop()
        time.sleep(3)
        server.start()

    threading.Thread(target=restart, daemon=True).start()
    statuses = []
    result = run_live(server.url, "null", stage, stream=options, duration_s=seconds,
                      report=lambda s: (statuses.append(s), start_rss or start_rss.append(rss_mib())))
    print(f"soak {seconds:.0f} s: RSS {start_rss[0]:.0f} MiB after 1 s -> {rss_mib():.0f} MiB at the end; "
          f"{result.frames} frames, {result.stats.dropped} dropped, "
          f"{statuses[-1].reconnects if statuses else 0} reconnects")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=20.0, help="length of the served clip and of each run")
    p.add_argument("--soak", type=float, default=0.0, help="soak duration in seconds (0: skip)")
    args = p.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_sample_clip(Path(tmp) / "live720.mp4", args.seconds, 1280, 720, 30)
        server = Server(clip)
        server.start()
        try:
            print(f"{'model':20s} {'median ms':>10s} {'p95 ms':>8s} {'dropped':>8s}")
            for name in sorted(Manifest.load().models):
                median, p95, dropped = measure(server.url, name, args.seconds - 2)
                print(f"{name:20s} {median:10.1f} {p95:8.1f} {100 * dropped:7.1f}%")
            if args.soak:
                soak(server, args.soak)
        finally:
            server.stop()


if __name__ == "__main__":
    main()

"""Live jobs against a real RTSP server (GStreamer's gst-rtsp-server on 127.0.0.1)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
import torch

from llie_video import UserError, create_model
from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.video.live_job import run_live
from llie_video.video import live_sources
from llie_video.video.live_sources import ReconnectPolicy, StreamOptions, WebcamSource
from llie_video.video.stage import EnhanceStage

SERVER = Path(__file__).resolve().parents[1] / "rtsp_server.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def _gstreamer_available() -> bool:
    probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_rtsp = pytest.mark.skipif(not _gstreamer_available(),
                                reason="GStreamer RTSP server not installed (scripts/setup-tests.sh installs it as root)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RtspServer:
    """Serves a clip at rtsp://127.0.0.1:PORT/test (or, with ``record``, accepts a published
    stream there into that .ts file); can be stopped and started again."""

    def __init__(self, clip: Path | None = None, record: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"rtsp://127.0.0.1:{self.port}/test"
        self.args = ["--record", str(record)] if record else [str(clip)]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([SYSTEM_PYTHON, str(SERVER), *self.args, str(self.port)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline().strip()
        assert line == "ready", f"RTSP server did not start: {line}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def rtsp_server(make_clip):
    server = RtspServer(make_clip("served.mp4", frames=120, size=(160, 96), fps=30))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stage():
    return EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@needs_rtsp
@pytest.mark.timeout(60)
def test_rtsp_in_file_out(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    statuses = []
    no_retry = StreamOptions(reconnect=ReconnectPolicy(attempts=0))
    result = run_live(rtsp_server.url, str(out), stage, stream=no_retry, report=statuses.append)
    frames = _frames(out)
    assert len(frames) == result.frames > 15  # a 4 s clip at 30 fps, minus live drops
    assert np.mean([f.mean() for f in frames]) > 60  # the served clip is ~25 of 255
    pts = [f.pts for f in av.open(str(out)).decode(video=0)]
    assert pts == sorted(pts)
    assert statuses and statuses[-1].latency_ms > 0


@needs_rtsp
@pytest.mark.timeout(60)
def test_rtsp_in_rtsp_out_read_back(rtsp_server, tmp_path, capsys):
    recording = tmp_path / "received.ts"
    media_server = RtspServer(record=recording)
    media_server.start()
    try:
        code = main([rtsp_server.url, media_server.url, "--reconnect-attempts", "0"])
    finally:
        time.sleep(0.5)
        media_server.stop()
    assert code == 0, capsys.readouterr().err
    frames = _frames(recording)  # what the media server received, read back by PyAV
    assert len(frames) > 15
    assert frames[0].shape == (96, 160, 3)
    assert np.mean([f.mean() for f in frames]) > 60


@needs_rtsp
@pytest.mark.timeout(90)
def test_server_restart_mid_stream_reconnects(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    pipelines, seen = [], []

    def restart_server():
        deadline = time.monotonic() + 30.0  # frames flowing (a cold machine takes a while)
        while not (pipelines and pipelines[0].stats.frames_out > 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        seen.append(pipelines[0].stats.frames_out)
        rtsp_server.stop()
        time.sleep(1.0)
        rtsp_server.start()

    threading.Thread(target=restart_server, daemon=True).start()
    options = StreamOptions(open_timeout_s=3, read_timeout_s=2,
                            reconnect=ReconnectPolicy(attempts=5, interval_s=0.5))
    result = run_live(rtsp_server.url, str(out), stage, stream=options, duration_s=8.0,
                      on_pipeline=pipelines.append)
    assert seen and 0 < seen[0] < result.frames  # the output kept growing after the restart
    assert len(_frames(out)) == result.frames


@pytest.mark.timeout(60)
def test_stop_while_reconnecting_is_prompt_and_keeps_the_recording(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    pipelines, stopped_at = [], []

    def lose_server_then_stop():
        time.sleep(1.5)
        rtsp_server.stop()  # stays down: the source backs off between attempts
        time.sleep(2.0)
        stopped_at.append(time.monotonic())
        pipelines[0].stop()

    threading.Thread(target=lose_server_then_stop, daemon=True).start()
    options = StreamOptions(open_timeout_s=1, read_timeout_s=1,
                            reconnect=ReconnectPolicy(attempts=8, interval_s=5.0))
    result = run_live(rtsp_server.url, str(out), stage, stream=options, on_pipeline=pipelines.append)
    assert time.monotonic() - stopped_at[0] < 3.0  # not the remaining ~40 s of back-off
    assert result.frames > 0 and len(_frames(out)) == result.frames


@pytest.mark.timeout(60)
def test_server_never_up_fails_cleanly(tmp_path, capsys):
    url = f"rtsp://127.0.0.1:{free_port()}/none"
    start = time.monotonic()
    code = main([url, str(tmp_path / "out.mp4"), "--reconnect-attempts", "2",
                 "--reconnect-interval", "0.2", "--timeout", "2"])
    assert code == EXIT_USER_ERROR
    assert time.monotonic() - start < 30
    assert "cannot open" in capsys.readouterr().err.strip().splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("decoded_frames", [True, False])
def test_webcam_yuv_frames_are_handed_over_as_4_2_0_planes(make_clip, monkeypatch, decoded_frames):
    """Webcams send 4:2:2 (yuyv422, MJPEG's yuvj422p): with ``decoded_frames`` it reaches the
    plane path as 4:2:0, else RGB. No camera here: a 4:2:2 clip stands in for the device, read
    through the same PyAV code."""
    clip = make_clip("camera.mkv", frames=3, pix_fmt="yuv422p", audio=False)
    monkeypatch.setattr(live_sources, "webcam_input", lambda device: (str(clip), "matroska"))
    source = WebcamSource("0", decoded_frames=decoded_frames)
    try:
        frames = [frame for _, frame in zip(range(3), source)]
    finally:
        source.close()
    if decoded_frames:
        assert [f.decoded.format.name for f in frames] == ["yuv420p"] * 3
    else:
        assert all(f.decoded is None and f.rgb.shape == (64, 96, 3) for f in frames)


def test_missing_webcam_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(UserError, match="cannot open webcam 9"):
        WebcamSource("9")
    assert main(["webcam:9", str(tmp_path / "out.mp4")]) == EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("llie-video: error: cannot open webcam 9")

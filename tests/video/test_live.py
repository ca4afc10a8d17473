"""Live jobs against a real RTSP server (GStreamer's gst-rtsp-server on 127.0.0.1).

No test sleeps for a guessed time: each waits for what it needs (frames written, a log line
saying the source is backing off) through events, so a slow or fast machine, or a cold kernel
cache, changes only how long they take."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import av
import pytest
import torch

from llie_video import UserError, create_model
from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.video import live_sources
from llie_video.video.job import run_live
from llie_video.video.live_sources import ReconnectPolicy, StreamOptions, WebcamSource
from llie_video.video.pipeline import Pipeline
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.clips import decoded_rgb, decoded_times
from tests.helpers.rtsp import RtspServer, needs_rtsp
from tests.helpers.waiting import FrameCounter, log_watch, wait_for

SOURCE_LOG = "llie_video.video.live_sources"


@pytest.fixture(scope="module")
def stage():
    return EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))


class Meanwhile:
    """Runs ``body(pipeline)`` on a thread once the live job's pipeline exists; whatever it
    raises is re-raised by :meth:`check`, and stops the pipeline so that the job ends."""

    def __init__(self, body: Callable[[Pipeline], None]) -> None:
        self.body = body
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def __call__(self, pipeline: Pipeline) -> None:  # run_live's on_pipeline
        def run() -> None:
            try:
                self.body(pipeline)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                self.error = exc
                pipeline.stop()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def check(self) -> None:
        assert self.thread is not None, "the job never built its pipeline"
        self.thread.join(30)
        if self.error is not None:
            raise self.error


@needs_rtsp
def test_rtsp_in_file_out(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    statuses = []
    no_retry = StreamOptions(reconnect=ReconnectPolicy(attempts=0))
    result = run_live(rtsp_server.url, str(out), stage, stream=no_retry, report=statuses.append)
    frames = decoded_rgb(out)
    assert len(frames) == result.frames > 0
    # every frame that arrived was either written or dropped to keep the latency bounded
    assert result.frames + result.stats.dropped == result.stats.frames_in
    assert sum(f.mean() for f in frames) / len(frames) > 60  # the served clip is ~25 of 255
    times = decoded_times(out)
    assert times == sorted(set(times))  # strictly increasing
    assert not statuses or statuses[-1].latency_ms > 0  # a report a second (the job may be shorter)


def _readable_frames(path) -> int:
    """Frames that decode from a file still being written (0 while it is not readable yet)."""
    try:
        return len(decoded_rgb(path))
    except (OSError, av.FFmpegError):
        return 0


@needs_rtsp
def test_rtsp_in_rtsp_out_read_back(rtsp_server, tmp_path, capsys):
    recording = tmp_path / "received.ts"
    media_server = RtspServer(record=recording)
    media_server.start()
    try:
        code = main([rtsp_server.url, media_server.url, "--reconnect-attempts", "0"])
        err = capsys.readouterr().err
        assert code == 0, err
        published = int(err.split("done: ")[1].split()[0])
        # the media server writes what it receives as it arrives, but with the AAC track now
        # published too, GStreamer's recorder holds back up to a second of video while it
        # interleaves: wait for all but that second
        wait_for(lambda: _readable_frames(recording) >= published - 30,
                 f"the {published} published frames (but the last second) in the recording",
                 timeout_s=30)
    finally:
        media_server.stop()
    frames = decoded_rgb(recording)  # what the media server received, read back by PyAV
    assert published > 30 and published - 30 <= len(frames) <= published
    assert frames[0].shape == (96, 160, 3)
    assert sum(f.mean() for f in frames) / len(frames) > 60


@needs_rtsp
def test_server_restart_mid_stream_reconnects_with_monotonic_timestamps(rtsp_server, tmp_path,
                                                                       stage):
    out = tmp_path / "live.mp4"
    written = FrameCounter()
    before_restart = []

    def restart_server_then_stop(pipeline: Pipeline) -> None:
        before_restart.append(written.wait_until(10))
        rtsp_server.stop()  # connections drop: the source reconnects
        rtsp_server.start()  # same port, same URL; serves the clip from its start again
        written.wait_until(before_restart[0] + 10)  # the output keeps growing after it
        pipeline.stop()

    meanwhile = Meanwhile(restart_server_then_stop)
    options = StreamOptions(open_timeout_s=10, read_timeout_s=10,
                            reconnect=ReconnectPolicy(attempts=5, interval_s=0.2))
    result = run_live(rtsp_server.url, str(out), stage, stream=options, on_frame=written,
                      on_pipeline=meanwhile)
    meanwhile.check()
    assert result.interrupted and result.frames >= before_restart[0] + 10
    times = decoded_times(out)
    assert len(times) == result.frames
    # the server restarted its timestamps at 0; the output's stay strictly increasing
    assert times == sorted(set(times))


@needs_rtsp
def test_stop_while_backing_off_is_prompt_and_keeps_the_recording(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    written = FrameCounter()
    back_off_s = 300.0  # what a stop that is not prompt would wait for
    stopped_at = []

    with log_watch(SOURCE_LOG, "retrying in") as retrying:

        def lose_server_then_stop(pipeline: Pipeline) -> None:
            written.wait_until(5)
            rtsp_server.stop()  # stays down: the source waits between attempts
            assert retrying.event.wait(60), "the source never started backing off"
            stopped_at.append(time.monotonic())
            pipeline.stop()

        meanwhile = Meanwhile(lose_server_then_stop)
        options = StreamOptions(open_timeout_s=5, read_timeout_s=5,
                                reconnect=ReconnectPolicy(attempts=3, interval_s=back_off_s))
        result = run_live(rtsp_server.url, str(out), stage, stream=options, on_frame=written,
                          on_pipeline=meanwhile)
        meanwhile.check()
    # one failed attempt (refused, or cut short while the server went down), then the wait
    assert len(retrying.messages) == 1
    assert retrying.messages[0].startswith(f"{rtsp_server.url}: ")
    assert retrying.messages[0].endswith("; retrying in 300.0 s")
    assert time.monotonic() - stopped_at[0] < back_off_s / 5  # it did not sit out the wait
    assert result.interrupted and result.frames >= 5
    assert len(decoded_rgb(out)) == result.frames


@needs_rtsp
def test_stream_lost_for_good_reports_it_and_keeps_the_recording(rtsp_server, tmp_path, stage):
    out = tmp_path / "live.mp4"
    written = FrameCounter()

    def lose_server(pipeline: Pipeline) -> None:
        written.wait_until(10)
        rtsp_server.stop()  # and it never comes back

    meanwhile = Meanwhile(lose_server)
    options = StreamOptions(open_timeout_s=5, read_timeout_s=5,
                            reconnect=ReconnectPolicy(attempts=2, interval_s=0.05))
    with pytest.raises(UserError, match=f"cannot reconnect to {rtsp_server.url}"):
        run_live(rtsp_server.url, str(out), stage, stream=options, on_frame=written,
                 on_pipeline=meanwhile)
    meanwhile.check()
    assert len(decoded_rgb(out)) >= 10  # what arrived before the loss, playable
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.mp4", "served.mp4"]


def test_server_never_up_backs_off_then_fails_cleanly(refused_url, tmp_path, capsys):
    started = time.monotonic()
    with log_watch(SOURCE_LOG, "retrying in") as retrying:
        code = main([refused_url, str(tmp_path / "out.mp4"), "--reconnect-attempts", "3",
                     "--reconnect-interval", "0.1", "--timeout", "2"])
    assert code == EXIT_USER_ERROR
    # each wait twice the one before, and the waits did happen
    assert [m.rsplit("retrying in ", 1)[1] for m in retrying.messages] == [
        "0.1 s", "0.2 s", "0.4 s"]
    assert time.monotonic() - started >= 0.1 + 0.2 + 0.4
    assert "cannot open" in capsys.readouterr().err.strip().splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


def test_reconnect_policy_backs_off_exponentially_up_to_its_cap():
    policy = ReconnectPolicy(attempts=6, interval_s=0.5, backoff=3.0, max_interval_s=5.0)
    assert list(policy.delays()) == [0.5, 1.5, 4.5, 5.0, 5.0, 5.0]
    assert list(ReconnectPolicy(attempts=0).delays()) == []


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


def test_a_webcam_that_disappears_is_reported_and_reopened(make_clip, monkeypatch, tmp_path):
    """No camera here: a clip stands in for the device (read through the same PyAV code); its
    end is the camera going away, its file moved aside the device missing while retried."""
    clip = make_clip("camera.mkv", frames=4, audio=False)
    aside = tmp_path / "unplugged.mkv"
    monkeypatch.setattr(live_sources, "webcam_input", lambda device: (str(clip), "matroska"))
    source = WebcamSource("0", live_sources.WebcamOptions(
        reconnect=ReconnectPolicy(attempts=3, interval_s=0.05)))
    said: list[str] = []

    def listen(text: str) -> None:
        said.append(text)
        if "retrying" in text:
            aside.rename(clip)  # plugged back in

    source.reconnection.on_status = listen
    items = []
    try:
        for item in source:
            items.append(item)
            if len(items) == 4:
                clip.rename(aside)  # unplugged: the open device reads on to its end
            if len(items) == 9:
                break
    finally:
        source.close()
    assert [type(i).__name__ for i in items] == ["Frame"] * 4 + ["Reset"] + ["Frame"] * 4
    assert source.reconnects == 1
    assert said[0] == "webcam:0: the camera stopped delivering frames; reconnecting"
    assert said[1].startswith("webcam:0: cannot open webcam 0") and "retrying in" in said[1]
    assert said[2:] == ["webcam:0: reconnected"]


def test_a_webcam_lost_for_good_ends_with_one_line(make_clip, monkeypatch, tmp_path):
    clip = make_clip("camera.mkv", frames=3, audio=False)
    monkeypatch.setattr(live_sources, "webcam_input", lambda device: (str(clip), "matroska"))
    source = WebcamSource("0", live_sources.WebcamOptions(
        reconnect=ReconnectPolicy(attempts=1, interval_s=0.01)))
    with pytest.raises(UserError, match="cannot reconnect to webcam:0"):
        for i, _ in enumerate(source):
            if i == 0:
                clip.unlink()
    source.close()

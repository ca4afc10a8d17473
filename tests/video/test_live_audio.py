"""Live recordings keep the source's audio: an RTSP camera with an AAC track (the real RTSP
server, tests/rtsp_server.py) and a file played live, remuxed as the file job does."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest
import torch

from llie_video import create_model
from llie_video.cli import main
from llie_video.video.job import run_live
from llie_video.video.live_sources import ReconnectPolicy, StreamOptions
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.rtsp import RtspServer, needs_rtsp
from tests.helpers.waiting import wait_for

NO_RETRY = StreamOptions(reconnect=ReconnectPolicy(attempts=0))


@pytest.fixture(scope="module")
def stage():
    return EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"))


def audio_packets(path: Path) -> list[tuple[int, bytes]]:
    """``(pts, payload)`` of every audio packet of ``path``, in the audio stream's time base."""
    with av.open(str(path)) as container:
        return [(p.pts, bytes(p)) for p in container.demux(audio=0) if p.dts is not None]


def video_span_s(path: Path) -> tuple[float, float]:
    """The times of the first and the last video frame of ``path``."""
    with av.open(str(path)) as container:
        times = [float(f.pts * f.time_base) for f in container.decode(video=0)]
    return times[0], times[-1]


def audio_time_base(path: Path) -> Fraction:
    with av.open(str(path)) as container:
        return container.streams.audio[0].time_base


def readable_audio_packets(path: Path) -> list[tuple[int, bytes]]:
    """:func:`audio_packets` of a file still being written (none while it is not readable)."""
    try:
        return audio_packets(path)
    except (OSError, av.FFmpegError, IndexError):
        return []


def assert_contiguous_run(recorded: list[bytes], source: list[bytes], at_least: float) -> None:
    """``recorded`` is ``source`` from some packet on, unchanged, with at most the last
    ``1 - at_least`` of it missing."""
    assert recorded, "the recording has no audio"
    start = source.index(recorded[0])
    assert recorded == source[start:start + len(recorded)]
    assert len(recorded) >= at_least * len(source)


@needs_rtsp
def test_rtsp_recording_keeps_the_aac_track(make_clip, tmp_path, stage):
    clip = make_clip("served.mp4", frames=120, size=(160, 96), fps=30)
    server = RtspServer(clip)
    server.start()
    try:
        out = tmp_path / "live.mp4"
        result = run_live(server.url, str(out), stage, stream=NO_RETRY)
    finally:
        server.stop()
    assert result.frames > 0
    source, recorded = audio_packets(clip), audio_packets(out)
    assert_contiguous_run([p for _, p in recorded], [p for _, p in source], at_least=0.9)
    # the source's timing: the packets keep their spacing (1024 samples of 16 kHz AAC, give or
    # take the tick FFmpeg's RTP clock sync rounds off) ...
    assert audio_time_base(out) == Fraction(1, 16000)
    gaps = [b[0] - a[0] for a, b in zip(recorded, recorded[1:])]
    assert all(abs(g - 1024) <= 1 for g in gaps), [(i, g) for i, g in enumerate(gaps) if abs(g - 1024) > 1]
    # ... and their place beside the video: the frames written (the live job drops some when
    # behind) lie within the audio's span, as they did in the source (LiveTimeline's tests
    # check the offsets themselves)
    first, last = video_span_s(out)
    assert recorded[0][0] / 16000 - 0.1 <= first <= last <= (recorded[-1][0] + 1024) / 16000 + 0.1


@needs_rtsp
def test_rtsp_published_stream_carries_the_audio(make_clip, tmp_path, capsys):
    clip = make_clip("served.mp4", frames=120, size=(160, 96), fps=30)
    server, received = RtspServer(clip), tmp_path / "received.ts"
    media_server = RtspServer(record=received)
    server.start()
    media_server.start()
    audio = Path(f"{received}.aac")
    source = audio_packets(clip)
    try:
        code = main([server.url, media_server.url, "--reconnect-attempts", "0", "-q"])
        assert code == 0, capsys.readouterr().err
        # the media server writes what it receives as it arrives: wait for most of it
        wait_for(lambda: len(readable_audio_packets(audio)) >= 0.8 * len(source),
                 "the published audio in the media server's file", timeout_s=30)
    finally:
        server.stop()
        media_server.stop()
    # the media server wrote the AAC it received as ADTS: the payloads behind the headers
    published = [p[7:] for _, p in audio_packets(audio)]
    assert_contiguous_run(published, [p for _, p in source], at_least=0.8)


def test_file_played_live_keeps_its_audio_packets_and_timestamps(make_clip, tmp_path, stage):
    clip = make_clip(frames=48, size=(96, 64), fps=24)
    out = tmp_path / "live.mp4"
    run_live(str(clip), str(out), stage)
    assert audio_packets(out) == audio_packets(clip)

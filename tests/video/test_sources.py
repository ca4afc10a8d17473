"""File sources: what they say about a file, frames and audio packets in demux order with their
timing, as RGB or as the 4:2:0 planes the enhance stage reads, and audio that outlives them."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from llie_video import UserError
from llie_video.video.frame import Frame
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import FileSource, is_url
from tests.helpers.clips import decoded_times


def test_files_that_are_not_videos_are_refused(tmp_path):
    with pytest.raises(UserError, match="input not found"):
        FileSource(tmp_path / "none.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(UserError, match="cannot open .*notes.mp4 as a video"):
        FileSource(text)
    sound = tmp_path / "sound.m4a"
    with av.open(str(sound), "w") as container:
        stream = container.add_stream("aac", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                           layout="mono")
        frame.sample_rate, frame.pts = 16000, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(UserError, match="sound.m4a has no video stream"):
        FileSource(sound)


def test_info_describes_the_file(make_clip):
    clip = make_clip(frames=12, size=(96, 64), fps=24, audio=True)
    with FileSource(clip) as source:
        info = source.info()
    assert (info.width, info.height, info.rate, info.frames) == (96, 64, Fraction(24), 12)
    assert info.audio is not None and info.name == str(clip)


def test_frames_and_audio_come_in_demux_order_with_their_timing(make_clip):
    clip = make_clip(frames=12, pts=[0, 10, 35, 40, 90, 100, 120, 130, 150, 160, 170, 200],
                     time_base=Fraction(1, 100), fps=25, rotation=90)
    with FileSource(clip) as source:
        items = list(source)
    with av.open(str(clip)) as container:
        demuxed = [p.stream.type for p in container.demux() if p.dts is not None]
    frames = [item for item in items if isinstance(item, Frame)]
    audio = [item for item in items if isinstance(item, av.Packet)]
    assert [f.index for f in frames] == list(range(12))
    assert [f.pts * f.time_base for f in frames] == decoded_times(clip)  # VFR kept
    assert all(f.rotation == 90 and f.rgb.shape == (64, 96, 3) for f in frames)
    assert all(p.dts is not None for p in audio) and len(audio) == demuxed.count("audio")
    # audio packets are not held back behind frames (the decoder's delay aside)
    first_frame = next(i for i, item in enumerate(items) if isinstance(item, Frame))
    assert any(isinstance(item, av.Packet) for item in items[first_frame:])


@pytest.mark.parametrize("pix_fmt, handed_over", [("yuv420p", "yuv420p"), ("yuv444p", "yuv420p"),
                                                  ("yuv422p10le", "yuv420p10le")])
def test_decoded_frames_are_handed_over_as_4_2_0_planes(make_clip, pix_fmt, handed_over):
    clip = make_clip(f"{pix_fmt}.mkv", frames=3, pix_fmt=pix_fmt, audio=False)
    with FileSource(clip, decoded_frames=True) as source:
        frames = [item for item in source if isinstance(item, Frame)]
    assert [f.decoded.format.name for f in frames] == [handed_over] * 3
    with FileSource(clip) as source:
        as_rgb = [item for item in source if isinstance(item, Frame)]
    assert all(f.decoded is None for f in as_rgb)
    # the same pictures either way (to FFmpeg's conversion and the chroma averaging)
    for planes, rgb in zip(frames, as_rgb):
        assert np.abs(planes.rgb.astype(int) - rgb.rgb.astype(int)).mean() < 2


def test_rgb_video_is_handed_over_as_rgb(make_clip):
    clip = make_clip("rgb.mkv", frames=2, codec="libx264rgb", pix_fmt="rgb24", audio=False)
    with FileSource(clip, decoded_frames=True) as source:
        frames = [item for item in source if isinstance(item, Frame)]
    assert len(frames) == 2 and all(f.decoded is None for f in frames)


@pytest.mark.parametrize("name, url", [
    ("rtsp://camera/stream", True), ("http://host/live.m3u8", True), ("srt://1.2.3.4:9000", True),
    ("clip.mp4", False), ("C://videos/clip.mp4", False), ("dir/a://b.mp4", False),
    ("://x", False),
])
def test_is_url(name, url):
    assert is_url(name) == url


def test_a_sink_opened_after_the_source_closed_remuxes_its_audio(make_clip, tmp_path):
    """The audio a sink remuxes stays usable after the source closed (a preview recording
    started at the end of a file, a stream that reconnected)."""
    clip = make_clip(frames=24)
    with FileSource(clip) as source:
        info = source.info()
        items = list(source)
    # the source (and its container) is closed: only what it handed over is left
    sink = FileSink(tmp_path / "late.mp4", info, EncoderSettings())
    for item in items:
        (sink.write_video if isinstance(item, Frame) else sink.write_audio)(item)
    sink.close()
    with av.open(str(clip)) as original, av.open(str(tmp_path / "late.mp4")) as written:
        expected = [(p.pts, bytes(p)) for p in original.demux(audio=0) if p.dts is not None]
        got = [(p.pts, bytes(p)) for p in written.demux(audio=0) if p.dts is not None]
        assert written.streams.audio[0].time_base == original.streams.audio[0].time_base
    assert got == expected

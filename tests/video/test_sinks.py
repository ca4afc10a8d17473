"""Video sinks: encoder settings, files written under a temporary name, colour tags that say
how the samples were encoded, audio muxed behind the first frame."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from llie_video import UserError
from llie_video.enhance.av_planes import yuv420_planes
from llie_video.video.frame import Frame
from llie_video.video.sinks import EncoderSettings, FileSink, NullSink, StreamSink
from llie_video.video.sources import FileSource, StreamInfo
from tests.helpers.clips import x264_settings

TIME_BASE = Fraction(1, 25)


def _info(width: int = 64, height: int = 48, pix_fmt: str = "yuv420p") -> StreamInfo:
    return StreamInfo(width=width, height=height, time_base=TIME_BASE, rate=Fraction(25),
                      frames=0, streams=(), name="test", pix_fmt=pix_fmt)


def _rgb_frames(count: int, size: tuple[int, int] = (48, 64)) -> list[Frame]:
    rng = np.random.default_rng(0)
    return [Frame(image=rng.integers(0, 255, (*size, 3), dtype=np.uint8), pts=i,
                  time_base=TIME_BASE, index=i) for i in range(count)]


def _write(target: Path, frames: list[Frame], encoder: EncoderSettings | None = None,
           info: StreamInfo | None = None) -> FileSink:
    sink = FileSink(target, info or _info(), encoder or EncoderSettings())
    for frame in frames:
        sink.write_video(frame)
    sink.close(keep=True)
    return sink


def test_encoder_settings_are_checked():
    with pytest.raises(ValueError, match="crf must be within 0..63"):
        EncoderSettings(crf=64)


def test_the_file_appears_under_its_name_only_when_complete(tmp_path):
    target = tmp_path / "out.mp4"
    sink = FileSink(target, _info(), EncoderSettings())
    for frame in _rgb_frames(5):
        sink.write_video(frame)
    assert not target.exists()
    sink.close(keep=True)
    assert target.exists() and not sink.temp.exists()
    with av.open(str(target)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 5 == sink.frames_written


@pytest.mark.parametrize("frames, keep", [(3, False), (0, True)])
def test_a_discarded_or_empty_file_leaves_nothing(tmp_path, frames, keep):
    target = tmp_path / "out.mp4"
    sink = FileSink(target, _info(), EncoderSettings())
    for frame in _rgb_frames(frames):
        sink.write_video(frame)
    sink.close(keep=keep)
    sink.close(keep=keep)  # a second close does nothing
    assert list(tmp_path.iterdir()) == []


def test_rgb_frames_are_tagged_as_ffmpeg_encodes_them(tmp_path):
    """FFmpeg converts RGB to BT.601 limited-range YUV: the file says so."""
    target = _write(tmp_path / "rgb.mp4", _rgb_frames(2)).target
    with av.open(str(target)) as container:
        codec = container.streams.video[0].codec_context
        assert (int(codec.colorspace), int(codec.color_range)) == (6, 1)
        assert codec.pix_fmt == "yuv420p"


def test_plane_frames_keep_the_tags_of_their_samples(tmp_path):
    frames = []
    for i in range(2):
        decoded = av.VideoFrame(64, 48, "yuv420p")
        decoded.colorspace, decoded.color_range = 1, 2  # BT.709, full range
        decoded.color_primaries, decoded.color_trc = 1, 1
        for plane in yuv420_planes(decoded):
            plane[...] = 100
        frames.append(Frame(image=decoded, pts=i, time_base=TIME_BASE, index=i))
    target = _write(tmp_path / "planes.mkv", frames).target
    with av.open(str(target)) as container:
        codec = container.streams.video[0].codec_context
        assert (int(codec.colorspace), int(codec.color_range)) == (1, 2)
        assert (int(codec.color_primaries), int(codec.color_trc)) == (1, 1)


def test_odd_sizes_are_encoded_as_4_4_4(tmp_path):
    target = _write(tmp_path / "odd.mkv", _rgb_frames(2, (37, 51)),
                    info=_info(width=51, height=37)).target
    with av.open(str(target)) as container:
        codec = container.streams.video[0].codec_context
        assert (codec.pix_fmt, codec.width, codec.height) == ("yuv444p", 51, 37)


def test_encoder_options_reach_x264(tmp_path):
    file = _write(tmp_path / "file.mkv", _rgb_frames(3), EncoderSettings(crf=27)).target
    live = _write(tmp_path / "live.mkv", _rgb_frames(3),
                  EncoderSettings(crf=27, preset="ultrafast", zero_latency=True)).target
    assert " crf=27.0 " in x264_settings(file) and " bframes=3 " in x264_settings(file)
    live_settings = x264_settings(live)
    # zero latency: no B-frames, no lookahead, a keyframe a second (25 fps)
    assert " bframes=0 " in live_settings and "rc_lookahead" not in live_settings
    assert " keyint=25 " in live_settings and " crf=27.0 " in live_settings


def test_audio_before_the_first_frame_is_muxed_behind_it(make_clip, tmp_path):
    src = make_clip(frames=6)
    target = tmp_path / "out.mkv"
    with FileSource(src) as source:
        packets = [item for item in source if isinstance(item, av.Packet)]
        sink = FileSink(target, source.info(), EncoderSettings())
        for packet in packets:  # all of the audio arrives before any frame
            sink.write_audio(packet)
        for frame in _rgb_frames(6, (64, 96)):
            sink.write_video(frame)
        sink.close(keep=True)
    with av.open(str(target)) as container:
        kept = [bytes(p) for p in container.demux(audio=0) if p.dts is not None]
    with av.open(str(src)) as container:
        original = [bytes(p) for p in container.demux(audio=0) if p.dts is not None]
    assert kept == original


def test_null_sink_counts():
    sink = NullSink()
    for frame in _rgb_frames(4):
        sink.write_video(frame)
    sink.close()
    assert sink.frames_written == 4


def test_stream_sink_refuses_schemes_it_cannot_publish_to():
    with pytest.raises(UserError, match="cannot publish to http://example/x: use one of rtmp"):
        StreamSink("http://example/x", _info(), EncoderSettings())

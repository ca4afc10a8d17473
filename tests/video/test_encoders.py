"""Encoder settings as one FFmpeg encoder takes them: the pixel format (8 or 10 bits, as asked
or as the input is), ``crf`` as the encoder's own quality option, its banner kept quiet; checked
on real files where the encoder writes its settings into the stream."""

from __future__ import annotations

import re
from fractions import Fraction

import av
import pytest

from llie_video import UserError
from llie_video.video.encoders import (
    EncoderSettings,
    choose_pix_fmt,
    encoder_options,
    plan_video,
    quality_options,
)
from llie_video.video.frame import Frame
from llie_video.video.sinks import FileSink
from llie_video.video.sources import StreamInfo
from tests.helpers.clips import dark_frames


def _codec(name: str) -> av.Codec:
    return av.Codec(name, "w")


@pytest.mark.parametrize(("codec", "input_bits", "bit_depth", "odd", "expected"), [
    ("libx264", 8, None, False, "yuv420p"),
    ("libx265", 10, None, False, "yuv420p10le"),  # 10-bit input stays 10-bit
    ("libsvtav1", 10, None, False, "yuv420p10le"),
    ("libx264", 10, None, False, "yuv420p10le"),
    ("libvpx-vp9", 10, None, False, "yuv420p"),  # this build's VP9 has no 10-bit: 8
    ("libx265", 8, 10, False, "yuv420p10le"),  # asked for
    ("libx265", 10, 8, False, "yuv420p"),
    ("libx264", 8, None, True, "yuv444p"),  # odd sizes
    ("libx265", 10, None, True, "yuv444p10le"),
    ("h264_nvenc", 10, None, False, "p010le"),  # hardware: its own 10-bit layout first
    ("prores_ks", 8, None, False, "yuv422p10le"),  # an encoder of its own kind
])
def test_pixel_format_follows_the_input_and_the_encoder(codec, input_bits, bit_depth, odd,
                                                        expected):
    settings = EncoderSettings(codec=codec, bit_depth=bit_depth)
    assert choose_pix_fmt(settings, _codec(codec), input_bits, odd) == expected


def test_formats_an_encoder_cannot_write_are_refused():
    with pytest.raises(UserError, match="libvpx-vp9 cannot write 10-bit video in this FFmpeg "
                       "build \\(it writes yuv420p, "):
        choose_pix_fmt(EncoderSettings(codec="libvpx-vp9", bit_depth=10), _codec("libvpx-vp9"),
                       8, False)
    with pytest.raises(UserError, match="libsvtav1 cannot write yuv444p \\(it writes yuv420p, "
                       "yuv420p10le\\)"):
        choose_pix_fmt(EncoderSettings(codec="libsvtav1", pix_fmt="yuv444p"),
                       _codec("libsvtav1"), 8, False)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="bit_depth must be 8 or 10, got 12"):
        EncoderSettings(bit_depth=12)
    with pytest.raises(ValueError, match="unknown pixel format 'yuv999p'"):
        EncoderSettings(pix_fmt="yuv999p")
    with pytest.raises(ValueError, match="pix_fmt yuv420p is 8-bit, bit_depth says 10"):
        EncoderSettings(pix_fmt="yuv420p", bit_depth=10)


@pytest.mark.parametrize(("codec", "expected"), [
    ("libx264", {"crf": "27"}),
    ("libx265", {"crf": "27"}),
    ("libsvtav1", {"crf": "27"}),
    ("libvpx-vp9", {"crf": "27", "b": "0"}),
    ("h264_nvenc", {"cq": "27", "rc": "vbr", "b": "0"}),
    ("hevc_qsv", {"global_quality": "27"}),
    ("h264_vaapi", {"qp": "27", "rc_mode": "CQP"}),
    ("mpeg4", {}),  # keeps its own rate control
])
def test_crf_becomes_each_encoders_own_quality_option(codec, expected):
    assert quality_options(EncoderSettings(codec=codec, crf=27), codec) == expected


def test_crf_beyond_an_encoders_range_is_refused():
    assert quality_options(EncoderSettings(crf=60), "libsvtav1") == {"crf": "60"}
    with pytest.raises(UserError, match="--crf 60 is beyond libx264's range \\(0..51\\)"):
        quality_options(EncoderSettings(crf=60), "libx264")


def test_banners_are_quiet_unless_verbose():
    quiet = encoder_options(EncoderSettings(codec="libx265"), "libx265", 25.0)
    loud = encoder_options(EncoderSettings(codec="libx265", verbose=True), "libx265", 25.0)
    assert quiet["x265-params"] == "log-level=error" and "x265-params" not in loud
    assert plan_video(EncoderSettings(codec="hevc"), 8, False).codec == "libx265"  # aliases


def _encode(target, encoder: EncoderSettings, frames: int = 6) -> None:
    info = StreamInfo(width=96, height=64, time_base=Fraction(1, 24), rate=Fraction(24),
                      frames=0, streams=(), name="test", pix_fmt="yuv420p")
    sink = FileSink(target, info, encoder)
    for i, frame in enumerate(dark_frames(frames, (96, 64), "rgb24")):
        sink.write_video(Frame(image=frame.to_ndarray(), pts=i, time_base=Fraction(1, 24),
                               index=i))
    sink.close()


def test_crf_reaches_x265(tmp_path):
    _encode(tmp_path / "x265.mkv", EncoderSettings(codec="libx265", crf=31, preset="ultrafast"))
    settings = re.search(rb"x265 \(build \d+\) - .*? - options: ([^\x00]*)",
                         (tmp_path / "x265.mkv").read_bytes())
    assert settings and b" crf=31.0 " in settings.group(1)


def test_crf_reaches_svt_av1(tmp_path):
    """SVT-AV1 writes no settings into the stream: a higher crf makes a smaller file."""
    sizes = []
    for crf in (10, 55):
        target = tmp_path / f"crf{crf}.mkv"
        _encode(target, EncoderSettings(codec="libsvtav1", crf=crf), frames=12)
        sizes.append(target.stat().st_size)
        with av.open(str(target)) as container:
            assert container.streams.video[0].codec_context.name in ("libdav1d", "av1", "libaom-av1")
    assert sizes[0] > 1.5 * sizes[1]

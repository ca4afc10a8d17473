"""Encoders tried on a tiny frame before a job starts: one that cannot run here (a hardware
encoder without its device, a bad option) is refused in one line that says why and names
those that can; nothing is written."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch

from llie_video import UserError
from llie_video.video.encoder_probe import (
    check_encoder,
    check_settings,
    common_encoders,
    probe,
    status_of,
    usable_encoders,
)
from llie_video.video.encoders import EncoderSettings, plan_video
from llie_video.video.sinks import FileSink
from llie_video.video.sources import StreamInfo

NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")


def _plan(codec: str, **settings: object):
    return plan_video(EncoderSettings(codec=codec, **settings), 8, False)


def test_software_encoders_open():
    for codec in ("libx264", "libx265", "libsvtav1", "libvpx-vp9"):
        assert probe(_plan(codec)) is None, codec
        assert probe(_plan(codec, bit_depth=10 if codec != "libvpx-vp9" else 8)) is None
    assert {"libx264", "libx265", "libsvtav1", "libvpx-vp9"} <= set(usable_encoders())


@NO_GPU
def test_a_hardware_encoder_without_its_device_is_refused_in_one_line():
    with pytest.raises(UserError) as refused:
        check_encoder(_plan("h264_nvenc"))
    message = str(refused.value)
    assert message.startswith("h264_nvenc: no usable NVIDIA device (")
    assert "; encoders that work here: libx264, libx265, libsvtav1" in message
    assert "\n" not in message and "h264_nvenc" not in message.partition("work here")[2]


def test_a_bad_option_is_refused_with_the_encoders_own_words():
    """x264 prints a bad preset straight to stderr, not through FFmpeg's log."""
    assert "preset" in probe(_plan("libx264", preset="sideways"))


def test_status_lists_depth_quality_option_and_reason():
    statuses = {name: status_of(name) for name in common_encoders()}
    x265, vp9 = statuses["libx265"], statuses["libvpx-vp9"]
    assert (x265.ten_bit, x265.quality, x265.reason) == (True, "crf", None)
    assert not vp9.ten_bit
    if not torch.cuda.is_available():
        assert statuses["h264_nvenc"].reason.startswith("no usable NVIDIA device")


@NO_GPU
def test_a_file_sink_refuses_before_writing_anything(tmp_path):
    info = StreamInfo(width=64, height=48, time_base=Fraction(1, 25), rate=Fraction(25),
                      frames=0, streams=(), name="test")
    with pytest.raises(UserError, match="h264_nvenc: no usable NVIDIA device"):
        FileSink(tmp_path / "out.mp4", info, EncoderSettings(codec="h264_nvenc"))
    assert list(tmp_path.iterdir()) == []


def test_settings_are_checked_before_a_job():
    with pytest.raises(UserError, match="unknown video codec 'nonsense'"):
        check_settings(EncoderSettings(codec="nonsense"))
    with pytest.raises(UserError, match="'aac' is not a video encoder"):
        check_settings(EncoderSettings(codec="aac"))
    check_settings(EncoderSettings(codec="mpeg4"))

"""Whether a video encoder can run on this machine: opened once on a tiny frame, before any
decoding, so that a job is refused at once, in one line that says why (a hardware encoder
without its device, a format the encoder cannot take), rather than failing after it started.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from llie_video.errors import UserError
from llie_video.video.encoders import (
    EncoderSettings,
    VideoPlan,
    choose_pix_fmt,
    encoder_options,
    format_bits,
    plan_video,
    quality_option,
    quiet_banner,
)

# A tiny frame, yet above the smallest sizes hardware encoders take.
PROBE_WIDTH, PROBE_HEIGHT = 256, 144

# Encoders a user is likely to name, in the order they are offered; those in this FFmpeg
# build are tried by `llie-video encoders` and listed when a job's encoder cannot run.
COMMON_ENCODERS = (
    "libx264", "libx265", "libsvtav1", "libaom-av1", "librav1e", "libvpx-vp9", "libvpx",
    "h264_nvenc", "hevc_nvenc", "av1_nvenc", "h264_qsv", "hevc_qsv", "av1_qsv",
    "h264_vaapi", "hevc_vaapi", "av1_vaapi", "h264_amf", "hevc_amf", "av1_amf",
    "h264_videotoolbox", "hevc_videotoolbox", "h264_v4l2m2m", "hevc_v4l2m2m",
    "mpeg4", "prores_ks", "ffv1",
)

# Encoders that drive a device, and what their failure to open most likely means.
_DEVICES = (
    ("_nvenc", "no usable NVIDIA device"),
    ("_qsv", "no usable Intel Quick Sync device"),
    ("_vaapi", "no usable VA-API device"),
    ("_amf", "no usable AMD device"),
    ("_v4l2m2m", "no V4L2 memory-to-memory encoder device"),
    ("_videotoolbox", "needs macOS VideoToolbox"),
    ("_mediacodec", "needs Android MediaCodec"),
    ("_vulkan", "no usable Vulkan device"),
    ("_mf", "needs Windows Media Foundation"),
)


def probe(plan: VideoPlan) -> str | None:
    """Open ``plan``'s encoder with its format and options on a tiny frame and encode it:
    None when that works, else why not, in a few words (cached per plan)."""
    return _probe(plan.codec, plan.pix_fmt, tuple(sorted(plan.options.items())), plan.verbose)


@functools.lru_cache(maxsize=64)
def _probe(codec: str, pix_fmt: str, options: tuple[tuple[str, str], ...],
           verbose: bool) -> str | None:
    quiet_banner(VideoPlan(codec, pix_fmt, dict(options), verbose))
    previous = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)
    try:
        with av.logging.Capture() as logs, _stderr_captured() as printed:
            try:
                _encode_one_frame(codec, pix_fmt, dict(options))
                return None
            except (av.FFmpegError, ValueError, OSError) as exc:
                error = exc
        return _explain(codec, error, [message for _, _, message in logs] + printed)
    finally:
        av.logging.set_level(previous)


@contextmanager
def _stderr_captured() -> Iterator[list[str]]:
    """What the C libraries print straight to stderr meanwhile (x264 reports a bad preset
    that way, SVT-AV1 and x265 their banners), as lines, filled on exit; nothing reaches the
    terminal."""
    lines: list[str] = []
    with tempfile.TemporaryFile() as held:
        saved = os.dup(2)
        os.dup2(held.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines.extend(held.read().decode(errors="replace").splitlines())


def _encode_one_frame(codec: str, pix_fmt: str, options: dict[str, str]) -> None:
    context = av.CodecContext.create(codec, "w")
    context.width, context.height, context.pix_fmt = PROBE_WIDTH, PROBE_HEIGHT, pix_fmt
    context.time_base, context.framerate = Fraction(1, 25), Fraction(25)
    context.options = options
    context.open()
    frame = av.VideoFrame(PROBE_WIDTH, PROBE_HEIGHT, pix_fmt)
    for plane in frame.planes:
        np.frombuffer(plane, np.uint8)[:] = 0
    frame.pts = 0
    context.encode(frame)
    context.encode(None)


def _explain(codec: str, exc: BaseException, messages: list[str]) -> str:
    """Why ``codec`` did not open: the device it needs, and the first error message."""
    logged = next((m.strip() for m in messages if m.strip()), "")
    detail = logged or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    for suffix, need in _DEVICES:
        if codec.endswith(suffix):
            return f"{need} ({detail})"
    return f"does not open with these settings ({detail})"


def common_encoders() -> list[str]:
    """The :data:`COMMON_ENCODERS` this FFmpeg build has."""
    return [name for name in COMMON_ENCODERS if name in av.codecs_available]


def usable_encoders() -> list[str]:
    """The common encoders that open here with their defaults (8-bit 4:2:0)."""
    return [name for name in common_encoders() if status_of(name).reason is None]


@dataclass(frozen=True)
class EncoderStatus:
    """One encoder as ``llie-video encoders`` shows it."""

    name: str
    description: str
    ten_bit: bool  # whether it writes a 10-bit format
    quality: str  # the option --crf sets, or "" when it keeps its own rate control
    reason: str | None  # why it cannot run here, None when it can


def status_of(name: str) -> EncoderStatus:
    """Try encoder ``name`` (in this build) with the default settings."""
    settings = EncoderSettings(codec=name)
    codec = settings.video_codec()
    formats = codec.video_formats or ()
    option = quality_option(codec.name)
    try:
        plan = VideoPlan(codec.name, choose_pix_fmt(settings, codec, 8, odd=False),
                         encoder_options(settings, codec.name, 25.0))
        reason = probe(plan)
    except UserError as exc:
        reason = str(exc)
    return EncoderStatus(name=codec.name, description=codec.long_name,
                         ten_bit=any(format_bits(f.name) == 10 for f in formats),
                         quality=option.names[0] if option else "", reason=reason)


def check_settings(settings: EncoderSettings) -> None:
    """Raise a UserError now if the encoder of ``settings`` is unknown, cannot write the asked
    format, or cannot run on this machine (tried on a tiny frame; for 8-bit input)."""
    check_encoder(plan_video(settings, input_bits=8, odd=False))


def check_encoder(plan: VideoPlan) -> None:
    """A UserError, in one line, when ``plan``'s encoder cannot run here: why, and the
    encoders that can."""
    reason = probe(plan)
    if reason is None:
        return
    others = [name for name in usable_encoders() if name != plan.codec]
    raise UserError(f"{plan.codec}: {reason}; encoders that work here: "
                    f"{', '.join(others) or 'none'}")

"""Video encoder settings, and what they become for one FFmpeg encoder: its pixel format (8 or
10 bits, as asked or as the input is), its own quality option for ``crf``, and the options that
keep its banner off the terminal.

Whether the encoder can run on this machine is :mod:`llie_video.video.encoder_probe`'s job.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import av

from llie_video.errors import UserError

# 4:2:0 pixel formats by bit depth, in order of preference (hardware encoders take nv12/p010).
_FORMATS_420 = {8: ("yuv420p", "nv12"), 10: ("yuv420p10le", "p010le")}
# For odd sizes, which 4:2:0 cannot hold exactly.
_FORMATS_444 = {8: ("yuv444p",), 10: ("yuv444p10le",)}
BIT_DEPTHS = (8, 10)


@dataclass(frozen=True)
class EncoderSettings:
    """Video encoder options.

    Attributes:
        codec: an FFmpeg video encoder name (``libx264``, ``libx265``, ``libsvtav1``,
            ``libvpx-vp9``, ``h264_nvenc`` ...; ``llie-video encoders`` lists this machine's).
        crf: quality, lower is better: each encoder's own option (see :func:`quality_options`).
        preset: speed preset for x264/x265 (and SVT-AV1 when a number).
        pix_fmt: output pixel format; ``None`` picks one from ``bit_depth``.
        bit_depth: 8 or 10 bits per sample; ``None``: the input's (10 stays 10 where the
            encoder can write it), 8 for 8-bit input.
        zero_latency: live output: x264/x265 ``tune=zerolatency`` (no B-frames, no lookahead,
            sliced threads) so each frame leaves the encoder at once.
        verbose: let the encoder print its banner and statistics (x265, SVT-AV1 do).
    """

    codec: str = "libx264"
    crf: int = 20
    preset: str = "veryfast"
    pix_fmt: str | None = None
    bit_depth: int | None = None
    zero_latency: bool = False
    verbose: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.crf <= 63:
            raise ValueError(f"crf must be within 0..63, got {self.crf}")
        if self.bit_depth is not None and self.bit_depth not in BIT_DEPTHS:
            raise ValueError(f"bit_depth must be 8 or 10, got {self.bit_depth}")
        if self.pix_fmt is not None:
            try:
                depth = format_bits(self.pix_fmt)
            except ValueError:
                raise ValueError(f"unknown pixel format {self.pix_fmt!r}") from None
            if self.bit_depth is not None and depth != self.bit_depth:
                raise ValueError(f"pix_fmt {self.pix_fmt} is {depth}-bit, bit_depth says "
                                 f"{self.bit_depth}")

    def video_codec(self) -> av.Codec:
        """The FFmpeg encoder named by :attr:`codec`; a UserError if there is none."""
        try:
            codec = av.Codec(self.codec, "w")
        except (av.FFmpegError, ValueError):
            raise UserError(f"unknown video codec {self.codec!r}: this FFmpeg has no such "
                            "encoder (see llie-video encoders)") from None
        if codec.type != "video":
            raise UserError(f"{self.codec!r} is not a video encoder")
        return codec


@dataclass(frozen=True)
class VideoPlan:
    """What a sink opens: the encoder, its pixel format and its options."""

    codec: str
    pix_fmt: str
    options: dict[str, str] = field(default_factory=dict)
    verbose: bool = False

    @property
    def bit_depth(self) -> int:
        return format_bits(self.pix_fmt)


def format_bits(pix_fmt: str) -> int:
    """Bits per sample of a pixel format (``yuv420p10le`` -> 10; 0 for a hardware surface
    format, which has no samples of its own); ValueError if unknown."""
    components = av.VideoFormat(pix_fmt).components
    return components[0].bits if components else 0


def input_bits(pix_fmt: str | None) -> int:
    """Bits per sample of the input's pixel format (8 when unknown)."""
    try:
        return format_bits(pix_fmt) if pix_fmt else 8
    except ValueError:
        return 8


def choose_pix_fmt(settings: EncoderSettings, codec: av.Codec, input_depth: int, odd: bool) -> str:
    """The output pixel format: ``settings.pix_fmt`` if the encoder takes it; else 4:2:0 (4:4:4
    for odd sizes, where the encoder has it) at ``settings.bit_depth``, or at the input's
    depth (10 bits when the encoder can, else 8); a UserError when the asked format or depth
    is not the encoder's."""
    supported = [f.name for f in codec.video_formats or ()]
    if settings.pix_fmt is not None:
        if supported and settings.pix_fmt not in supported:
            raise UserError(f"{codec.name} cannot write {settings.pix_fmt} (it writes "
                            f"{', '.join(supported)})")
        return settings.pix_fmt
    depths = (settings.bit_depth,) if settings.bit_depth else ((10, 8) if input_depth > 8 else (8,))
    for depth in depths:
        candidates = (_FORMATS_444[depth] if odd else ()) + _FORMATS_420[depth]
        for name in candidates:
            if not supported or name in supported:
                return name
        # an encoder of its own kind at this depth (ProRes: 4:2:2 10-bit), YUV before RGB
        own = [name for name in supported if format_bits(name) == depth]
        own.sort(key=lambda name: av.VideoFormat(name).is_rgb)
        if own:
            return own[0]
    if settings.bit_depth:
        raise UserError(f"{codec.name} cannot write {settings.bit_depth}-bit video in this "
                        f"FFmpeg build (it writes {', '.join(supported)})")
    return supported[0]  # an encoder of its own kind (ProRes: 4:2:2 10-bit only)


@dataclass(frozen=True)
class QualityOption:
    """How an encoder family takes ``crf``: the option names set to it, fixed companions,
    and the highest value it accepts."""

    names: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()
    top: int = 51


# By encoder name prefix or suffix; encoders not listed keep their own rate control.
_QUALITY: tuple[tuple[str, QualityOption], ...] = (
    ("libx264", QualityOption(("crf",))),
    ("libx265", QualityOption(("crf",))),
    ("libsvtav1", QualityOption(("crf",), top=63)),
    ("libvpx", QualityOption(("crf",), (("b", "0"),), top=63)),
    ("libaom", QualityOption(("crf",), (("b", "0"),), top=63)),
    ("_nvenc", QualityOption(("cq",), (("rc", "vbr"), ("b", "0")))),
    ("_qsv", QualityOption(("global_quality",))),
    ("_vaapi", QualityOption(("qp",), (("rc_mode", "CQP"),))),
)


def quality_option(codec: str) -> QualityOption | None:
    """The option ``crf`` maps to for encoder ``codec`` (None: it keeps its own rate control)."""
    for pattern, option in _QUALITY:
        if codec.startswith(pattern) or codec.endswith(pattern):
            return option
    return None


def quality_options(settings: EncoderSettings, codec: str) -> dict[str, str]:
    """``crf`` as encoder ``codec``'s own quality option; a UserError when out of its range."""
    option = quality_option(codec)
    if option is None:
        return {}
    if settings.crf > option.top:
        raise UserError(f"--crf {settings.crf} is beyond {codec}'s range (0..{option.top})")
    return {**{name: str(settings.crf) for name in option.names}, **dict(option.extra)}


def encoder_options(settings: EncoderSettings, codec: str, rate: float | None) -> dict[str, str]:
    """Every option the sink gives encoder ``codec``: quality, preset, live tuning, and the
    banner kept quiet unless ``settings.verbose``."""
    options = quality_options(settings, codec)
    if codec in ("libx264", "libx265"):
        options["preset"] = settings.preset
        if settings.zero_latency:
            options |= {"tune": "zerolatency", "g": str(max(1, round(rate or 30)))}
    elif codec == "libsvtav1" and settings.preset.isdigit():
        options["preset"] = settings.preset
    if codec == "libx265" and not settings.verbose:
        options["x265-params"] = "log-level=error"
    return options


def quiet_banner(plan: VideoPlan) -> None:
    """Before opening ``plan``'s encoder: keep SVT-AV1's banner off the terminal unless
    verbose. SVT-AV1 prints straight to stderr, not through FFmpeg's log (which PyAV keeps
    quiet), and reads ``SVT_LOG`` (1: errors only) when its first encoder is made in a process;
    a user's own ``SVT_LOG`` wins. (x265's banner is its ``log-level`` option, in :func:`encoder_options`.)"""
    if plan.codec == "libsvtav1" and not plan.verbose:
        os.environ.setdefault("SVT_LOG", "1")


def plan_video(settings: EncoderSettings, input_bits: int, odd: bool,
               rate: float | None = None) -> VideoPlan:
    """What to open for ``settings``, for an input of ``input_bits`` per sample, of odd size or
    not, at ``rate`` frames per second; a UserError for an unknown encoder, a format it cannot
    write, or a quality beyond its range."""
    codec = settings.video_codec()
    return VideoPlan(codec=codec.name,
                     pix_fmt=choose_pix_fmt(settings, codec, input_bits, odd),
                     options=encoder_options(settings, codec.name, rate),
                     verbose=settings.verbose)

"""Real test clips and frames, written and read with PyAV."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from llie_video.enhance.av_planes import yuv420_planes


def write_clip(
    path: Path,
    frames: int = 12,
    size: tuple[int, int] = (96, 64),
    fps: int = 24,
    audio: bool = True,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    rotation: int = 0,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    brightness: float = 30.0,
    seed: int = 0,
) -> Path:
    """Write a dark, noisy test clip that brightens from left to right (a keyframe every
    second); ``pts`` (in ``time_base`` units) makes it VFR."""
    width, height = size
    rng = np.random.default_rng(seed)
    time_base = time_base or Fraction(1, fps)
    pts = list(pts) if pts is not None else list(range(frames))
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        video.codec_context.time_base = time_base
        if codec == "libx264":
            video.options = {"g": str(fps), "preset": "ultrafast"}
        elif codec == "libx265":
            video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        if rotation:
            video.set_display_rotation(rotation)
        audio_stream = None
        if audio:
            audio_stream = container.add_stream("aac", rate=16000)
            audio_stream.layout = "mono"
        for i, p in enumerate(pts):
            frame = av.VideoFrame.from_ndarray(_dark_picture(i, len(pts), width, height,
                                                             brightness, rng), format="rgb24")
            frame.pts = p
            frame.time_base = time_base
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio_stream is not None:
            duration = float(pts[-1] * time_base) + 1 / fps
            _write_tone(container, audio_stream, int(duration * 16000))
    return path


def _dark_picture(i: int, count: int, width: int, height: int, brightness: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Frame ``i`` of ``count``: a left-to-right ramp up to ``brightness``, tinted, noisy."""
    xx = np.arange(width)[None, :].repeat(height, 0)
    base = brightness * (0.5 + 0.5 * (xx + i) / (width + count))
    rgb = np.stack([base, base * 0.9, base * 0.8], -1) + rng.normal(0, 3, (height, width, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8)


def _write_tone(container: av.container.OutputContainer, stream: av.audio.stream.AudioStream,
                samples: int) -> None:
    for start in range(0, samples, 1024):
        n = min(1024, samples - start)
        tone = 0.1 * np.sin(np.arange(start, start + n) * 0.05).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone[None], format="fltp", layout="mono")
        frame.sample_rate = 16000
        frame.pts = start
        frame.time_base = Fraction(1, 16000)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def decoded_rgb(path: Path) -> list[np.ndarray]:
    """Every video frame of ``path`` as ``(H, W, 3)`` uint8 RGB."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def decoded_times(path: Path) -> list[Fraction]:
    """The presentation time (seconds) of every video frame of ``path``, in decode order."""
    with av.open(str(path)) as container:
        return [f.pts * f.time_base for f in container.decode(video=0)]


def dark_frames(count: int, size: tuple[int, int], fmt: str, seed: int = 0) -> list[av.VideoFrame]:
    """``count`` dark noisy frames ``(width, height)`` in pixel format ``fmt``, a lit square
    moving across them."""
    rng = np.random.default_rng(seed)
    width, height = size
    frames = []
    for i in range(count):
        rgb = rng.normal(25, 6, (height, width, 3))
        rgb[height // 4 : height // 2, i * 3 : i * 3 + width // 4] += 70
        frame = av.VideoFrame.from_ndarray(np.clip(rgb, 0, 255).astype(np.uint8), format="rgb24")
        frames.append(frame.reformat(format=fmt))
    return frames


def plane_copies(frame: av.VideoFrame) -> list[np.ndarray]:
    """Copies of the Y, Cb and Cr planes of a 4:2:0 frame."""
    return [np.array(p) for p in yuv420_planes(frame)]


def x264_settings(path: Path) -> str:
    """The settings x264 wrote into the stream of ``path`` (its SEI: "... crf=30.0 ...")."""
    found = re.search(rb"x264 - core .*?options: ([^\x00]*)", path.read_bytes())
    assert found, f"no x264 settings in {path}"
    return found.group(1).decode()


# An ASS header, as text subtitle encoders need one (and ASS tracks carry one).
ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
""".replace(b"\\\n", b"")

# What write_multitrack_clip puts in: (codec, rate, layout, language, title) per audio track,
# (codec, language, [(start ms, duration ms, text)]) per subtitle track.
AUDIO_TRACKS = (("aac", 16000, "mono", "eng", "English"), ("libopus", 48000, "stereo", "fra", ""))
SUBTITLE_TEXTS = [(0, 200, "Hello"), (250, 200, "World")]
CHAPTERS = ((0, 250, "Start"), (250, 500, "End"))
TITLE, CREATED = "Night walk", "2026-01-02T03:04:05.000000Z"


def write_multitrack_clip(path: Path, subtitles: Sequence[tuple[str, str]] = (("subrip", "eng"),
                                                                            ("ass", "deu")),
                          audio: Sequence[tuple[str, int, str, str, str]] = AUDIO_TRACKS,
                          frames: int = 12) -> Path:
    """A 0.5 s dark clip (x264, 96x64, 24 fps) with the audio tracks ``audio`` and the
    subtitle tracks ``subtitles`` (codec, language; each with :data:`SUBTITLE_TEXTS`), two
    chapters and a title and creation time; MKV or MP4 (``mov_text`` subtitles) by suffix."""
    with av.open(str(path), "w") as container:
        container.metadata.update({"title": TITLE, "creation_time": CREATED})
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio_streams = []
        for codec, rate, layout, language, title in audio:
            stream = container.add_stream(codec, rate=rate)
            stream.layout = layout
            stream.metadata.update({"language": language, **({"title": title} if title else {})})
            audio_streams.append((stream, rate, layout))
        subtitle_streams = []
        for codec, language in subtitles:
            stream = container.add_stream(codec)
            stream.codec_context.subtitle_header = ASS_HEADER
            stream.metadata["language"] = language
            stream.time_base = Fraction(1, 1000)
            subtitle_streams.append((stream, codec))
        container.set_chapters([{"id": i + 1, "start": start, "end": end,
                                 "time_base": Fraction(1, 1000), "metadata": {"title": title}}
                                for i, (start, end, title) in enumerate(CHAPTERS)])
        for i, rgb in enumerate(dark_frames(frames, (96, 64), "rgb24")):
            rgb.pts = i
            container.mux(video.encode(rgb))
        container.mux(video.encode(None))
        for stream, rate, layout in audio_streams:
            _write_silence(container, stream, rate, layout, rate // 2)
        for stream, codec in subtitle_streams:
            for start, duration, text in SUBTITLE_TEXTS:
                packet = av.Packet(_subtitle_payload(codec, text))
                packet.stream = stream
                packet.pts = packet.dts = start
                packet.duration = duration
                packet.time_base = Fraction(1, 1000)
                container.mux(packet)
    return path


def _subtitle_payload(codec: str, text: str) -> bytes:
    """One subtitle's packet as the container stores it."""
    if codec == "ass":
        return f"0,0,Default,,0,0,0,,{text}".encode()
    if codec == "mov_text":
        return len(text).to_bytes(2, "big") + text.encode()
    return text.encode()


def _write_silence(container: av.container.OutputContainer, stream: av.audio.stream.AudioStream,
                   rate: int, layout: str, samples: int) -> None:
    channels = 1 if layout == "mono" else 2
    for start in range(0, samples, 960):
        n = min(960, samples - start)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, n * channels), np.int16), format="s16",
                                           layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def subtitle_texts(path: Path, index: int) -> list[tuple[float, float, str]]:
    """Subtitle track ``index`` (among the subtitle tracks) of ``path`` as (start s, duration s,
    text) per subtitle, decoded (ASS event lines reduced to their text)."""
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.subtitles[index]
        for packet in container.demux(stream):
            if not packet.size:
                continue
            for subtitle in stream.codec_context.decode(packet):
                text = subtitle.ass.decode().split(",", 8)[-1]
                if text:
                    out.append((float(packet.pts * packet.time_base),
                                float(packet.duration * packet.time_base), text))
    return out


def luma_levels(path: Path) -> int:
    """How many distinct luma levels the first frame of ``path`` has along its middle row, in
    10-bit units (an 8-bit level counts as one)."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    return len(np.unique(yuv420_planes(frame)[0][frame.height // 2]))

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

"""``llie-video sample``: write a synthetic dark test clip (video + audio) with nothing else needed;
and a dark gradient clip (:func:`write_gradient_clip`) for measuring banding.

The scene is procedural: smooth coloured lighting, textured shapes and a bright lamp moving across,
rendered in linear light, darkened to a mean luma of roughly 20/255, with Poisson-Gaussian sensor
noise that changes every frame, and a stereo tone sweep as AAC audio.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from llie_video.enhance.av_planes import yuv420_planes
from llie_video.errors import UserError
from llie_video.output_paths import check_output_path, partial_path


_FULL_SCALE_PHOTONS = 400.0  # photons a pixel collects at full scale, at noise 1
_READ_NOISE = 0.002  # the sensor's read noise at noise 1, in linear light


def _scene(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A well-exposed linear-light scene ``(H, W, 3)`` float32 in [0, 1]."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = xx / width, yy / height
    scene = np.stack([0.35 + 0.3 * u, 0.30 + 0.25 * v, 0.45 - 0.2 * u * v], axis=-1)
    texture = 0.08 * np.sin(xx / 7.0) * np.cos(yy / 11.0)
    scene += texture[..., None]
    for _ in range(12):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.04, 0.15) * width, rng.uniform(0.04, 0.15) * height
        colour = rng.uniform(0.05, 0.9, size=3).astype(np.float32)
        if rng.random() < 0.5:
            mask = (np.abs(xx - cx) < rx) & (np.abs(yy - cy) < ry)
        else:
            mask = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 < 1
        scene[mask] = colour
    return np.clip(scene, 0, 1) ** 2.2  # to linear light


def write_sample_clip(
    target: Path,
    seconds: float = 5.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    overwrite: bool = False,
    seed: int = 0,
    noise: float = 1.0,
) -> Path:
    """Write a dark, noisy test clip with audio to ``target`` (MP4/MKV/MOV, H.264 + AAC).

    ``noise`` scales the sensor noise's standard deviation (1: a small sensor in a dark room,
    ~80 Mbit/s at 1080p; 0.25: a cleaner camera, ~5 Mbit/s)."""
    if width < 16 or height < 16 or seconds <= 0 or fps <= 0 or noise <= 0:
        raise UserError("sample clip needs width and height >= 16, and seconds, fps and noise > 0")
    photons = _FULL_SCALE_PHOTONS / noise**2  # Poisson: the deviation goes as 1 / sqrt(photons)
    check_output_path(target, overwrite)
    rng = np.random.default_rng(seed)
    scene = _scene(height, width, rng)
    temp = partial_path(target)
    try:
        with av.open(str(temp), "w") as container:
            video = container.add_stream("libx264", rate=fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.options = {"crf": "18", "preset": "veryfast", "g": str(fps)}
            audio = container.add_stream("aac", rate=48000)
            audio.layout = "stereo"
            frames = int(round(seconds * fps))
            yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
            for index in range(frames):
                t = index / fps
                lamp_x = width * (0.1 + 0.8 * t / seconds)
                lamp = np.exp(-((xx - lamp_x) ** 2 + (yy - height * 0.3) ** 2) / (2 * (0.04 * width) ** 2))
                linear = scene * (0.03 + 0.004 * np.sin(t * 3.0)) + 0.5 * lamp[..., None]
                counted = rng.poisson(np.clip(linear, 0, 1) * photons) / photons
                noisy = counted + rng.normal(0.0, _READ_NOISE * noise, size=linear.shape)
                srgb = np.clip(noisy, 0, 1) ** (1 / 2.2)
                frame = av.VideoFrame.from_ndarray((srgb * 255 + 0.5).astype(np.uint8), format="rgb24")
                frame.pts = index
                frame.time_base = Fraction(1, fps)
                container.mux(video.encode(frame))
            container.mux(video.encode(None))
            _write_tone(container, audio, seconds)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def _write_tone(container: av.container.OutputContainer, audio: av.audio.stream.AudioStream, seconds: float) -> None:
    rate, chunk = 48000, 1024
    total = int(seconds * rate)
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        t = (start + np.arange(n)) / rate
        tone = 0.2 * np.sin(2 * np.pi * (220 + 110 * t / seconds) * t)
        samples = np.stack([tone, tone]).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        container.mux(audio.encode(frame))
    container.mux(audio.encode(None))


def decoded_sample_frames(count: int, width: int, height: int,
                          noise: float = 1.0) -> list[av.VideoFrame]:
    """The first ``count`` decoded frames of a sample clip of this size (for benchmarks that
    time the enhance stage on real decoded frames, in order)."""
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_sample_clip(Path(tmp) / "clip.mp4", count / 30 + 0.2, width, height, 30,
                                 noise=noise)
        with av.open(str(clip)) as container:
            return [f for _, f in zip(range(count), container.decode(video=0))]


def write_gradient_clip(path: Path, pix_fmt: str, frames: int = 4,
                        size: tuple[int, int] = (256, 32), low: float = 0.03,
                        high: float = 0.10) -> Path:
    """Write a still, dark grey ramp from luma ``low`` to ``high`` (shares of the range) left to
    right, in ``pix_fmt`` (yuv420p or yuv420p10le, BT.709 limited range), encoded nearly
    losslessly (x265 qp 0): a night sky or a lit wall fading into shadow, to see how many levels
    a lifted gradient keeps (banding) in 8- and 10-bit output."""
    width, height = size
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx265", rate=24)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        video.options = {"preset": "ultrafast", "x265-params": "log-level=error:qp=0"}
        for i in range(frames):
            frame = av.VideoFrame(width, height, pix_fmt)
            frame.colorspace, frame.color_range = 1, 1
            y, u, v = yuv420_planes(frame)
            unit = 4 if pix_fmt.endswith("10le") else 1
            y[...] = np.round(unit * (16 + 219 * np.linspace(low, high, width)))[None]
            u[...], v[...] = 128 * unit, 128 * unit
            frame.pts = i
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
    return path

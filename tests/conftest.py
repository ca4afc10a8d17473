"""Shared fixtures: real clips written with PyAV in a temporary folder, and ../shared paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# runs under the system Python with Debian's GStreamer bindings, started by the RTSP fixtures
collect_ignore = ["rtsp_server.py"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is only on the developers' machines)")
    return path


@pytest.fixture(scope="session")
def fast_path_compiled() -> None:
    """Compile (or load from Numba's cache) the fused CPU kernel once, before tests whose waits
    are sized for running frames: on a fresh machine the first compile takes 10-30 s."""
    import torch

    from llie_video.models import create_model
    from llie_video.video.stage import EnhanceStage

    EnhanceStage(create_model("zero_dce_pp"), torch.device("cpu"), torch.float32).prepare()


ClipFactory = Callable[..., Path]


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
    """Write a dark, noisy test clip; ``pts`` (in ``time_base`` units) makes it VFR."""
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
        yy, xx = np.mgrid[0:height, 0:width]
        for i, p in enumerate(pts):
            base = brightness * (0.5 + 0.5 * (xx + i) / (width + len(pts)))
            rgb = np.stack([base, base * 0.9, base * 0.8], -1) + rng.normal(0, 3, (height, width, 3))
            frame = av.VideoFrame.from_ndarray(np.clip(rgb, 0, 255).astype(np.uint8), format="rgb24")
            frame.pts = p
            frame.time_base = time_base
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if audio_stream is not None:
            duration = float(pts[-1] * time_base) + 1 / fps
            samples = int(duration * 16000)
            for start in range(0, samples, 1024):
                n = min(1024, samples - start)
                tone = 0.1 * np.sin(np.arange(start, start + n) * 0.05).astype(np.float32)
                aframe = av.AudioFrame.from_ndarray(tone[None], format="fltp", layout="mono")
                aframe.sample_rate = 16000
                aframe.pts = start
                aframe.time_base = Fraction(1, 16000)
                container.mux(audio_stream.encode(aframe))
            container.mux(audio_stream.encode(None))
    return path


@pytest.fixture
def make_clip(tmp_path: Path) -> ClipFactory:
    """``make_clip(name="in.mp4", **write_clip kwargs) -> Path`` in the test's temp folder."""

    def factory(name: str = "in.mp4", **kwargs: object) -> Path:
        return write_clip(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return factory


def write_real_pairs(root: Path, count: int = 12) -> list[str]:
    """``count`` LOL-layout pairs ``root/{low,high}/N.png`` (48x40, a bright textured high and
    its low at a tenth); returns the names of the held-out ones (name hash < the real pairs'
    held-out fraction)."""
    import cv2

    from llie_video.data.splits import REAL_HELD_OUT_FRACTION, name_hash_fraction

    (root / "low").mkdir(parents=True)
    (root / "high").mkdir()
    rng = np.random.default_rng(0)
    for i in range(count):
        high = rng.integers(60, 220, (40, 48, 3), dtype=np.uint8)
        cv2.imwrite(str(root / "high" / f"{i}.png"), high)
        cv2.imwrite(str(root / "low" / f"{i}.png"), (high.astype(np.float32) * 0.1).astype(np.uint8))
    names = [f"{i}.png" for i in range(count)]
    return [n for n in names if name_hash_fraction(n) < REAL_HELD_OUT_FRACTION]


@pytest.fixture
def real_pairs_folder(tmp_path: Path) -> tuple[Path, list[str]]:
    """A tiny real-pair folder (see :func:`write_real_pairs`) and its held-out names."""
    root = tmp_path / "pairs"
    return root, write_real_pairs(root)

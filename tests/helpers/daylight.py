"""Synthetic scenes for the day-and-night tests and bench: one fixed scene under light that
ramps from night to day and back, and a night that a headlight sweeps through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

TIME_BASE = Fraction(1, 1000)
NIGHT, DAY = 0.02, 1.0  # exposures of the linear-light scene: median luma ~0.09 and ~0.45


def scene(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A linear-light scene ``(H, W, 3)`` float32: a soft gradient, texture and coloured blocks;
    median luma ~0.45 once gamma-encoded at exposure 1."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = xx / width, yy / height
    picture = np.stack([0.40 + 0.3 * u, 0.38 + 0.25 * v, 0.42 - 0.2 * u * v], axis=-1)
    picture += (0.06 * np.sin(xx / 3.0) * np.cos(yy / 5.0))[..., None]
    for _ in range(6):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(0.05, 0.15) * width, rng.uniform(0.05, 0.15) * height
        picture[(np.abs(xx - cx) < rx) & (np.abs(yy - cy) < ry)] = rng.uniform(0.1, 0.9, 3)
    return np.clip(picture, 0, 1) ** 2.2


def exposed(linear: np.ndarray, exposure: float, time_s: float,
            rng: np.random.Generator) -> av.VideoFrame:
    """``linear`` at ``exposure``, gamma-encoded with a little sensor noise, as a yuv420p frame
    stamped ``time_s``."""
    rgb = np.clip(linear * exposure, 0, 1) ** (1 / 2.2) * 255 + rng.normal(0, 1.5, linear.shape)
    frame = av.VideoFrame.from_ndarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8),
                                       format="rgb24").reformat(format="yuv420p")
    frame.pts, frame.time_base = int(round(time_s * 1000)), TIME_BASE
    return frame


@dataclass(frozen=True)
class Ramp:
    """Night for ``night_s``, a ramp (geometric in exposure, as dusk is) to day over ``ramp_s``,
    day for ``day_s``, the ramp back, night again; at ``fps``."""

    night_s: float = 10.0
    ramp_s: float = 40.0
    day_s: float = 20.0
    fps: float = 5.0

    @property
    def seconds(self) -> float:
        return 2 * (self.night_s + self.ramp_s) + self.day_s

    def exposure(self, t: float) -> float:
        """The exposure at ``t`` seconds."""
        up = (t - self.night_s) / self.ramp_s
        down = (self.seconds - self.night_s - t) / self.ramp_s
        share = min(max(min(up, down), 0.0), 1.0)
        return NIGHT * (DAY / NIGHT) ** share

    def phase(self, t: float) -> str:
        """``night``, ``dusk`` (either ramp) or ``day`` at ``t`` seconds."""
        if t < self.night_s or t >= self.seconds - self.night_s:
            return "night"
        if self.night_s + self.ramp_s <= t < self.night_s + self.ramp_s + self.day_s:
            return "day"
        return "dusk"

    def frames(self, size: tuple[int, int] = (96, 64)) -> Iterator[tuple[float, av.VideoFrame]]:
        """``(time, frame)`` for every frame of the ramp; ``size`` is ``(width, height)``."""
        width, height = size
        linear, rng = scene(height, width), np.random.default_rng(1)
        for i in range(int(self.seconds * self.fps)):
            t = i / self.fps
            yield t, exposed(linear, self.exposure(t), t, rng)


def headlight_sweep(size: tuple[int, int] = (96, 64), fps: float = 15.0, seconds: float = 12.0,
                    sweep: tuple[float, float] = (4.0, 6.0)
                    ) -> Iterator[tuple[float, bool, av.VideoFrame]]:
    """A night scene that a car's headlights sweep across between ``sweep`` seconds: the whole
    road lit up to day-like levels, a glaring spot moving across. Yields ``(time, lit, frame)``;
    the bottom-left corner stays out of the light."""
    width, height = size
    linear, rng = scene(height, width), np.random.default_rng(2)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    for i in range(int(seconds * fps)):
        t = i / fps
        lit = sweep[0] <= t < sweep[1]
        light = np.full((height, width), NIGHT, np.float32)
        if lit:
            x = width * (t - sweep[0]) / (sweep[1] - sweep[0])
            spot = np.exp(-((xx - x) ** 2 + (yy - height / 3) ** 2) / (2 * (0.15 * width) ** 2))
            light = light + DAY * (0.6 + 3.0 * spot)
            light[height * 3 // 4:, : width // 4] = NIGHT
        yield t, lit, exposed(linear * light[..., None], 1.0, t, rng)


def mean_luma(frame: av.VideoFrame) -> float:
    """The mean of a yuv420p frame's Y plane, in codes."""
    return float(frame.to_ndarray(format="gray").mean())

"""Day and night: the enhancement fades out as the scene becomes well lit, and back in at dusk.

A camera that runs around the clock sees night, dusk, overcast and bright day; only the night
wants lifting. :class:`DaylightFade` measures each frame's scene level (the median luma of the
input, on a strided subset of a few thousand samples: a headlight or a lamp in part of the
picture barely moves it), maps it to a strength factor (1 at and below half the ``daylight``
setting, 0 at and above it, a smoothstep between) and smooths that factor over time, on the
frames' own timestamps:

- a brighter scene fades the enhancement out only once it has stayed brighter for
  :attr:`DaylightTiming.hold_s` (the level used is the lowest of that window), then with the
  slow time constant :attr:`DaylightTiming.fade_out_s`: a headlight sweeping through, a door
  opening for a moment, never pumps the picture;
- a darker scene fades it back in with :attr:`DaylightTiming.fade_in_s`, so the night is lifted
  again within seconds of the lights going out.

The factor multiplies the ``strength`` setting (the blend of the render with the input), so a
well-lit scene passes through as it came in. With ``smoothing`` 0 (unrelated images) there is no
memory: each frame gets its own factor. The first frame after a reset (a new file, a
reconnect) gets its own factor at once, so a well-exposed file passes through from its first
frame. A scene cut does not reset the fade: a headlight flooding the picture reads as one.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import av
import numpy as np

from llie_video.enhance import av_planes
from llie_video.enhance.settings import EnhanceSettings
from llie_video.ops.color import BT601

_SAMPLES = 4096  # luma samples a frame's level is measured on, about
_FRAME_S = 1.0 / 30.0  # the time step assumed for frames without a timestamp
_MAX_STEP_S = 1.0  # a longer gap between timestamps (a pause, a jump) counts as this long


@dataclass(frozen=True)
class DaylightTiming:
    """How the daylight factor follows the scene, in seconds of the frames' time.

    Attributes:
        hold_s: how long a brighter scene must stay brighter before the fade-out starts.
        fade_out_s: time constant of the fade-out (the scene brightening).
        fade_in_s: time constant of the fade-in (the scene darkening).
    """

    hold_s: float = 5.0
    fade_out_s: float = 5.0
    fade_in_s: float = 3.0


def daylight_factor(level: float, daylight: float) -> float:
    """The strength factor for a scene of median luma ``level`` (0..1): 1 at and below
    ``daylight / 2``, 0 at and above ``daylight``, a smoothstep between; always 1 when
    ``daylight`` is 1 (off)."""
    if daylight >= 1.0:
        return 1.0
    t = min(max((level - 0.5 * daylight) / (0.5 * daylight), 0.0), 1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def scene_level(pixels: av.VideoFrame | np.ndarray) -> float:
    """The median luma (0..1) of a decoded 4:2:0 frame (its Y plane, at its range and bit
    depth) or of ``(H, W, 3)`` uint8 RGB, measured on a strided subset of about
    :data:`_SAMPLES` samples."""
    if isinstance(pixels, av.VideoFrame):
        y = av_planes.yuv420_planes(pixels)[0]
        offset, scale, _, _ = av_planes.spec_of(pixels).levels()
        step = _stride(y.shape[0], y.shape[1])
        return float(np.clip((np.median(y[::step, ::step]) - offset) / scale, 0.0, 1.0))
    step = _stride(pixels.shape[0], pixels.shape[1])
    rgb = pixels[::step, ::step].astype(np.float32)
    luma = rgb @ np.asarray(BT601, np.float32)
    return float(np.median(luma)) / 255.0


def _stride(height: int, width: int) -> int:
    return max(1, math.ceil(math.sqrt(height * width / _SAMPLES)))


class DaylightFade:
    """Carries the daylight factor from frame to frame (see the module's text)."""

    def __init__(self, timing: DaylightTiming | None = None) -> None:
        self.timing = timing or DaylightTiming()
        self.factor: float | None = None  # the latest factor; None before the first frame
        self._levels: deque[tuple[float, float]] = deque()  # (time, level), levels rising
        self._time: float | None = None  # on our own clock (see _advance)
        self._source_time: float | None = None  # the previous frame's timestamp

    def reset(self) -> None:
        """Forget the past: the next frame gets its own factor at once."""
        self.factor, self._time, self._source_time = None, None, None
        self._levels.clear()

    def settings_for(self, settings: EnhanceSettings, pixels: av.VideoFrame | np.ndarray,
                     time_s: float | None = None) -> EnhanceSettings:
        """``settings`` with ``strength`` scaled by this frame's daylight factor; ``time_s``:
        the frame's timestamp in seconds (None: one frame at 30 fps after the previous)."""
        if settings.daylight >= 1.0 or settings.strength == 0.0:
            return settings
        factor = self.update(scene_level(pixels), settings.daylight, time_s,
                             settings.smoothing > 0.0)
        return settings if factor >= 1.0 else replace(settings,
                                                      strength=settings.strength * factor)

    def update(self, level: float, daylight: float, time_s: float | None = None,
               smooth: bool = True) -> float:
        """Take a frame of scene level ``level`` at ``time_s``; returns its factor."""
        now = self._advance(time_s)
        if not smooth:
            self.reset()
            self.factor = daylight_factor(level, daylight)
            return self.factor
        step = 0.0 if self._time is None else now - self._time
        self._time = now
        held = self._held_level(now, level)
        target = daylight_factor(held, daylight)
        if self.factor is None:
            self.factor = target
            return target
        tau = self.timing.fade_out_s if target < self.factor else self.timing.fade_in_s
        self.factor += (target - self.factor) * (1.0 - math.exp(-step / tau))
        return self.factor

    def _advance(self, time_s: float | None) -> float:
        """The frame's time on a clock of our own: its timestamp's step from the previous
        frame's, within 0 .. :data:`_MAX_STEP_S` (a jump, a pause or a restart of timestamps
        counts as a short step)."""
        if self._time is None:
            self._source_time = time_s
            return 0.0
        previous, self._source_time = self._source_time, time_s
        if time_s is None or previous is None:
            return self._time + _FRAME_S
        return self._time + min(max(time_s - previous, 0.0), _MAX_STEP_S)

    def _held_level(self, now: float, level: float) -> float:
        """The lowest level of the last :attr:`DaylightTiming.hold_s` seconds, this frame's
        included (a monotonic queue: levels rising from front to back)."""
        levels = self._levels
        while levels and levels[-1][1] >= level:
            levels.pop()
        levels.append((now, level))
        while levels[0][0] < now - self.timing.hold_s:
            levels.popleft()
        return levels[0][1]

"""Temporal smoothing of the enhancement parameters (not the pixels).

Per-frame estimates jitter with sensor noise and small exposure changes, which makes brightness
pump and dark regions shimmer. The parameter maps are low-resolution and smooth, so a causal
exponential moving average over them removes the flicker without blurring moving edges (the
render still uses the current frame's pixels).

Where the scene moves the average must follow at once, or a bright object entering would leave a
trail: the EMA weight is lowered per pixel by a cheap motion measure, the absolute difference of
consecutive low-resolution frames. A scene cut (a large mean change of the low-resolution frame)
resets the state, as do seeks and reconnects (:meth:`ParamSmoother.reset`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F

from llie_video.ops.filters import box_mean, max_filter


@dataclass(frozen=True)
class SmoothingSettings:
    """Tuning of :class:`ParamSmoother` (frame values in [0, 1]).

    Attributes:
        noise_floor: differences of blurred frames below this, plus 2.5x their median over the
            frame (the measured noise), count as noise, not motion.
        motion_range: differences this far above the floor stop the averaging entirely.
        cut_threshold: relative mean change of the low-resolution frame that counts as a cut.
        motion_radius: how far (low-resolution pixels) motion stops the averaging around the
            pixels that changed: about the estimator's receptive field, since a moving object
            changes the parameters of its neighbourhood too.
        max_hold: how many frames in a row the parameters may be held, the estimate skipped,
            while nothing in the frame changes beyond noise (:meth:`ParamSmoother.hold`).
    """

    noise_floor: float = 0.02
    motion_range: float = 0.06
    cut_threshold: float = 0.35
    motion_radius: int = 8
    max_hold: int = 2

_CUT_GRID = (6, 8)
_HOLD_LEVEL_CHANGE = 0.01  # relative change of the mean level that ends a hold
_BLUR = 5  # box blur (low-resolution pixels a side) before frames are compared for motion


class FrameLook(NamedTuple):
    """What the smoother compares of a low-resolution frame ``(1, 3, h, w)`` with the next one:
    taken once per frame (:func:`look_at`), kept with the frame while it is the previous one.

    Attributes:
        blurred: the frame box-blurred over ``_BLUR`` pixels, ``(1, 3, h, w)``.
        cells: the means of a ``_CUT_GRID`` grid of cells, ``(1, 3, 6, 8)``.
        level: the frame's mean.
    """

    blurred: torch.Tensor
    cells: torch.Tensor
    level: float


def look_at(frame: torch.Tensor) -> FrameLook:
    """The :class:`FrameLook` of ``frame`` ``(1, 3, h, w)``."""
    return FrameLook(box_mean(frame, _BLUR), F.adaptive_avg_pool2d(frame, _CUT_GRID),
                     float(frame.mean()))


class _Change(NamedTuple):
    """The latest comparison of two frames (``current`` kept alive, so its storage cannot be
    reused by another frame while this is remembered)."""

    previous: torch.Tensor
    current: torch.Tensor
    current_look: FrameLook
    cut: bool
    motion: torch.Tensor | None


class ParamSmoother:
    """Causal, motion-aware EMA over parameter maps.

    ``p_t = w * p_{t-1} + (1 - w) * estimate_t`` with ``w = smoothing * (1 - motion)`` per pixel.
    ``smoothing`` 0 disables it (the output is the per-frame estimate, exactly).

    While nothing moves, :meth:`hold` lets the caller skip the estimate on up to
    ``max_hold`` frames in a row (the estimate of a still frame differs from the held
    parameters only by noise, which the average would mostly remove anyway).
    """

    def __init__(self, settings: SmoothingSettings | None = None) -> None:
        self.settings = settings or SmoothingSettings()
        self._params: torch.Tensor | None = None
        self._frame: torch.Tensor | None = None
        self._frame_look: FrameLook | None = None  # of _frame, once taken
        self._held = 0
        self._last_change: _Change | None = None
        self.cuts = 0
        self.last_was_cut = False

    def reset(self) -> None:
        """Forget the history (after a seek, a reconnect, or between unrelated images)."""
        self._params = None
        self._frame = None
        self._frame_look = None
        self._held = 0

    def hold(self, frame: torch.Tensor, smoothing: float) -> torch.Tensor | None:
        """The smoothed parameters ``(1, P, h, w)`` again for ``frame`` ``(1, 3, h, w)``, when
        nothing in it changed beyond noise since the previous frame (the motion map is zero
        everywhere, the mean level moved by under 1%, no cut) and fewer than ``max_hold`` frames
        in a row were held: the caller skips the estimate then. None otherwise: the caller
        estimates and calls the smoother. (The motion map alone misses a change of exposure,
        which moves its noise floor with it.)"""
        previous, previous_frame = self._params, self._frame
        if (smoothing <= 0.0 or previous is None or previous_frame is None
                or frame.shape[0] != 1 or previous_frame.shape != frame.shape
                or self._held >= self.settings.max_hold):
            return None
        cut, motion = self._change(previous_frame, frame)
        if (cut or motion is None or self._level_change() > _HOLD_LEVEL_CHANGE
                or bool(motion.max() > 0.0)):
            return None
        self._held += 1
        self._remember(frame)
        self.last_was_cut = False
        return previous

    def __call__(self, params: torch.Tensor, frame_low: torch.Tensor, smoothing: float) -> torch.Tensor:
        """Smooth ``params`` ``(B, P, h, w)`` estimated from ``frame_low`` ``(B, 3, h, w)``.

        The batch is taken as consecutive frames, in order. Returns ``(B, P, h, w)``.
        """
        if smoothing <= 0.0:
            self.reset()
            return params
        out = torch.empty_like(params)
        for i in range(params.shape[0]):
            out[i : i + 1] = self._step(params[i : i + 1], frame_low[i : i + 1], smoothing)
        return out

    def _step(self, params: torch.Tensor, frame: torch.Tensor, smoothing: float) -> torch.Tensor:
        previous, previous_frame = self._params, self._frame
        self.last_was_cut = False
        self._held = 0
        motion = None
        if (
            previous is not None
            and previous_frame is not None
            and previous.shape == params.shape
            and previous_frame.shape == frame.shape
        ):
            self.last_was_cut, motion = self._change(previous_frame, frame)
            self.cuts += self.last_was_cut
        self._remember(frame)
        if previous is None or motion is None:  # no usable history, or a cut
            self._params = params.detach().clone()
            return params
        smoothed = torch.lerp(params, previous, smoothing * (1.0 - motion))
        self._params = smoothed.detach()
        return smoothed

    def _change(self, previous: torch.Tensor,
                current: torch.Tensor) -> tuple[bool, torch.Tensor | None]:
        """Whether ``current`` ``(1, 3, h, w)`` is a cut after ``previous``, and if not, the
        motion map between them (:meth:`_motion`). The last answer is kept: :meth:`hold` and the
        smoothing step after it ask about the same pair of frames."""
        last = self._last_change
        if (last is None or last.previous is not previous
                or not _same_storage(last.current, current)):
            before, now = self._look_of(previous), look_at(current)
            cut = self._detect_cut(before, now)
            last = self._last_change = _Change(previous, current, now, cut,
                                               None if cut else self._motion(before, now))
        return last.cut, last.motion

    def _look_of(self, frame: torch.Tensor) -> FrameLook:
        """The look of ``frame``: the one kept when it is the remembered previous frame."""
        if frame is not self._frame or self._frame_look is None:
            return look_at(frame)
        return self._frame_look

    def _remember(self, frame: torch.Tensor) -> None:
        """Keep a copy of ``frame`` ``(1, 3, h, w)`` as the previous frame, with its look when
        :meth:`_change` just took it."""
        last = self._last_change
        self._frame = frame.detach().clone()
        self._frame_look = (last.current_look if last is not None
                            and _same_storage(last.current, frame) else None)

    def _level_change(self) -> float:
        """Relative change of the mean level between the two frames :meth:`_change` compared
        last."""
        assert self._last_change is not None
        before = self._look_of(self._last_change.previous).level
        now = self._last_change.current_look.level
        return abs(now - before) / max(before, 1e-3)

    def _detect_cut(self, previous: FrameLook, current: FrameLook) -> bool:
        """A cut is a large change of the frame's coarse layout: the means of a 6x8 grid of
        cells (hundreds of pixels each, so sensor noise cannot trigger it), relative to the
        frame's level."""
        change = (current.cells - previous.cells).abs().mean()
        level = 0.5 * (current.cells.mean() + previous.cells.mean()) + 0.02
        return float(change / level) > self.settings.cut_threshold

    def _motion(self, previous: FrameLook, current: FrameLook) -> torch.Tensor:
        """Per-pixel motion in [0, 1], ``(1, 1, h, w)``: channel-mean difference of the 5x5
        box-blurred frames (the blur cuts sensor noise ~5x, so noise does not read as motion),
        dilated by ``motion_radius`` so the averaging also stops where the moving object still
        influences the estimate."""
        s = self.settings
        difference = (current.blurred - previous.blurred).abs().mean(dim=1, keepdim=True)
        # most of a frame is static, so the median difference measures the remaining noise
        floor = s.noise_floor + 2.5 * float(difference.median())
        difference = max_filter(difference, 2 * s.motion_radius + 1)
        return ((difference - floor) / s.motion_range).clamp_(0.0, 1.0)


def _same_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Whether ``a`` and ``b`` are views of the same samples (a frame and a slice of it)."""
    return a.data_ptr() == b.data_ptr() and a.shape == b.shape

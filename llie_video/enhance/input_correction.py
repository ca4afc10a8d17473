"""The input's black point and white balance, measured on each small frame and smoothed over time
(:mod:`llie_video.ops.input_levels` says what they are)."""

from __future__ import annotations

import torch

from llie_video.ops.input_levels import InputLevels, black_point, grey_world_gains


class InputCorrection:
    """Per frame: the :class:`InputLevels` to apply, from the black point at ``black_clip``
    percent and the grey-world gains at ``white_balance``, each an EMA over frames with weight
    ``smoothing`` on the past (so the levels do not pump with a passing light)."""

    def __init__(self) -> None:
        self._black: float | None = None
        self._gains: tuple[float, float, float] | None = None

    def reset(self) -> None:
        """Forget the past frames' levels (scene cuts, unrelated frames)."""
        self._black = self._gains = None

    def __call__(self, x_low: torch.Tensor, black_clip: float, white_balance: float,
                 smoothing: float) -> InputLevels:
        """The levels for the small frame ``x_low`` ``(1, 3, h, w)`` in [0, 1]."""
        if black_clip <= 0.0 and white_balance <= 0.0:
            self.reset()
            return InputLevels()
        black = black_point(x_low, black_clip)
        gains = grey_world_gains(x_low, white_balance)
        if self._black is not None and self._gains is not None and smoothing > 0.0:
            black = smoothing * self._black + (1.0 - smoothing) * black
            gains = tuple(smoothing * old + (1.0 - smoothing) * new  # type: ignore[assignment]
                          for old, new in zip(self._gains, gains))
        self._black, self._gains = black, gains
        return InputLevels.of(black, gains)

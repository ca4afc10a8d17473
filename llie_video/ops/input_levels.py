"""Black point and white balance of the input, measured on the small frame, applied before the
render as one affine map per channel: ``x' = clamp(x * scale_c + offset_c, 0, 1)``.

- **Black point.** A camera's black is rarely code 0: a pedestal, flare or a noise floor lifts
  it, and a curve that multiplies the darkest values 5-15x turns that lift into milky grey.
  The luma at the ``black_clip`` percentile of the small frame (at most :data:`MAX_BLACK`) is
  mapped to 0 and the range stretched back to 1, so regions that hold only that floor stay black.
- **White balance** (optional). A sensor tint in the dark (green, lilac, orange street light) is
  what the curves amplify along with everything else. Grey-world gains (each channel's mean to
  the mean of the three, over pixels neither near black nor clipped), clamped to
  :data:`MAX_GAIN` either way, are applied with the exponent ``white_balance``: 0 leaves the
  colours as they are, 1 makes the frame's average neutral.

Both are measured per frame and, in video, smoothed over time by the caller so they do not pump.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from llie_video.ops.color import luma

MAX_BLACK = 0.08  # the black point never exceeds this (20 of 255 codes)
MAX_GAIN = 1.6  # white-balance gains stay within [1 / MAX_GAIN, MAX_GAIN]
_NEAR_BLACK, _NEAR_WHITE = 0.02, 0.98
_SAMPLES = 16384


@dataclass(frozen=True)
class InputLevels:
    """Per-channel affine correction of the input: ``x * scale + offset``, RGB order."""

    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def identity(self) -> bool:
        return self.scale == (1.0, 1.0, 1.0) and self.offset == (0.0, 0.0, 0.0)

    @classmethod
    def of(cls, black: float, gains: tuple[float, float, float]) -> InputLevels:
        """The map that applies ``gains`` and then sends ``black`` to 0 and 1 to 1."""
        stretch = 1.0 / (1.0 - black)
        return cls(tuple(g * stretch for g in gains), (-black * stretch,) * 3)  # type: ignore[arg-type]


def black_point(x_low: torch.Tensor, clip: float) -> float:
    """The luma (0-1) at the ``clip`` percentile of the small frame ``x_low`` ``(1, 3, h, w)``,
    at most :data:`MAX_BLACK`; 0 when ``clip`` is 0."""
    if clip <= 0.0:
        return 0.0
    values = luma(x_low.float()).flatten()
    if values.numel() > _SAMPLES:
        values = values[:: values.numel() // _SAMPLES]
    return min(float(torch.quantile(values, clip / 100.0)), MAX_BLACK)


def grey_world_gains(x_low: torch.Tensor, share: float) -> tuple[float, float, float]:
    """Gains ``(r, g, b)`` that bring the mean of each channel of ``x_low`` ``(1, 3, h, w)`` to
    the mean of the three over its pixels neither near black nor clipped, raised to ``share``
    (0: no correction) and clamped to ``[1 / MAX_GAIN, MAX_GAIN]``.

    >>> tinted = torch.tensor([0.2, 0.3, 0.4]).view(1, 3, 1, 1).expand(1, 3, 4, 4)
    >>> [round(g, 3) for g in grey_world_gains(tinted, 1.0)]
    [1.5, 1.0, 0.75]
    """
    if share <= 0.0:
        return (1.0, 1.0, 1.0)
    x = x_low.float().flatten(2)[0]  # (3, N)
    usable = (x.amax(0) < _NEAR_WHITE) & (x.amin(0) > _NEAR_BLACK)
    if int(usable.sum()) < 16:
        return (1.0, 1.0, 1.0)
    means = x[:, usable].mean(1)
    gains = (means.mean() / means).pow(share).clamp(1.0 / MAX_GAIN, MAX_GAIN)
    return tuple(float(g) for g in gains)  # type: ignore[return-value]


def apply_levels(x: torch.Tensor, levels: InputLevels) -> torch.Tensor:
    """``x`` ``(B, 3, H, W)`` corrected by ``levels`` and clamped to [0, 1], in place (``x``
    itself when ``levels`` is the identity)."""
    if levels.identity:
        return x
    scale = torch.tensor(levels.scale, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    offset = torch.tensor(levels.offset, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return x.mul_(scale).add_(offset).clamp_(0.0, 1.0)

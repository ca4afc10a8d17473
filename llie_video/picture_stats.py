"""No-reference statistics of a picture and of what the enhancement did to it.

What a viewer would notice without a reference: how bright the picture is (mean luma), whether
its blacks are still black (the 1st percentile of luma: a milky lift raises it), how much was
newly clipped to white, how saturated its colours are against its input (HSV saturation of the
pixels bright enough to have a colour; a ratio above 1 means colours were pushed, as a sensor tint
amplified is), whether the colours of what was already well exposed kept their hue (an orange sunset
must not come out cyan), and how noisy its flat regions are (Immerkaer's estimate, which edges do not
inflate; :func:`llie_video.ops.noise.noise_sigma`). All figures are on the 0-255 scale of 8-bit
RGB ``(H, W, 3)`` uint8 pictures, except saturation (0-1).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, fields

import cv2
import numpy as np

from llie_video.colour_figures import chroma_ratio, farthest_from_one
from llie_video.ops.noise import noise_sigma

CLIPPED = 250  # a channel at or above this code counts as clipped to white
COLOURED = 32  # pixels whose brightest channel is below this have no colour to speak of
HUE_VALUE = 64 / 255  # input pixels at least this bright (HSV value) and
HUE_SATURATION = 0.25  # at least this saturated have a hue that should survive the enhancement
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class PictureStats:
    """One picture's figures (0-255): ``mean_luma``; ``black_level``, the 1st percentile of
    luma; ``clipped``, the share of pixels with a channel at 250 or more; ``saturation``, the
    mean HSV saturation (0-1) of the pixels whose brightest channel reaches 32 (0 if none do);
    ``noise``, the noise sigma of luma in flat regions."""

    mean_luma: float
    black_level: float
    clipped: float
    saturation: float
    noise: float

    @classmethod
    def of(cls, rgb: np.ndarray) -> PictureStats:
        y = rgb.astype(np.float32) @ _LUMA
        brightest, darkest = rgb.max(2).astype(np.float32), rgb.min(2).astype(np.float32)
        coloured = brightest >= COLOURED
        saturation = ((brightest - darkest)[coloured] / brightest[coloured]).mean() \
            if coloured.any() else 0.0
        return cls(mean_luma=float(y.mean()), black_level=float(np.percentile(y, 1)),
                   clipped=float((brightest >= CLIPPED).mean()), saturation=float(saturation),
                   noise=noise_sigma(y))


@dataclass(frozen=True)
class EnhancementStats:
    """What an enhancement did, averaged over pictures: the input's and the output's
    :class:`PictureStats`, the share of pixels clipped in the output but not in the input
    (``newly_clipped``), the output's saturation over the input's (``saturation_ratio``; 1
    keeps the input's colours, above 1 pushes them), and :func:`hue_shift` in degrees, its mean
    over the pictures that have well-exposed colourful pixels and its worst picture
    (``hue_shift``, ``hue_shift_worst``; 0 when no picture has such pixels) with that picture's
    index in the pairs measured (``hue_shift_worst_index``, -1 when none), and the output's
    CIELAB chroma over the input's (:func:`llie_video.colour_figures.chroma_ratio`), its mean
    (``chroma_ratio``) and the picture farthest from 1 (``chroma_worst``, at
    ``chroma_worst_index``)."""

    pictures: int
    input: PictureStats
    output: PictureStats
    newly_clipped: float
    saturation_ratio: float
    hue_shift: float
    hue_shift_worst: float
    hue_shift_worst_index: int
    chroma_ratio: float
    chroma_worst: float
    chroma_worst_index: int


def hue_shift(before: np.ndarray, after: np.ndarray) -> float | None:
    """Mean absolute change of hue, in degrees (0-180), of the pixels of ``before`` that are
    well exposed and colourful (HSV value >= 64/255 and saturation >= 0.25), ``before`` and
    ``after`` ``(H, W, 3)`` uint8 RGB of one size; None if ``before`` has no such pixel.

    Brightening may rightly neutralise a dark pixel's sensor tint, but a colour that was already
    visible should keep its hue: a large figure is a cast (a sunset turned cyan).
    """
    hsv_before = cv2.cvtColor(before.astype(np.float32) / 255, cv2.COLOR_RGB2HSV)
    hsv_after = cv2.cvtColor(after.astype(np.float32) / 255, cv2.COLOR_RGB2HSV)
    judged = (hsv_before[..., 2] >= HUE_VALUE) & (hsv_before[..., 1] >= HUE_SATURATION)
    if not judged.any():
        return None
    change = np.abs(hsv_after[..., 0][judged] - hsv_before[..., 0][judged])
    return float(np.minimum(change, 360 - change).mean())


def _mean_stats(stats: Sequence[PictureStats]) -> PictureStats:
    return PictureStats(**{f.name: statistics.fmean(getattr(s, f.name) for s in stats)
                           for f in fields(PictureStats)})


def enhancement_stats(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> EnhancementStats:
    """:class:`EnhancementStats` of ``(input, output)`` picture pairs (``(H, W, 3)`` uint8,
    same size); ``saturation_ratio`` is the mean of the per-picture ratios."""
    if not pairs:
        raise ValueError("no pictures to measure")
    inputs = [PictureStats.of(i) for i, _ in pairs]
    outputs = [PictureStats.of(o) for _, o in pairs]
    newly = [float(((o.max(2) >= CLIPPED) & (i.max(2) < CLIPPED)).mean()) for i, o in pairs]
    ratios = [o.saturation / max(i.saturation, 0.01) for i, o in zip(inputs, outputs)]
    hues = {k: h for k, h in enumerate(hue_shift(i, o) for i, o in pairs) if h is not None}
    worst = max(hues, key=hues.__getitem__, default=-1)
    chromas = [chroma_ratio(o, i) for i, o in pairs]
    farthest = farthest_from_one(chromas)
    return EnhancementStats(len(pairs), _mean_stats(inputs), _mean_stats(outputs),
                            statistics.fmean(newly), statistics.fmean(ratios),
                            statistics.fmean(hues.values()) if hues else 0.0, hues.get(worst, 0.0),
                            worst, statistics.fmean(chromas), chromas[farthest], farthest)


def format_stats(stats: EnhancementStats) -> str:
    """A small table of ``stats`` for the terminal."""
    lines = [f"no-reference statistics over {stats.pictures} picture(s), 0-255:",
             f"  {'':8s} {'mean luma':>9s} {'black (1%)':>10s} {'clipped':>8s} "
             f"{'saturation':>10s} {'noise':>6s}"]
    for name, s in (("input", stats.input), ("output", stats.output)):
        lines.append(f"  {name:8s} {s.mean_luma:9.1f} {s.black_level:10.1f} {100 * s.clipped:7.2f}% "
                     f"{s.saturation:10.2f} {s.noise:6.2f}")
    lines.append(f"  newly clipped {100 * stats.newly_clipped:.2f}%, saturation ratio "
                 f"(output / input) {stats.saturation_ratio:.2f}")
    lines.append(f"  hue shift of well-exposed colours {stats.hue_shift:.1f} degrees on average, "
                 f"{stats.hue_shift_worst:.1f} on the worst picture")
    lines.append(f"  CIELAB chroma ratio (output / input) {stats.chroma_ratio:.2f} on average, "
                 f"{stats.chroma_worst:.2f} on the picture farthest from 1")
    return "\n".join(lines)


def contact_sheet(pairs: Sequence[tuple[np.ndarray, np.ndarray]], columns: int = 4,
                  width: int = 320) -> np.ndarray:
    """A before/after sheet ``(H, W, 3)`` uint8: up to ``columns`` pictures (evenly spread over
    ``pairs``) side by side, each ``width`` pixels wide, its input above its output; columns of
    other aspect ratios are padded with black at the bottom."""
    if not pairs:
        raise ValueError("no pictures for a contact sheet")
    step = max(1, len(pairs) // columns)
    chosen = list(pairs)[::step][:columns]

    def scaled(rgb: np.ndarray) -> np.ndarray:
        height = max(1, round(rgb.shape[0] * width / rgb.shape[1]))
        return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)

    stacked = [np.vstack([scaled(before), scaled(after)]) for before, after in chosen]
    height = max(c.shape[0] for c in stacked)
    return np.hstack([np.pad(c, ((0, height - c.shape[0]), (0, 0), (0, 0))) for c in stacked])

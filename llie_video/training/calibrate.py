"""Post-training calibration: the output gamma of curve models, fitted on training-split pairs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from llie_video.data.datasets import list_images, select_well_exposed, synthetic_validation_set
from llie_video.data.degradation import DegradationConfig
from llie_video.data.splits import select_split
from llie_video.metrics import psnr_per_image
from llie_video.models.zero_dce import CurveModel
from llie_video.ops.color import adjust_gamma

GAMMA_CANDIDATES = tuple(round(0.6 + 0.05 * i, 2) for i in range(21))  # 0.6 ... 1.6
CALIBRATION_SEED = 1


def calibration_pairs(
    root: Path, count: int, luma_range: tuple[float, float], degradation: DegradationConfig
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``count`` synthetic pairs from well-exposed images of the *train* split (never the
    validation split), seeded by ``(CALIBRATION_SEED, file name)``."""
    images = select_well_exposed(select_split(list_images(root), "train"), luma_range)
    step = max(1, len(images) // count)
    return synthetic_validation_set(images[::step][:count], degradation, CALIBRATION_SEED)


@torch.no_grad()
def fit_output_gamma(
    model: CurveModel,
    pairs: Sequence[tuple[torch.Tensor, torch.Tensor]],
    candidates: Sequence[float] = GAMMA_CANDIDATES,
) -> float:
    """The candidate output gamma with the best mean PSNR on ``pairs`` (each ``(3, H, W)``).

    The curves are rendered once per pair with gamma 1 and each candidate is applied on top.
    """
    totals = dict.fromkeys(candidates, 0.0)
    original = model.output_gamma
    model.output_gamma = 1.0
    try:
        for low, high in pairs:
            curves = model(low[None]).clamp(0, 1)
            for gamma in candidates:
                totals[gamma] += float(psnr_per_image(adjust_gamma(curves, gamma), high[None])[0])
    finally:
        model.output_gamma = original
    return max(candidates, key=lambda g: totals[g])


__all__ = ["calibration_pairs", "fit_output_gamma"]

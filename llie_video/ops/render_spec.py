"""What the fused YUV kernel needs to know of a model's render (see llie_video.ops.fused_yuv)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from llie_video.ops.retinex import ILLUMINATION_FLOOR


class RenderKind(IntEnum):
    """The weight-free formulas models render with."""

    CURVES = 0  # one shared 3-channel curve map applied ``iterations`` times (Zero-DCE++)
    CURVES_PER_STEP = 1  # ``3 * iterations`` channels: one map per curve step (Zero-DCE)
    RETINEX = 2  # 3-channel illumination: ``x / clamp(L, floor, 1)`` (SCI)


@dataclass(frozen=True)
class RenderSpec:
    """A model's :meth:`render` in terms the fused kernel implements.

    Attributes:
        kind: the formula.
        iterations: curve steps (curve kinds).
        floor: lower bound of the illumination (Retinex).
        output_gamma: the model's own gamma post-op, ``x ** (1 / output_gamma)`` (1: none).
        colour_transform: the parameter map ends with the 12 maps of an affine colour transform
            applied after the formula (:mod:`llie_video.ops.colour_transform`).
    """

    kind: RenderKind
    iterations: int = 8
    floor: float = ILLUMINATION_FLOOR
    output_gamma: float = 1.0
    colour_transform: bool = False

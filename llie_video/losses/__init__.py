"""Training losses: zero-reference (Zero-DCE), Retinex stage losses (SCI), supervised pairs.

Every loss is a pure function of tensors and returns a scalar tensor; nothing here moves data
between devices.
"""

from llie_video.losses.retinex import edge_aware_smoothness, stage_fidelity
from llie_video.losses.supervised import colour_angle_loss, l1_loss, ssim_loss
from llie_video.losses.zero_reference import (
    ZeroReferenceWeights,
    colour_constancy_loss,
    exposure_control_loss,
    illumination_smoothness_loss,
    spatial_consistency_loss,
    zero_reference_loss,
)

__all__ = [
    "ZeroReferenceWeights",
    "colour_angle_loss",
    "colour_constancy_loss",
    "edge_aware_smoothness",
    "exposure_control_loss",
    "illumination_smoothness_loss",
    "l1_loss",
    "spatial_consistency_loss",
    "ssim_loss",
    "stage_fidelity",
    "zero_reference_loss",
]

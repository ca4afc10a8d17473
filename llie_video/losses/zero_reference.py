"""Zero-reference losses of Zero-DCE (Guo et al., CVPR 2020): no target image is needed.

``enhanced`` and ``original`` are ``(B, 3, H, W)`` in [0, 1]; curve parameter maps are
``(B, P, h, w)``. Each function returns a scalar tensor.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

SPATIAL_POOL = 4
EXPOSURE_PATCH = 16


@dataclass(frozen=True)
class ZeroReferenceWeights:
    """Weights of the four terms and the exposure target level.

    The defaults are Zero-DCE's (1 / 10 / 5 / 200); Zero-DCE++ uses ``smoothness=1600``, the
    improved variant 1.5x Zero-DCE's smoothness (300).
    """

    spatial: float = 1.0
    exposure: float = 10.0
    colour: float = 5.0
    smoothness: float = 200.0
    exposure_level: float = 0.6
    exposure_patch: int = EXPOSURE_PATCH


def spatial_consistency_loss(enhanced: torch.Tensor, original: torch.Tensor) -> torch.Tensor:
    """Keep the contrast between each 4x4 region and its four neighbours.

    Channel means are average-pooled over 4x4 regions; the differences to the left, right, upper
    and lower neighbour (zero padding at the border) must match between the two images.
    """
    e = F.avg_pool2d(enhanced.mean(1, keepdim=True), SPATIAL_POOL)
    o = F.avg_pool2d(original.mean(1, keepdim=True), SPATIAL_POOL)
    total = torch.zeros((), dtype=enhanced.dtype, device=enhanced.device)
    for d_e, d_o in zip(_neighbour_differences(e), _neighbour_differences(o), strict=True):
        total = total + (d_o - d_e).pow(2).mean()
    return total


def _neighbour_differences(x: torch.Tensor) -> list[torch.Tensor]:
    """``x - neighbour`` for left, right, up, down with zero padding: 4 x ``(B, 1, h, w)``."""
    p = F.pad(x, (1, 1, 1, 1))
    h, w = x.shape[-2:]
    return [
        x - p[..., 1 : h + 1, 0:w],
        x - p[..., 1 : h + 1, 2 : w + 2],
        x - p[..., 0:h, 1 : w + 1],
        x - p[..., 2 : h + 2, 1 : w + 1],
    ]


def exposure_control_loss(
    enhanced: torch.Tensor, level: float = 0.6, patch: int = EXPOSURE_PATCH
) -> torch.Tensor:
    """Mean squared distance of the ``patch x patch`` average intensities to ``level``."""
    means = F.avg_pool2d(enhanced.mean(1, keepdim=True), patch)
    return (means - level).pow(2).mean()


def colour_constancy_loss(enhanced: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Grey-world: the channel means should agree.

    ``sqrt(D_rg^2 + D_rb^2 + D_gb^2 + eps)`` per image, ``D_ij = (mean_i - mean_j)^2``; ``eps``
    keeps the gradient finite on grey images, where the sum is 0.
    """
    m = enhanced.mean((2, 3))
    r, g, b = m[:, 0], m[:, 1], m[:, 2]
    d = torch.stack([(r - g) ** 2, (r - b) ** 2, (g - b) ** 2], 1)
    return torch.sqrt(d.pow(2).sum(1) + eps).mean()


def illumination_smoothness_loss(params: torch.Tensor) -> torch.Tensor:
    """Total variation of the curve maps ``(B, P, h, w)``: mean squared horizontal plus vertical
    differences, times 2 per image as in Zero-DCE's ``L_TV`` (summed over the ``P`` channels)."""
    b = params.shape[0]
    dh = (params[..., 1:, :] - params[..., :-1, :]).pow(2).sum()
    dw = (params[..., :, 1:] - params[..., :, :-1]).pow(2).sum()
    count_h = max(1, (params.shape[-2] - 1) * params.shape[-1])
    count_w = max(1, params.shape[-2] * (params.shape[-1] - 1))
    return 2.0 * (dh / count_h + dw / count_w) / b


def zero_reference_loss(
    enhanced: torch.Tensor,
    original: torch.Tensor,
    params: torch.Tensor,
    weights: ZeroReferenceWeights = ZeroReferenceWeights(),
) -> torch.Tensor:
    """The weighted sum of the four terms; ``original`` is the input at ``enhanced``'s size."""
    return (
        weights.spatial * spatial_consistency_loss(enhanced, original)
        + weights.exposure
        * exposure_control_loss(enhanced, weights.exposure_level, weights.exposure_patch)
        + weights.colour * colour_constancy_loss(enhanced)
        + weights.smoothness * illumination_smoothness_loss(params)
    )

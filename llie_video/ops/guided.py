"""Edge-aware upsampling of parameter maps: the fast guided filter (He & Sun, 2015).

Parameters estimated at ~96 px and upsampled smoothly spill the lift a dark object needs onto the
bright sky beside it: a halo along every dark edge. Instead, the map is modelled at low resolution
as locally linear in the frame's luma, ``p = A * g + b`` over each small window (a guided filter
with the low-resolution luma ``g_low`` as guide); ``A`` and ``b`` are smooth, so they upsample
without harm, and the full-resolution map ``A * g + b`` follows the full-resolution luma's edges.

``eps`` sets how strong an edge must be to be followed: windows whose luma varies less than
``sqrt(eps)`` get ``A ~ 0`` (the map's local mean, as plain upsampling gives).
"""

from __future__ import annotations

import torch

from llie_video.ops.filters import box_mean
from llie_video.ops.render_spec import RenderKind

GUIDE_RADIUS = 4  # low-resolution pixels: 9x9 windows, about the spread of the estimators
GUIDE_EPS = 4e-4  # luma variance (luma in [0, 1]) below which the map is just smoothed


def guided_coefficients(guide: torch.Tensor, params: torch.Tensor, radius: int = GUIDE_RADIUS,
                        eps: float = GUIDE_EPS) -> torch.Tensor:
    """The guided filter's linear coefficients of ``params`` ``(B, P, h, w)`` on ``guide``
    ``(B, 1, h, w)`` (luma in [0, 1]): ``(B, 2P, h, w)``, the slopes ``A`` then the offsets
    ``b``, each averaged over the windows that cover a sample (so the result is smooth).

    >>> g = torch.linspace(0, 1, 16).view(1, 1, 4, 4)
    >>> ab = guided_coefficients(g, 2 * g + 0.5, eps=1e-8)
    >>> torch.allclose(apply_coefficients(ab, g), 2 * g + 0.5, atol=1e-4)
    True
    """
    size = 2 * radius + 1
    guide, params = guide.float(), params.float()
    channels = params.shape[1]
    stacked = torch.cat([guide, params, guide * guide, guide * params], 1)
    means = box_mean(stacked, size)
    mean_g, mean_p = means[:, :1], means[:, 1 : 1 + channels]
    mean_gg, mean_gp = means[:, 1 + channels : 2 + channels], means[:, 2 + channels :]
    slope = (mean_gp - mean_g * mean_p) / (mean_gg - mean_g * mean_g + eps)
    offset = mean_p - slope * mean_g
    return box_mean(torch.cat([slope, offset], 1), size)


def apply_coefficients(coefficients: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
    """``A * guide + b`` from ``coefficients`` ``(B, 2P, H, W)`` (already at the guide's size)
    and ``guide`` ``(B, 1, H, W)``: the parameter map ``(B, P, H, W)``."""
    channels = coefficients.shape[1] // 2
    return torch.addcmul(coefficients[:, channels:], coefficients[:, :channels], guide)


def clamp_params(params: torch.Tensor, kind: RenderKind) -> torch.Tensor:
    """Bring a reconstructed map back into its model's range, in place: curve parameters into
    [-1, 1] (the range Zero-DCE's tanh gives, where the curve keeps [0, 1] in [0, 1]); an
    illumination map is clamped by the Retinex render itself."""
    if kind in (RenderKind.CURVES, RenderKind.CURVES_PER_STEP):
        params.clamp_(-1.0, 1.0)
    return params

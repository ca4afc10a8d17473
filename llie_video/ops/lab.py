"""CIELAB in torch: differentiable sRGB -> L*a*b* (D65) and chroma, for colour losses.

The evaluation's CIEDE2000 uses scikit-image (:mod:`llie_video.colour_figures`); this module is
the differentiable twin that training needs, tested against scikit-image's conversion.
"""

from __future__ import annotations

import torch

# sRGB (linear) -> XYZ, D65 white, rows X, Y, Z (IEC 61966-2-1), each row divided by the white's
# coordinate so that white maps to (1, 1, 1).
_WHITE = (0.95047, 1.0, 1.08883)
_RGB_TO_XYZ = (
    (0.412453, 0.357580, 0.180423),
    (0.212671, 0.715160, 0.072169),
    (0.019334, 0.119193, 0.950227),
)
_EPSILON = (6.0 / 29.0) ** 3
_KAPPA_SLOPE = (29.0 / 6.0) ** 2 / 3.0


def srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    """The sRGB transfer function undone: ``x`` in [0, 1], any shape, to linear light."""
    return torch.where(x > 0.04045, ((x.clamp_min(0.04045) + 0.055) / 1.055) ** 2.4, x / 12.92)


def rgb_to_lab(x: torch.Tensor) -> torch.Tensor:
    """CIELAB ``(B, 3, H, W)`` (L* in [0, 100], a* and b* roughly [-128, 127]) of sRGB ``x``
    ``(B, 3, H, W)`` in [0, 1], D65 white; differentiable everywhere.

    >>> lab = rgb_to_lab(torch.ones(1, 3, 1, 1))  # white
    >>> round(lab[0, 0].item(), 2), bool(lab[0, 1:].abs().max() < 0.01)
    (100.0, True)
    """
    linear = srgb_to_linear(x.clamp(0.0, 1.0))
    matrix = torch.tensor(_RGB_TO_XYZ, dtype=x.dtype, device=x.device)
    matrix = matrix / torch.tensor(_WHITE, dtype=x.dtype, device=x.device)[:, None]
    xyz = torch.einsum("kc,bchw->bkhw", matrix, linear)
    f = torch.where(xyz > _EPSILON, xyz.clamp_min(_EPSILON) ** (1.0 / 3.0),
                    xyz * _KAPPA_SLOPE + 4.0 / 29.0)
    fx, fy, fz = f[:, 0:1], f[:, 1:2], f[:, 2:3]
    return torch.cat([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], dim=1)


def lab_chroma(lab: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """C*ab ``(B, 1, H, W)`` of CIELAB ``lab`` ``(B, 3, H, W)``: ``sqrt(a*^2 + b*^2)``
    (``eps`` keeps its gradient finite at grey)."""
    return (lab[:, 1:2] ** 2 + lab[:, 2:3] ** 2 + eps).sqrt()


__all__ = ["lab_chroma", "rgb_to_lab", "srgb_to_linear"]

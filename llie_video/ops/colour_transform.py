"""A per-pixel affine colour transform: the colour step of the learned render.

A model predicts, at low resolution, 12 maps ``t`` in [-1, 1]: a 3x3 matrix ``D`` (row-major,
maps 0-8) and an offset ``o`` (maps 9-11), and each pixel becomes ``x + D x + w(x) o``: the
identity when the maps are 0, so a model grows the step from where its curves left off. The
offset's weight ``w(x) = min(1, max(x) / BLACK_KNEE)`` fades it out toward black, so black stays
black: a plain offset let a model trained on real pairs (whose dark areas are lit in the
targets) lift the black of night footage into a flat haze of about 50 codes. Upsampled (and
edge-aware, as guided-filter coefficients on the luma) the maps form a grid of colour transforms
blended across the frame, which moves colour per region, as a per-pixel curve cannot (HDRNet,
Gharbi et al. 2017, slices a bilateral grid of such transforms; here the guide's linear model
plays the grid's luma axis).
"""

from __future__ import annotations

import torch

COLOUR_TRANSFORM_CHANNELS = 12
BLACK_KNEE = 0.25  # the pixel value (brightest channel) from which the offset applies in full


def apply_colour_transform(x: torch.Tensor, transform: torch.Tensor) -> torch.Tensor:
    """``clamp(x + D x + w(x) o, 0, 1)`` per pixel, ``w(x) = min(1, max(x) / BLACK_KNEE)``.

    Args:
        x: ``(B, 3, H, W)`` in [0, 1].
        transform: ``(B, 12, H, W)``: ``D`` row by row (maps 0-8: ``D[c, k]`` is map
            ``3 c + k``), then ``o`` (maps 9-11).

    Returns:
        A new ``(B, 3, H, W)`` tensor in [0, 1].

    >>> x = torch.full((1, 3, 1, 1), 0.5)
    >>> t = torch.zeros(1, 12, 1, 1); t[:, 0] = 0.5; t[:, 11] = 0.1
    >>> [round(v, 3) for v in apply_colour_transform(x, t).flatten().tolist()]
    [0.75, 0.5, 0.6]
    """
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    weight = (x.amax(1, keepdim=True) * (1.0 / BLACK_KNEE)).clamp(max=1.0)
    rows = []
    for c in range(3):
        d = transform[:, 3 * c : 3 * c + 3]
        rows.append(x[:, c : c + 1] + d[:, 0:1] * r + d[:, 1:2] * g + d[:, 2:3] * b
                    + weight * transform[:, 9 + c : 10 + c])
    return torch.cat(rows, dim=1).clamp(0.0, 1.0)


__all__ = ["BLACK_KNEE", "COLOUR_TRANSFORM_CHANNELS", "apply_colour_transform"]

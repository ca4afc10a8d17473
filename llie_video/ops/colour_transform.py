"""A per-pixel affine colour transform: the colour step of the learned render.

A model predicts, at low resolution, 12 maps ``t`` in [-1, 1]: a 3x3 matrix ``D`` (row-major,
maps 0-8) and an offset ``o`` (maps 9-11), and each pixel becomes ``x + D x + w(x) o``: the
identity when the maps are 0, so a model grows the step from where its curves left off. The
offset's weight ``w(x) = min(1, max(x) / BLACK_KNEE)`` fades it out toward black, so black stays
black: a plain offset let a model trained on real pairs (whose dark areas are lit in the
targets) lift the black of night footage into a flat haze of about 50 codes. Upsampled, the maps
form a grid of colour transforms blended across the frame, which moves colour per region, as a
per-pixel curve cannot (HDRNet, Gharbi et al. 2017, slices a bilateral grid of such transforms).

The maps are smooth and the transform linear, so they are upsampled plainly (the curve maps before
them follow edges with the guided filter, :mod:`llie_video.ops.guided`) and evaluated once per 2x2
pixel block, the 4:2:0 chroma grid (:func:`upsample_with_colour`): the fused CPU pass computes a
twelfth of the coefficients it would per pixel, and training, the torch routes and the kernel all
apply the same maps.
"""

from __future__ import annotations

from typing import Any

import torch

from llie_video.ops.resize import upsample_params

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


def split_colour_maps(params: torch.Tensor, colour_transform: bool
                      ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A render's maps ``(B, P, ...)`` as its own (curves, or their guided-filter coefficients)
    and, with ``colour_transform``, the colour transform's 12 that end them: ``(B, P - 12, ...)``
    and ``(B, 12, ...)`` views; else ``(params, None)``."""
    if not colour_transform:
        return params, None
    own = params.shape[1] - COLOUR_TRANSFORM_CHANNELS
    return params[:, :own], params[:, own:]


def repeat_per_block(grid: torch.Tensor, height: Any, width: Any) -> torch.Tensor:
    """Each sample of ``grid`` ``(B, C, ceil(H/2), ceil(W/2))`` over its 2x2 pixel block:
    ``(B, C, H, W)``, in index arithmetic (valid for the traced sizes of an exported graph)."""
    rows = torch.arange(height, device=grid.device) // 2
    columns = torch.arange(width, device=grid.device) // 2
    return grid.index_select(-2, rows).index_select(-1, columns)


def colour_maps_per_block(transform: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The colour maps ``transform`` ``(B, 12, h, w)`` at a frame of ``size`` ``(H, W)`` as the
    render applies them: corner-aligned bilinear on the grid of 2x2 pixel blocks
    ``(ceil(H/2), ceil(W/2))``, each block's transform repeated over its pixels:
    ``(B, 12, H, W)``.

    >>> t = torch.tensor([[[[0.0, 1.0]]]])
    >>> colour_maps_per_block(t, (2, 5)).tolist()
    [[[[0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 0.5, 0.5, 1.0]]]]
    """
    height, width = size
    grid = upsample_params(transform, ((height + 1) // 2, (width + 1) // 2))
    return repeat_per_block(grid, height, width)


def upsample_with_colour(params: torch.Tensor, size: tuple[int, int],
                         colour_transform: bool) -> torch.Tensor:
    """Upsample a render's maps ``(B, P, h, w)`` to ``(B, P, *size)``: corner-aligned bilinear
    (:func:`llie_video.ops.resize.upsample_params`), the last 12 with ``colour_transform`` one
    transform per 2x2 block (:func:`colour_maps_per_block`)."""
    own, colour = split_colour_maps(params, colour_transform)
    if colour is None:
        return upsample_params(params, size)
    return torch.cat([upsample_params(own, size), colour_maps_per_block(colour, size)], dim=1)


__all__ = ["BLACK_KNEE", "COLOUR_TRANSFORM_CHANNELS", "apply_colour_transform",
           "colour_maps_per_block", "repeat_per_block", "split_colour_maps",
           "upsample_with_colour"]

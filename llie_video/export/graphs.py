"""The torch modules that are exported: the full-frame graph and the estimator alone.

The full-frame graph is what a runtime that runs one network per frame needs (ONNX Runtime,
GStreamer's ``onnxinference``, VapourSynth's vs-mlrt, OBS filters): RGB in [0, 1]
``(N, 3, H, W)`` in, the enhanced RGB of the same size out, any height and width. Inside, as
:meth:`~llie_video.models.base.EnhancementModel.forward`: downscale to the model's estimation size,
estimate, upsample the parameters (a colour transform's one per 2x2 block), render. The video stage's temporal smoothing, brightness
ceiling and highlight protection are not in it: they carry state between frames or are tuned per
job, and a per-frame runtime has no place for them.

The sizes and resampling coordinates are computed so that a traced graph (TorchScript) and an
exported one (``torch.export``, ONNX) stay valid for every size: sizes in integer arithmetic
(``torch.sym_max`` on symbolic sizes, tensor ops on traced ones), resampling written out as index
arithmetic (:func:`resize_bilinear`), so every runtime computes the same coordinates as torch
does (ONNX ``Resize`` computes align-corners coordinates differently, enough to move the Retinex
models' output by 2e-4).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from llie_video.models.base import EnhancementModel
from llie_video.ops.colour_transform import repeat_per_block, split_colour_maps

Size = Any  # an int, a symbolic int (torch.export) or a 0-dim int64 tensor (tracing)


def _max(a: Size, b: Size) -> Size:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.maximum(torch.as_tensor(a), torch.as_tensor(b))
    return torch.sym_max(a, b)


def _min(a: Size, b: Size) -> Size:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.minimum(torch.as_tensor(a), torch.as_tensor(b))
    return torch.sym_min(a, b)


def estimation_size(height: Size, width: Size, long_side: int | None) -> tuple[Size, Size]:
    """The estimation frame's size for a ``height x width`` frame: the long side brought down
    to ``long_side`` (never up), in exact integers, at least 1 pixel; what
    :func:`~llie_video.ops.resize.low_resolution_size` gives for
    :func:`~llie_video.models.base.estimation_scale`'s scale.

    >>> estimation_size(1080, 1920, 96)
    (54, 96)
    >>> estimation_size(35, 112, 96), estimation_size(50, 60, 96)
    ((30, 96), (50, 60))
    """
    if long_side is None:
        return height, width
    longest = _max(height, width)
    target = _min(longest, long_side)
    return _max(1, height * target // longest), _max(1, width * target // longest)


def _resize_axis(x: torch.Tensor, size: Size, dim: int, align_corners: bool) -> torch.Tensor:
    """Bilinear resampling of ``x`` along ``dim`` (-1 or -2) to ``size`` samples, with torch's
    coordinates (``align_corners`` as in ``F.interpolate``; no antialiasing)."""
    n = x.shape[dim]
    positions = torch.arange(size, device=x.device, dtype=torch.float32)
    if align_corners:
        source = positions * ((n - 1) / _max(size - 1, 1))
    else:
        source = ((positions + 0.5) * (n / size) - 0.5).clamp(min=0.0)
    source = source.clamp(max=n - 1)
    low = source.floor()
    weight = (source - low).to(x.dtype)
    low_index = low.long()
    high_index = (low_index + 1).clamp(max=n - 1)
    if dim == -2:
        weight = weight.unsqueeze(-1)
    first = x.index_select(dim, low_index)
    return first + weight * (x.index_select(dim, high_index) - first)


def resize_bilinear(x: torch.Tensor, size: tuple[Size, Size], align_corners: bool) -> torch.Tensor:
    """``(N, C, H, W) -> (N, C, *size)``, bilinear as ``F.interpolate`` (no antialiasing),
    one axis at a time, the axis that shrinks first."""
    height, width = size
    if align_corners:  # upsampling the parameters: widen the few rows first
        return _resize_axis(_resize_axis(x, width, -1, True), height, -2, True)
    return _resize_axis(_resize_axis(x, height, -2, False), width, -1, False)


class FullFrameGraph(nn.Module):
    """``image (N, 3, H, W)`` RGB in [0, 1] -> ``enhanced (N, 3, H, W)``: downscale to the
    model's estimation size, estimate, upsample the parameters (corners aligned), render."""

    def __init__(self, model: EnhancementModel) -> None:
        super().__init__()
        self.model = model.eval()
        self.long_side = model.estimation_long_side

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        height, width = image.shape[-2], image.shape[-1]
        x_low = image
        if self.long_side is not None:
            x_low = resize_bilinear(image, estimation_size(height, width, self.long_side), False)
        low = self.model.estimate(x_low)
        spec = self.model.render_spec()
        own, colour = split_colour_maps(low, spec is not None and spec.colour_transform)
        params = resize_bilinear(own, (height, width), True)
        if colour is not None:  # one transform per 2x2 block
            grid = resize_bilinear(colour, ((height + 1) // 2, (width + 1) // 2), True)
            params = torch.cat([params, repeat_per_block(grid, height, width)], dim=1)
        return self.model.render(image, params)


class EstimatorGraph(nn.Module):
    """``image (N, 3, h, w)`` RGB in [0, 1], already at the estimation size ->
    ``params (N, P, h, w)``: the model's :meth:`~llie_video.models.base.EnhancementModel.estimate`
    (what the ONNX Runtime backend runs; the video stage does the rest)."""

    def __init__(self, model: EnhancementModel) -> None:
        super().__init__()
        self.model = model.eval()

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model.estimate(image)


def export_graph(model: EnhancementModel, estimator_only: bool) -> nn.Module:
    """The module to export for ``model``: the estimator alone, or the full-frame graph."""
    return EstimatorGraph(model) if estimator_only else FullFrameGraph(model)

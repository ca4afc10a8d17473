"""4:2:0 Y'CbCr planes: their colour matrix and range, and conversions in torch.

:class:`YuvSpec` says how to read planes (matrix, range, bit depth);
:func:`planes_to_rgb` and :func:`rgb_to_planes` are the plain torch conversions used off the
fused CPU kernel (on CUDA, and as the eager reference). Reading them out of decoded PyAV frames
is :mod:`llie_video.enhance.av_planes`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from llie_video.ops.color import luma, rgb_to_yuv, yuv_to_rgb

BT2020 = (0.2627, 0.6780, 0.0593)


@dataclass(frozen=True)
class YuvSpec:
    """How code values map to colours.

    Attributes:
        matrix: luma weights ``(kr, kg, kb)`` (BT.601, BT.709 or BT.2020).
        full_range: luma 0..max (JPEG) rather than 16..235 scaled to the bit depth (MPEG).
        bit_depth: bits per sample of the input planes.
    """

    matrix: tuple[float, float, float]
    full_range: bool = False
    bit_depth: int = 8

    def levels(self, bit_depth: int | None = None) -> tuple[float, float, float, float]:
        """``(y_offset, y_scale, c_offset, c_scale)``: code = offset + scale * value, for luma
        in [0, 1] and chroma in [-0.5, 0.5], at ``bit_depth`` (default: the input's)."""
        bits = self.bit_depth if bit_depth is None else bit_depth
        unit = float(1 << (bits - 8))
        centre = float(1 << (bits - 1))
        if self.full_range:
            top = float((1 << bits) - 1)
            return 0.0, top, centre, top
        return 16.0 * unit, 219.0 * unit, centre, 224.0 * unit


def contiguous_flat_planes(y: np.ndarray, u: np.ndarray, v: np.ndarray
                           ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Flat buffers and layout, as :func:`~llie_video.enhance.av_planes.flat_planes` gives
    them, of three planes held as arrays (Y ``(H, W)``, Cb and Cr ``(h, w)``; copied where they
    are not contiguous)."""
    y, u, v = (np.ascontiguousarray(p) for p in (y, u, v))
    layout = [0, y.shape[1], 0, u.shape[1], 0, v.shape[1], 1]
    return (y.ravel(), u.ravel(), v.ravel()), np.asarray(layout, np.int64)


def _normalise(plane: torch.Tensor, offset: float, scale: float) -> torch.Tensor:
    return (plane.float() - offset) / scale


def _codes_to_rgb(y: torch.Tensor, u: torch.Tensor, v: torch.Tensor, spec: YuvSpec) -> torch.Tensor:
    """R'G'B' ``(1, 3, H, W)`` in [0, 1] from co-sited code-value planes ``(H, W)``."""
    y_off, y_scale, c_off, c_scale = spec.levels()
    ycc = torch.stack([_normalise(y, y_off, y_scale), _normalise(u, c_off, c_scale),
                       _normalise(v, c_off, c_scale)]).unsqueeze(0)
    return yuv_to_rgb(ycc, spec.matrix).clamp_(0.0, 1.0)


def planes_to_rgb(y: torch.Tensor, u: torch.Tensor, v: torch.Tensor, spec: YuvSpec) -> torch.Tensor:
    """R'G'B' ``(1, 3, H, W)`` float32 in [0, 1] from planes ``(H, W)`` and
    ``(ceil(H/2), ceil(W/2))`` (integer code values, any device); chroma is repeated 2x2, as
    FFmpeg's own unscaled conversion does."""
    height, width = y.shape

    def upsample(c: torch.Tensor) -> torch.Tensor:
        return c.repeat_interleave(2, dim=0).repeat_interleave(2, dim=1)[:height, :width]

    return _codes_to_rgb(y, upsample(u), upsample(v), spec)


def rgb_to_planes(rgb: torch.Tensor, spec: YuvSpec, bit_depth: int = 8
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Planes (tensors ``(H, W)``, ``(ceil(H/2), ceil(W/2))`` x2; uint8 for 8 bits, int16 code
    values for 10) from R'G'B' ``(1, 3, H, W)`` in [0, 1]: each chroma sample from the mean of
    its 2x2 pixels."""
    y_off, y_scale, c_off, c_scale = spec.levels(bit_depth)
    top = float((1 << bit_depth) - 1)
    dtype = torch.uint8 if bit_depth == 8 else torch.int16
    rgb = rgb.float()
    mean = F.avg_pool2d(rgb, 2, stride=2, ceil_mode=True)  # partial edge blocks: their own mean
    chroma = rgb_to_yuv(mean, spec.matrix)

    def quantise(x: torch.Tensor, offset: float, scale: float) -> torch.Tensor:
        return (x[0, 0] * scale + offset + 0.5).clamp_(0.0, top).to(dtype)

    return (quantise(luma(rgb, spec.matrix), y_off, y_scale),
            quantise(chroma[:, 1:2], c_off, c_scale), quantise(chroma[:, 2:3], c_off, c_scale))


def low_resolution_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray, spec: YuvSpec,
                       size: tuple[int, int]) -> torch.Tensor:
    """A small R'G'B' frame ``(1, 3, h, w)`` float32 for parameter estimation, resized from the
    planes (bilinear, half-pixel centres: the sampling of :func:`llie_video.ops.resize.downscale`)
    before any colour conversion, so only ``h x w`` pixels are converted."""
    h, w = size

    def resize(plane: np.ndarray) -> torch.Tensor:
        if plane.strides[-1] != plane.itemsize:  # nv12 chroma: OpenCV needs packed rows
            plane = np.ascontiguousarray(plane)
        return torch.from_numpy(cv2.resize(plane, (w, h), interpolation=cv2.INTER_LINEAR))

    return _codes_to_rgb(resize(y), resize(u), resize(v), spec)

"""Motion-adaptive temporal noise reduction of the input frames.

Enhancing a dark frame multiplies its sensor noise, and that noise, new in every frame, is most of
the flicker of enhanced video. Where the scene is static, a recursive average over time removes
it: ``y_t = x_t + k * (y_{t-1} - x_t)``. Where it moves, averaging would leave ghosts, so ``k``
falls to 0 wherever the difference between ``x_t`` and ``y_{t-1}`` exceeds what the noise
explains. Motion is measured on 4x4 block means (16x less noise and work than per pixel), dilated
by a block, against a noise level measured on every frame as the median block difference (robust
while most of the frame is static). The weight map is upsampled and applied band by band inside
the enhance stage's render loop, so the full-resolution work is one in-cache blend.

Usage per frame: ``weights = denoiser.begin(x, strength)``, then for each band of rows
``denoiser.filter_(x[:, :, rows], rows, weights)``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from llie_video.ops.resize import upsample_params

_BLOCK = 4
# Block difference at which averaging starts to fade, and where it stops, in units of the measured
# noise level (the median block difference).
_FADE_START = 2.0
_FADE_END = 4.0
# Upper bound of the noise estimate (block-mean units): when most of the frame changes (a cut, a
# fast pan) the median measures motion, not noise, and must not make everything look static.
_MAX_NOISE = 0.02


def block_means(x: torch.Tensor) -> torch.Tensor:
    """4x4 block means of ``x`` ``(1, 3, H, W)`` -> ``(1, 3, ceil(H/4), ceil(W/4))``.

    On the CPU, frames are channels-last views of ``(H, W, 3)`` arrays; OpenCV's area resize reads
    that layout directly (about 10x faster than ``avg_pool2d`` on it)."""
    h, w = -(-x.shape[-2] // _BLOCK), -(-x.shape[-1] // _BLOCK)
    hwc = x[0].permute(1, 2, 0)
    if x.device.type == "cpu" and x.dtype == torch.float32 and hwc.is_contiguous():
        small = cv2.resize(hwc.numpy(), (w, h), interpolation=cv2.INTER_AREA)
        return torch.from_numpy(small).permute(2, 0, 1).unsqueeze(0)
    return F.adaptive_avg_pool2d(x, (h, w))


# Global motion (camera pans): a shift is trusted when phase correlation's peak is this strong.
_MIN_RESPONSE = 0.2
# ... and when it leaves a clearly smaller median block difference than no motion does.
_BETTER = 0.9
# Largest side (blocks) of the maps the phase correlation runs on, and of the centre the sub-pixel
# refinement runs on: about 1 ms each at 1080p.
_CORRELATION_SIDE = 160
_REFINE_SIDE = 128
_MIN_SHIFT = 0.5  # pixels: a smaller coarse shift counts as no motion


def global_shift(previous: torch.Tensor, current: torch.Tensor) -> tuple[float, float]:
    """The translation ``(dy, dx)`` in full-resolution pixels (quarter-pixel steps) that maps the
    previous frame onto the current one, from block means ``(1, C, h, w)``: phase correlation,
    then a sub-pixel refinement; ``(0, 0)`` when there is no clear single motion (a static scene,
    several motions, a cut)."""
    a, b = (_channel_mean(m) for m in (previous, current))
    if min(a.shape) < 8:
        return (0, 0)
    # coarse: phase correlation of area-downscaled maps (the FFT of a 1080p block map costs
    # milliseconds); on high-passed maps, since the smooth content of block means gives a broad
    # correlation peak whose centroid underestimates the shift
    k = max(1, math.ceil(max(a.shape) / _CORRELATION_SIDE))
    small_a, small_b = (cv2.resize(m, (m.shape[1] // k, m.shape[0] // k),
                                   interpolation=cv2.INTER_AREA) for m in (a, b))
    window = cv2.createHanningWindow((small_a.shape[1], small_a.shape[0]), cv2.CV_32F)
    (sx, sy), response = cv2.phaseCorrelate(_high_pass(small_a), _high_pass(small_b), window)
    if response < _MIN_RESPONSE or max(abs(sy), abs(sx)) * k * _BLOCK < _MIN_SHIFT:
        # no clear motion: a refinement would chase noise (a fractional move blurs a noisy map,
        # which always lowers its misfit) and every frame would pay for moving the planes
        return (0, 0)
    # fine: the peak is good to about a third of a sample; refine on the centre of the maps
    a, b = _centre(a), _centre(b)
    dy, dx = _refine(a, b, sy * k, sx * k)
    shift = (_quarter(dy * _BLOCK), _quarter(dx * _BLOCK))
    # keep it only if it explains most of the frame better than no motion (a bright object moving
    # over a static scene can win the correlation; the scene must then stay where it is)
    if shift == (0, 0) or _median_misfit(a, b, dy, dx) > _BETTER * _median_misfit(a, b, 0, 0):
        return (0, 0)
    return shift


def _channel_mean(blocks: torch.Tensor) -> np.ndarray:
    """``(1, C, h, w)`` block means -> ``(h, w)`` float32 (the plane path has one channel)."""
    mean = blocks[0, 0] if blocks.shape[1] == 1 else blocks[0].mean(dim=0)
    return mean.numpy().astype(np.float32, copy=False)


def _centre(x: np.ndarray) -> np.ndarray:
    """The central ``_REFINE_SIDE`` samples of ``x`` ``(h, w)`` along each axis (all of a
    smaller one)."""
    top = max(0, (x.shape[0] - _REFINE_SIDE) // 2)
    left = max(0, (x.shape[1] - _REFINE_SIDE) // 2)
    return x[top : top + _REFINE_SIDE, left : left + _REFINE_SIDE]


def shift_array(x: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """``x`` ``(H, W)`` or ``(H, W, C)`` float32 moved by ``(dy, dx)`` pixels (content at ``(r, c)``
    goes to ``(r + dy, c + dx)``), bilinear between pixels (exact for whole ones), edges
    replicated."""
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    moved = cv2.warpAffine(x, matrix, (x.shape[1], x.shape[0]), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
    return moved.reshape(x.shape)  # OpenCV drops a single channel axis


def _moved_difference(a: np.ndarray, b: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """``a`` moved by ``(dy, dx)`` blocks minus ``b``, away from the edges the move uncovers."""
    margin_y, margin_x = int(abs(dy)) + 2, int(abs(dx)) + 2
    inner = (slice(margin_y, a.shape[0] - margin_y), slice(margin_x, a.shape[1] - margin_x))
    return shift_array(a, dy, dx)[inner] - b[inner]


def _misfit(a: np.ndarray, b: np.ndarray, dy: float, dx: float) -> float:
    """Mean squared difference between ``a`` moved by ``(dy, dx)`` blocks and ``b`` (smooth in
    the move, for the parabola fits)."""
    return float(np.mean(np.square(_moved_difference(a, b, dy, dx))))


def _median_misfit(a: np.ndarray, b: np.ndarray, dy: float, dx: float) -> float:
    """Median absolute difference between ``a`` moved by ``(dy, dx)`` blocks and ``b`` (robust to
    a moving object, for the motion-or-not decision)."""
    return float(np.median(np.abs(_moved_difference(a, b, dy, dx))))


def _refine(a: np.ndarray, b: np.ndarray, dy: float, dx: float) -> tuple[float, float]:
    """``(dy, dx)`` (blocks) moved, axis by axis, to the vertex of a parabola through the misfit
    one step either side, with steps of 1, 1/2 and 1/4 block (reach: 1.75 blocks)."""
    centre = _misfit(a, b, dy, dx)
    for step in (1.0, 0.5, 0.25):
        for axis in (0, 1):
            unit = (step, 0.0) if axis == 0 else (0.0, step)
            left = _misfit(a, b, dy - unit[0], dx - unit[1])
            right = _misfit(a, b, dy + unit[0], dx + unit[1])
            curvature = left - 2.0 * centre + right
            offset = 0.5 * (left - right) / curvature if curvature > 0 else 0.0
            offset = float(np.clip(offset, -1.0, 1.0))
            if offset:
                dy, dx = dy + offset * unit[0], dx + offset * unit[1]
                centre = _misfit(a, b, dy, dx)
    return dy, dx


def _quarter(pixels: float) -> float:
    """``pixels`` to the nearest quarter pixel."""
    return round(pixels * 4.0) / 4.0


def _high_pass(x: np.ndarray) -> np.ndarray:
    return x - cv2.GaussianBlur(x, (0, 0), 2.0)


def shift_image(x: torch.Tensor, dy: float, dx: float) -> torch.Tensor:
    """``x`` ``(1, C, H, W)`` moved by ``(dy, dx)`` pixels (see :func:`shift_array`); float32 on
    the CPU through OpenCV, returned in ``x``'s device, dtype and memory format."""
    hwc = np.ascontiguousarray(x[0].permute(1, 2, 0).float().cpu().numpy())
    moved = torch.from_numpy(shift_array(hwc, dy, dx))
    out = moved.to(x.device, x.dtype).permute(2, 0, 1).unsqueeze(0)
    return out.contiguous(memory_format=torch.channels_last) if x.is_contiguous(
        memory_format=torch.channels_last) else out.contiguous()


class TemporalDenoiser:
    """Recursive, motion-adaptive temporal filter for ``(1, 3, H, W)`` frames in [0, 1]."""

    def __init__(self) -> None:
        self._previous: torch.Tensor | None = None
        self._previous_blocks: torch.Tensor | None = None
        self.last_shift: tuple[float, float] = (0, 0)

    def reset(self) -> None:
        """Forget the previous frame (cuts, seeks, reconnects, unrelated images)."""
        self._previous = None
        self._previous_blocks = None
        self.last_shift = (0, 0)

    def begin(self, x: torch.Tensor, strength: float) -> torch.Tensor | None:
        """Start a frame: the blend weights ``(1, 1, H, W)`` for ``x``, or None when there is
        nothing to blend with (strength 0, first frame, size change); then ``x`` is remembered
        as it is."""
        static = self.block_weights(block_means(x), strength)
        previous = self._previous
        if static is None or previous is None or previous.shape != x.shape:
            self._previous = x.clone() if strength > 0.0 else None
            return None
        if self.last_shift != (0, 0):
            self._previous = shift_image(previous, *self.last_shift)
        return upsample_params(static, (x.shape[-2], x.shape[-1]))

    def block_weights(self, blocks: torch.Tensor, strength: float) -> torch.Tensor | None:
        """The blend weight toward the previous frame per block, ``(1, 1, h, w)`` in [0,
        ``strength``], from this frame's block means ``(1, C, h, w)`` (any colour space, values
        about [0, 1]); None when there is nothing to blend with (strength 0, first frame, size
        change). Callers that filter the pixels themselves (the fused YUV kernel) use this
        directly."""
        if strength <= 0.0:
            self.reset()
            return None
        previous_blocks = self._previous_blocks
        self.last_shift = (0, 0)
        if previous_blocks is None or previous_blocks.shape != blocks.shape:
            self._previous_blocks = blocks
            return None
        self.last_shift = global_shift(previous_blocks, blocks)
        if self.last_shift != (0, 0):
            dy, dx = self.last_shift
            previous_blocks = shift_image(previous_blocks, dy / _BLOCK, dx / _BLOCK)
        change = (blocks - previous_blocks).abs().mean(dim=1, keepdim=True)
        change = F.max_pool2d(change, 3, stride=1, padding=1)
        noise = min(_median(change), _MAX_NOISE) + 1e-4
        static = ((_FADE_END * noise - change) / ((_FADE_END - _FADE_START) * noise)).clamp_(0, 1)
        static.mul_(strength)
        self._previous_blocks = torch.lerp(blocks, previous_blocks, static)
        return static

    def filter_(self, x_band: torch.Tensor, rows: slice, weights: torch.Tensor | None) -> None:
        """Blend ``x_band`` ``(1, 3, r, W)`` (rows ``rows`` of the frame given to :meth:`begin`)
        in place with the previous filtered frame, and remember the result."""
        if weights is None or self._previous is None:
            return
        previous_band = self._previous[:, :, rows]
        torch.lerp(x_band, previous_band, weights[:, :, rows], out=previous_band)
        x_band.copy_(previous_band)


_MEDIAN_SAMPLES = 16384


def _median(x: torch.Tensor) -> float:
    """Median of ``x``, from an even subsample of at most ~16k values when larger (a noise level
    needs no more; the full median of a 1080p block map costs milliseconds)."""
    flat = x.flatten()
    stride = max(1, flat.numel() // _MEDIAN_SAMPLES)
    return float(flat[::stride].median())

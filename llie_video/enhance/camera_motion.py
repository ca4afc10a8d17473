"""Camera motion between consecutive frames: a global shift and zoom, measured on 4x4 block means
of the frames, and the means to move a frame (or its planes) by it.

The temporal noise reduction (:mod:`llie_video.enhance.temporal_denoise`) moves the previous frame with the
camera before blending, so a pan or a zoom does not read as motion of everything in the frame.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from llie_video.ops.layout import dense_like

MOTION_BLOCK = 4  # pixels a side of the blocks whose means motion is measured on

MOTIONMOTION_BLOCK = 4  # pixels a side of the blocks whose means motion is measured on


class CameraMotion(NamedTuple):
    """The camera's motion since the previous frame: content at ``p = (row, column)`` of the
    previous frame is at ``c + scale * (p - c) + (dy, dx)`` in the current one, ``c`` the frame's
    centre, in full-resolution pixels (a pan or tilt, and a zoom)."""

    dy: float = 0.0
    dx: float = 0.0
    scale: float = 1.0

    @property
    def moves(self) -> bool:
        return self != STILL

    def on_grid(self, factor: float) -> CameraMotion:
        """The same motion on a grid ``factor`` times coarser (4x4 blocks, half-size chroma)."""
        return CameraMotion(self.dy / factor, self.dx / factor, self.scale)


STILL = CameraMotion()


# Global motion is trusted when phase correlation's peak is this strong ...
_MIN_RESPONSE = 0.2
# ... and when it leaves a clearly smaller block difference than no motion does, over the best
# fitting 80% of the frame (a moving object may cover the rest).
_BETTER = 0.9
_KEPT = 0.8
# Largest side (blocks) of the maps the phase correlation and the zoom search run on, and of the
# centre the sub-pixel refinement of the shift runs on: about 1 ms each at 1080p.
_CORRELATION_SIDE = 160
_REFINE_SIDE = 128
_MIN_SHIFT = 0.5  # pixels: a smaller coarse shift counts as no motion
_MIN_ZOOM_MOVE = 0.25  # pixels at the frame's edge: a smaller zoom counts as none
# Refinement steps: of the shift, in blocks (reach: 1.75 blocks), and of the scale (reach: 1.5%
# a frame, about 14 pixels at the edge of a 1080p frame)
_SHIFT_STEPS = [np.array(v) for step in (1.0, 0.5, 0.25) for v in ((step, 0, 0), (0, step, 0))]
_SCALE_STEPS = [np.array((0, 0, step)) for step in (0.008, 0.004, 0.002, 0.001)]


def global_motion(previous: torch.Tensor, current: torch.Tensor) -> CameraMotion:
    """The camera's motion between two frames, from their block means ``(1, C, h, w)``:
    phase correlation for the shift, refined to a fraction of a pixel on the centre of the maps,
    then the zoom on the whole (downscaled) maps. :data:`STILL` when there is no clear single
    motion (a static scene, several motions, a cut)."""
    a, b = (channel_mean(m) for m in (previous, current))
    if min(a.shape) < 8:
        return STILL
    # coarse: phase correlation of area-downscaled maps (the FFT of a 1080p block map costs
    # milliseconds); on high-passed maps, since the smooth content of block means gives a broad
    # correlation peak whose centroid underestimates the shift
    k = max(1, math.ceil(max(a.shape) / _CORRELATION_SIDE))
    small_a, small_b = (cv2.resize(m, (m.shape[1] // k, m.shape[0] // k),
                                   interpolation=cv2.INTER_AREA) for m in (a, b))
    high_a, high_b = _high_pass(small_a), _high_pass(small_b)
    sy, sx = _correlate(high_a, high_b) or (0.0, 0.0)
    pixels = k * MOTION_BLOCK  # per sample of the small maps
    # a pure zoom leaves the whole-frame peak at the centre: then (only) ask the two halves
    shifted = max(abs(sy), abs(sx)) * pixels >= _MIN_SHIFT
    zoom = 1.0 if shifted else _zoom_hint(high_a, high_b)
    if not shifted and abs(zoom - 1.0) * small_a.shape[1] / 2 * pixels < _MIN_SHIFT:
        # no clear motion: a refinement would chase noise (a fractional move blurs a noisy map,
        # which always lowers its misfit) and every frame would pay for moving the planes
        return STILL
    # On slightly blurred maps from here: block means alias fine texture, which biases a fit by
    # up to a fifth of a pixel toward whole blocks.
    small_a, small_b = _anti_alias(small_a), _anti_alias(small_b)
    if not (_robust_misfit(small_a, small_b, CameraMotion(sy, sx, zoom))
            < _BETTER * _robust_misfit(small_a, small_b, CameraMotion(-sy, -sx, 1.0 / zoom))):
        # an object moving over a still scene (one half of the frame, for the zoom): the frame
        # moved by the first guess fits no better than moved the opposite way (which blurs a
        # noisy map as much), so skip the refinement; a static camera watching people or cars
        # would pay for it on every frame
        return STILL
    # fine: the peak is good to about a third of a sample. Refine the shift on the centre of the
    # maps (where a zoom about the centre moves little), then, on the whole small maps, the zoom
    # and the shift under it.
    centre_a, centre_b = (_anti_alias(_centre(m)) for m in (a, b))
    dy, dx, _ = _refine(centre_a, centre_b, np.array((sy * k, sx * k, 1.0)), _SHIFT_STEPS)
    zoomed = _refine(small_a, small_b, np.array((dy / k, dx / k, 1.0)),
                     _SCALE_STEPS + _SHIFT_STEPS[-2:])
    shift = CameraMotion(float(dy * MOTION_BLOCK), float(dx * MOTION_BLOCK))
    candidates = [shift]
    edge = 0.5 * max(a.shape) * MOTION_BLOCK  # pixels from the centre to the far edge
    if abs(zoomed[2] - 1.0) * edge >= _MIN_ZOOM_MOVE:
        zoomed_dy, zoomed_dx = (float(v) for v in zoomed[:2] * k * MOTION_BLOCK)
        candidates.append(CameraMotion(zoomed_dy, zoomed_dx, float(zoomed[2])))
    # keep the one that explains most of the frame best, and only if clearly better than no
    # motion (a bright object moving over a static scene can win the correlation; the scene must
    # then stay where it is)
    misfits = [_robust_misfit(small_a, small_b, m.on_grid(MOTION_BLOCK * k)) for m in candidates]
    best = int(np.argmin(misfits))
    still = _robust_misfit(small_a, small_b, STILL)
    if not candidates[best].moves or not misfits[best] < _BETTER * still:  # still == 0: static
        return STILL
    return candidates[best]


def _correlate(a: np.ndarray, b: np.ndarray) -> tuple[float, float] | None:
    """The shift ``(dy, dx)`` (samples) of ``b`` against ``a`` ``(h, w)`` by phase correlation;
    None when the peak is weak (no single clear motion)."""
    (sx, sy), response = cv2.phaseCorrelate(a, b, _hanning(*a.shape))
    return (sy, sx) if response >= _MIN_RESPONSE else None


@functools.cache
def _hanning(height: int, width: int) -> np.ndarray:
    """The Hann window ``(height, width)`` float32 phase correlation weighs the maps by (the same
    few sizes every frame: made once each)."""
    window = cv2.createHanningWindow((width, height), cv2.CV_32F)
    window.flags.writeable = False
    return window


def _zoom_hint(a: np.ndarray, b: np.ndarray) -> float:
    """A first guess of the scale between ``a`` and ``b`` ``(h, w)``: a zoom moves the left and
    right halves apart (or together) by ``(scale - 1)`` times half the width; 1.0 unless both
    halves correlate clearly."""
    half = a.shape[1] // 2
    left = _correlate(a[:, :half], b[:, :half])
    right = _correlate(a[:, half : 2 * half], b[:, half : 2 * half])
    return 1.0 + (right[1] - left[1]) / half if left and right else 1.0


def channel_mean(blocks: torch.Tensor) -> np.ndarray:
    """``(1, C, h, w)`` block means on any device -> ``(h, w)`` float32 on the host (the plane
    path has one channel)."""
    # channel by channel: a mean over the channel axis of the RGB path's channels-last maps is
    # ~5x slower (~1 ms at 1080p)
    channels = blocks.shape[1]
    total = sum((blocks[0, c] for c in range(1, channels)), blocks[0, 0])
    return (total / channels).float().cpu().numpy()  # CUDA (fp16) maps come to the host here


def _centre(x: np.ndarray) -> np.ndarray:
    """The central ``_REFINE_SIDE`` samples of ``x`` ``(h, w)`` along each axis (all of a
    smaller one)."""
    top = max(0, (x.shape[0] - _REFINE_SIDE) // 2)
    left = max(0, (x.shape[1] - _REFINE_SIDE) // 2)
    return x[top : top + _REFINE_SIDE, left : left + _REFINE_SIDE]


def move_array(x: np.ndarray, motion: CameraMotion) -> np.ndarray:
    """``x`` ``(H, W)`` or ``(H, W, C)`` float32 moved by ``motion`` (in ``x``'s samples, about its
    centre), bilinear between samples (exact for whole-sample shifts), edges replicated."""
    dy, dx, scale = motion
    cy, cx = (x.shape[0] - 1) / 2, (x.shape[1] - 1) / 2
    matrix = np.float32([[scale, 0, (1 - scale) * cx + dx], [0, scale, (1 - scale) * cy + dy]])
    moved = cv2.warpAffine(x, matrix, (x.shape[1], x.shape[0]), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
    return moved.reshape(x.shape)  # OpenCV drops a single channel axis


def _moved_difference(a: np.ndarray, b: np.ndarray, motion: CameraMotion) -> np.ndarray:
    """``a`` moved by ``motion`` (in samples of the maps) minus ``b``, away from the edges the
    move uncovers."""
    zoom = abs(motion.scale - 1.0) * 0.5
    margin_y = int(abs(motion.dy) + zoom * a.shape[0]) + 2
    margin_x = int(abs(motion.dx) + zoom * a.shape[1]) + 2
    inner = (slice(margin_y, a.shape[0] - margin_y), slice(margin_x, a.shape[1] - margin_x))
    return move_array(a, motion)[inner] - b[inner]


def _misfit(a: np.ndarray, b: np.ndarray, motion: CameraMotion) -> float:
    """Mean squared difference between ``a`` moved by ``motion`` and ``b`` (smooth in the
    motion, for the parabola fits)."""
    return float(np.mean(np.square(_moved_difference(a, b, motion))))


def _robust_misfit(a: np.ndarray, b: np.ndarray, motion: CameraMotion) -> float:
    """Mean of the smallest ``_KEPT`` of the squared differences between ``a`` moved by
    ``motion`` and ``b``: blind to an object moving over a smaller part of the frame, and, unlike
    a median, not swamped by the noise of flat dark regions (for the motion-or-not decision)."""
    squared = np.square(_moved_difference(a, b, motion)).ravel()
    kept = max(1, int(squared.size * _KEPT))
    return float(np.mean(np.partition(squared, kept - 1)[:kept]))


def _refine(a: np.ndarray, b: np.ndarray, start: np.ndarray,
            steps: list[np.ndarray]) -> np.ndarray:
    """The motion ``(dy, dx, scale)`` (map samples) that moves ``a`` onto ``b``, from ``start``:
    for each step (a vector along one axis), moved to the vertex of the parabola through the
    misfit one step either side (at most one step)."""
    motion = start.astype(np.float64)
    centre = _misfit(a, b, CameraMotion(*motion))
    for step in steps:
        left = _misfit(a, b, CameraMotion(*(motion - step)))
        right = _misfit(a, b, CameraMotion(*(motion + step)))
        curvature = left - 2.0 * centre + right
        offset = 0.0
        if curvature > 0:
            offset = float(np.clip(0.5 * (left - right) / curvature, -1.0, 1.0))
        if offset:
            motion = motion + offset * step
            centre = _misfit(a, b, CameraMotion(*motion))
    return motion


def _anti_alias(x: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(x, (0, 0), 1.0)


def _high_pass(x: np.ndarray) -> np.ndarray:
    return x - cv2.GaussianBlur(x, (0, 0), 2.0)


def move_image(x: torch.Tensor, motion: CameraMotion) -> torch.Tensor:
    """``x`` ``(1, C, H, W)`` moved by ``motion`` (see :func:`move_array`), in ``x``'s device,
    dtype and memory format: through OpenCV on the CPU, on the device elsewhere (a CUDA frame
    never makes the round trip to the host)."""
    if x.device.type != "cpu":
        return move_on_device(x, motion)
    hwc = np.ascontiguousarray(x[0].permute(1, 2, 0).float().numpy())
    out = torch.from_numpy(move_array(hwc, motion)).to(x.dtype).permute(2, 0, 1).unsqueeze(0)
    return dense_like(out, x)


def move_on_device(x: torch.Tensor, motion: CameraMotion) -> torch.Tensor:
    """:func:`move_image` with ``grid_sample`` (bilinear, edges replicated), on any device:
    ``(1, C, H, W)`` -> ``(1, C, H, W)``, float32 maths."""
    height, width = x.shape[-2:]
    dy, dx, scale = motion
    # output sample p comes from c + (p - c - d) / scale; corner-aligned coordinates in [-1, 1]
    # put the centre c at 0
    shift_x = 2.0 * dx / max(width - 1, 1)
    shift_y = 2.0 * dy / max(height - 1, 1)
    theta = torch.tensor([[[1.0 / scale, 0.0, -shift_x / scale],
                           [0.0, 1.0 / scale, -shift_y / scale]]], device=x.device)
    grid = F.affine_grid(theta, [1, x.shape[1], height, width], align_corners=True)
    moved = F.grid_sample(x.float(), grid, mode="bilinear", padding_mode="border",
                          align_corners=True)
    return moved.to(x.dtype)

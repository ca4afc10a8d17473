"""Motion-adaptive temporal noise reduction of the input frames.

Enhancing a dark frame multiplies its sensor noise, and that noise, new in every frame, is most of
the flicker of enhanced video. Where the scene is static, a recursive average over time removes
it: ``y_t = x_t + k * (y_{t-1} - x_t)``. Where it moves, averaging would leave ghosts, so ``k``
falls to 0 wherever the difference between ``x_t`` and ``y_{t-1}`` exceeds what the noise
explains. Motion is measured on 4x4 block means (16x less noise and work than per pixel), dilated
by a block, against a noise level measured on every frame as the median block difference (robust
while most of the frame is static). The previous frame follows the camera (a global shift and
zoom) and the exposure (a global gain ``g``: ``y_t = x_t + k * (g * y_{t-1} - x_t)``): otherwise
a pan would read as motion, and a brightening scene would reach the model a few frames late (its
parameters come from the unfiltered frame), so the output would dim while the light rose. The
weight map is upsampled and applied band by band inside the enhance stage's render loop, so the
full-resolution work is one in-cache blend.

Usage per frame: ``weights = denoiser.begin(x, smoothing)``, then for each band of rows
``denoiser.filter_(x[:, :, rows], rows, weights)``. The fused YUV path keeps its own previous
planes and calls :meth:`TemporalDenoiser.track_camera` and :meth:`TemporalDenoiser.block_weights`.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from llie_video.ops import block_blend
from llie_video.ops.resize import upsample_params
from llie_video.enhance.camera_motion import (
    MOTION_BLOCK,
    CameraMotion,
    global_motion,
    move_image,
)

_BLOCK = MOTION_BLOCK
# Block difference at which averaging starts to fade, and where it stops, in units of the measured
# noise level (the median block difference).
_FADE_START = 2.0
_FADE_END = 4.0
# Upper bound of the noise estimate (block-mean units): when most of the frame changes (a cut, a
# fast pan) the median measures motion, not noise, and must not make everything look static.
_MAX_NOISE = 0.02


def tensor_block_means(x: torch.Tensor) -> torch.Tensor:
    """4x4 block means of ``x`` ``(1, 3, H, W)`` -> ``(1, 3, ceil(H/4), ceil(W/4))``.

    On the CPU, frames are channels-last views of ``(H, W, 3)`` arrays; OpenCV's area resize reads
    that layout directly (about 10x faster than ``avg_pool2d`` on it)."""
    h, w = -(-x.shape[-2] // _BLOCK), -(-x.shape[-1] // _BLOCK)
    hwc = x[0].permute(1, 2, 0)
    if x.device.type == "cpu" and x.dtype == torch.float32 and hwc.is_contiguous():
        small = cv2.resize(hwc.numpy(), (w, h), interpolation=cv2.INTER_AREA)
        return torch.from_numpy(small).permute(2, 0, 1).unsqueeze(0)
    return F.adaptive_avg_pool2d(x, (h, w))


class TemporalBlend(NamedTuple):
    """How to blend a frame with the previous filtered one: ``x + weights * (gain * previous - x)``.

    Attributes:
        weights: the blend weight toward the previous frame per 4x4 block ``(1, 1, h, w)``, in
            [0, smoothing].
        gain: the exposure change since the previous frame (this frame's brightness over the
            previous one's, about black), which the previous frame is scaled by.
    """

    weights: torch.Tensor
    gain: float


# The exposure gain is measured on the blocks whose difference is within this many times the
# median difference of the first guess (a moving object is left out), and bounded: a larger
# change of the whole frame is a flash or a cut, not an exposure change to follow.
_GAIN_INLIERS = 3.0
_MAX_GAIN = 1.5


def exposure_gain(previous: torch.Tensor, current: torch.Tensor) -> float:
    """The global brightness ratio of ``current`` to ``previous`` (block means ``(1, C, h, w)``,
    0 = black, aligned with the camera): a ratio of sums, over the blocks that a single gain
    explains (moving objects left out). 1.0 for a black frame."""
    a, b = (block_blend.channel_mean(host_maps(m)) for m in (previous, current))
    return block_blend.exposure_gain(a, b, _GAIN_INLIERS, _MAX_GAIN, block_blend.MEDIAN_SAMPLES)


def host_maps(blocks: torch.Tensor) -> np.ndarray:
    """Block means ``(1, C, h, w)`` on any device -> ``(C, h, w)`` float32 on the host (a view
    of a CPU float32 tensor)."""
    return blocks[0].float().cpu().numpy()


class TemporalDenoiser:
    """Recursive, motion-adaptive temporal filter for ``(1, 3, H, W)`` frames in [0, 1]."""

    def __init__(self) -> None:
        self._previous: torch.Tensor | None = None
        self._previous_blocks: torch.Tensor | None = None
        # the camera's motion found for the latest frame (None: none searched)
        self.last_motion: CameraMotion | None = None

    def reset(self) -> None:
        """Forget the previous frame (cuts, seeks, reconnects, unrelated images)."""
        self._previous = None
        self._previous_blocks = None
        self.last_motion = None

    def begin(self, x: torch.Tensor, smoothing: float) -> torch.Tensor | None:
        """Start a frame: the blend weights ``(1, 1, H, W)`` for ``x``, or None when there is
        nothing to blend with (smoothing 0, first frame, size change); then ``x`` is remembered
        as it is."""
        blocks = tensor_block_means(x)
        motion = self.track_camera(blocks, smoothing)
        previous = self._previous
        if motion is None or previous is None or previous.shape != x.shape:
            self._previous = x.clone() if smoothing > 0.0 else None
            return None
        if motion.moves:
            previous = self._previous = move_image(previous, motion)
        blend = self.block_weights(blocks, tensor_block_means(previous), smoothing)
        if blend.gain != 1.0:
            previous.mul_(blend.gain)
        return upsample_params(blend.weights, (x.shape[-2], x.shape[-1]))

    def track_camera(self, blocks: torch.Tensor, smoothing: float) -> CameraMotion | None:
        """Start a frame from its block means ``(1, C, h, w)`` (any colour space, values about
        [0, 1]): the camera's motion since the previous frame (:data:`~llie_video.enhance.camera_motion.STILL` when there is no
        clear one), or None when there is nothing to blend with (smoothing 0, first frame, size
        change). Callers that filter the pixels themselves (the fused YUV kernel) move their
        previous frame by it, then ask :meth:`block_weights`."""
        if smoothing <= 0.0:
            self.reset()
            return None
        previous_blocks = self._previous_blocks
        self._previous_blocks = blocks
        self.last_motion = None
        if previous_blocks is not None and previous_blocks.shape == blocks.shape:
            self.last_motion = global_motion(previous_blocks, blocks)
        return self.last_motion

    def block_weights(self, blocks: torch.Tensor, previous_blocks: torch.Tensor,
                      smoothing: float) -> TemporalBlend:
        """How to blend this frame with the previous filtered one, from this frame's block means
        and the previous filtered frame's, moved with the camera, ``(1, C, h, w)`` each: the
        exposure gain, and the blend weight per block, ``(1, 1, h, w)`` in [0, ``smoothing``],
        where the frames differ by no more than noise once the gain is applied. (Block means of
        the moved frame, not moved block means: moving a block map by a fraction of a block
        blurs it, and the textured part of a panning scene would read as motion.)"""
        gain = exposure_gain(previous_blocks, blocks)
        current, previous = host_maps(blocks), host_maps(previous_blocks)
        weights, filtered = block_blend.blend_weights(
            current, previous * np.float32(gain), (_FADE_START, _FADE_END), _MAX_NOISE, smoothing,
            block_blend.MEDIAN_SAMPLES)
        # for the next motion search: about the block means of this frame once filtered
        self._previous_blocks = torch.from_numpy(filtered)[None]
        weights_map = torch.from_numpy(weights)[None, None].to(blocks.device, blocks.dtype)
        return TemporalBlend(weights_map, gain)

    def filter_(self, x_band: torch.Tensor, rows: slice, weights: torch.Tensor | None) -> None:
        """Blend ``x_band`` ``(1, 3, r, W)`` (rows ``rows`` of the frame given to :meth:`begin`)
        in place with the previous filtered frame, and remember the result."""
        if weights is None or self._previous is None:
            return
        previous_band = self._previous[:, :, rows]
        torch.lerp(x_band, previous_band, weights[:, :, rows], out=previous_band)
        x_band.copy_(previous_band)

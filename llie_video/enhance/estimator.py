"""Per-frame parameters at low resolution, and how to finish the frame's render.

Every render route starts here: the frame's small version (input levels applied) goes through
the model's estimate and the temporal parameter smoother (or the smoother holds the last
parameters for a still scene), then the frame's finish is measured on the small render
(highlight headroom, brightness ceiling, shadow desaturation). With edge-aware upsampling the
parameters become guided-filter coefficients on the luma, applied at full resolution.
"""

from __future__ import annotations

import math
from dataclasses import replace

import torch

from llie_video.enhance.finish import FrameFinish
from llie_video.enhance.settings import DEFAULT_LONG_SIDE, EnhanceSettings
from llie_video.enhance.temporal import TemporalState
from llie_video.models.base import EnhancementModel, estimation_scale
from llie_video.ops.color import BT601, luma
from llie_video.ops.colour_transform import split_colour_maps, upsample_with_colour
from llie_video.ops.exposure import hold_under_ceiling
from llie_video.ops.guided import guided_coefficients
from llie_video.ops.highlights import frame_headroom
from llie_video.ops.input_levels import apply_levels
from llie_video.ops.resize import downscale
from llie_video.runtimes.cpu_estimator import cpu_estimate

_CEILING_PIXELS = 16384  # pixels the brightness ceiling measures a frame on, at most
_MAX_SHADOW = 0.25  # input luma below which colour fades, at most


class Estimator:
    """The model's parameters for each frame, smoothed over time (``temporal``)."""

    def __init__(self, model: EnhancementModel, temporal: TemporalState) -> None:
        self.model = model
        self.temporal = temporal
        self.forward = cpu_estimate(model)  # ONNX Runtime on the CPU when installed
        spec = model.render_spec()
        #: whether the parameters end with the maps of a colour transform, upsampled plainly
        self.colour_transform = spec is not None and spec.colour_transform

    def scale(self, height: int, width: int, settings: EnhanceSettings) -> float:
        """The factor from a ``height x width`` frame to the size the model estimates at."""
        long_side = settings.estimation_long_side
        if long_side == DEFAULT_LONG_SIDE:
            long_side = self.model.estimation_long_side
        return estimation_scale(height, width, long_side)

    def estimate(self, x_low: torch.Tensor, settings: EnhanceSettings,
                 luma_coefficients: tuple[float, float, float],
                 noise: float) -> tuple[torch.Tensor, FrameFinish]:
        """Temporally smoothed parameters ``(B, P, h, w)`` of the small frame ``x_low``
        ``(B, 3, h, w)`` (corrected in place by the input levels first), and how to finish this
        frame's render (input levels, brightness ceiling); a detected scene cut also resets the
        rest of the temporal state. With ``settings.edge_aware`` the parameters are returned as
        guided-filter coefficients ``(B, 2P, h, w)`` on the luma (``luma_coefficients``) of the
        frame (:mod:`llie_video.ops.guided`), to be applied at full resolution; a colour transform's
        12 maps stay plain, after them (``(B, 2(P - 12) + 12, h, w)``). ``noise``: the
        full-resolution input luma's noise sigma (0-1), which sets the shadows whose colour
        fades to grey."""
        temporal = self.temporal
        levels = temporal.input_correction(x_low, settings.black_clip, settings.white_balance,
                                           settings.smoothing)
        # channels-last: the CPU convolutions run ~1.5-3x faster on it at these sizes
        x_low = apply_levels(x_low.contiguous(memory_format=torch.channels_last), levels)
        # a still camera that saw nothing change may keep its parameters (ParamSmoother.hold)
        params = (temporal.smoother.hold(x_low, settings.smoothing) if temporal.camera_still
                  else None)
        if params is None:
            params = temporal.smoother(self.forward(x_low), x_low, settings.smoothing)
        if temporal.smoother.last_was_cut:
            temporal.after_scene_cut()
        shadow = min(settings.shadow_desaturation * noise, _MAX_SHADOW)
        finish = replace(self.frame_finish(x_low, params, settings, luma_coefficients),
                         levels=levels, shadow=shadow)
        if settings.edge_aware:
            own, colour = split_colour_maps(params, self.colour_transform)
            params = guided_coefficients(luma(x_low.float(), luma_coefficients), own)
            if colour is not None:  # upsampled plainly: stays as it is, after them
                params = torch.cat([params, colour.float()], dim=1)
            finish = replace(finish, guided=True)
        return params, finish

    def frame_finish(self, x_low: torch.Tensor, params: torch.Tensor,
                     settings: EnhanceSettings,
                     luma_coefficients: tuple[float, float, float] = BT601) -> FrameFinish:
        """How to finish this frame, measured on its small version ``x_low`` ``(B, 3, h, w)``
        rendered with ``params`` ``(B, P, h, w)``: the highlight headroom its highlights call for
        (:mod:`llie_video.ops.highlights`), and the render gamma (on the luma,
        ``luma_coefficients``), then strength, that hold the render at or below the brightness
        ceiling (:mod:`llie_video.ops.exposure`); the user's gamma applies after, on the
        finished picture."""
        # a mean or a percentile needs no more than ~16K pixels (full-resolution estimation
        # would hand over millions); the render is pointwise, so a strided subset renders exactly
        step = max(1, math.ceil(math.sqrt(x_low.shape[-2] * x_low.shape[-1] / _CEILING_PIXELS)))
        x_low, params = x_low[..., ::step, ::step], params[..., ::step, ::step]
        finish = FrameFinish(1.0, frame_headroom(x_low, settings.highlight_headroom),
                             settings.strength, settings.gamma, settings.saturation)
        if settings.brightness_ceiling >= 1.0 or settings.strength == 0.0:
            return finish
        y_low = self.model.render_(x_low.clone(memory_format=torch.contiguous_format), params)
        hold = hold_under_ceiling(x_low, y_low, 1.0, settings.strength,
                                  settings.brightness_ceiling, luma_coefficients)
        return replace(finish, render_gamma=hold.gamma, strength=hold.strength)

    def estimate_full(self, x: torch.Tensor, settings: EnhanceSettings,
                      luma_coefficients: tuple[float, float, float],
                      noise: float) -> tuple[torch.Tensor, FrameFinish]:
        """Parameters for ``x`` ``(B, 3, H, W)``, estimated at low resolution, upsampled to
        ``(B, P, H, W)`` (or guided-filter coefficients, see :meth:`estimate`; a colour
        transform's maps one per 2x2 block, :mod:`llie_video.ops.colour_transform`), and how to
        finish the render (see :meth:`estimate`)."""
        x_low = downscale(x, self.scale(x.shape[-2], x.shape[-1], settings))
        params, finish = self.estimate(x_low, settings, luma_coefficients, noise)
        size = (x.shape[-2], x.shape[-1])
        return upsample_with_colour(params, size, self.colour_transform), finish

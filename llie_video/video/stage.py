"""The enhance stage: frames in, enhanced frames out, on any device.

Decoded 4:2:0 video takes the plane path: the parameters are estimated on a small RGB frame
resized straight from the planes, and the full-resolution frame is rendered planes to planes. On
the CPU that is one fused, compiled pass (:mod:`llie_video.video.plane_render`) that never builds a
full-resolution RGB or float frame; elsewhere (CUDA, or a model the kernel does not know) the
planes are converted to RGB on the device, rendered with the model's torch code and converted
back. Anything else (images, other pixel formats) takes the RGB path.

On CUDA the stage computes in fp16 on a dedicated stream; decoded frames' planes go up from pinned
host buffers on an upload stream and come back on a download stream, so a pipeline that keeps a
frame in flight (:attr:`EnhanceStage.overlap`) has one frame's copies overlap the next one's
compute (:mod:`llie_video.video.plane_transfer`). On the CPU the same code runs in fp32 on the
planes where they lie.
"""

from __future__ import annotations

import math
import threading
from contextlib import nullcontext
from collections.abc import Callable
from dataclasses import replace

import av
import numba
import numpy as np
import torch

from llie_video.enhance.settings import DEFAULT_LONG_SIDE, EnhanceSettings
from llie_video.models.base import EnhancementModel, estimation_scale
from llie_video.ops import fused_yuv, yuv
from llie_video.ops.color import (
    BT601,
    adjust_gamma,
    blend,
    luma,
    scale_saturation,
    shadow_weight,
)
from llie_video.ops.exposure import hold_under_ceiling
from llie_video.ops.guided import apply_coefficients, clamp_params, guided_coefficients
from llie_video.ops.input_levels import apply_levels
from llie_video.ops.highlights import frame_headroom, protect_highlights
from llie_video.ops.noise import noise_sigma, reduce_noise_planes, reduce_noise_rgb, rgb_luma_noise
from llie_video.ops.resize import downscale, low_resolution_size, upsample_params
from llie_video.video import plane_render
from llie_video.video.camera_motion import STILL
from llie_video.video.denoise import TemporalBlend, TemporalDenoiser
from llie_video.video.finish import FrameFinish
from llie_video.video.frame import Frame
from llie_video.video.frame_processor import PendingFrame, ReadyFrame
from llie_video.video.input_correction import InputCorrection
from llie_video.video.plane_transfer import PendingPlanes, PlaneTransfer
from llie_video.video.smoothing import ParamSmoother

_CEILING_PIXELS = 16384  # pixels the brightness ceiling measures a frame on, at most
_MAX_SHADOW = 0.25  # input luma below which colour fades, at most


class EnhanceStage:
    """Runs a model on frames: estimate at low resolution, render at full resolution, post-ops.

    Args:
        model: an :class:`EnhancementModel` (moved to ``device`` and put in eval mode).
        device: where to compute.
        dtype: ``torch.float16`` or ``torch.float32``.
        settings: initial :class:`EnhanceSettings`.
        band_rows: rows rendered per band on the CPU (cache-sized working set).
        fused: render 4:2:0 frames with the fused CPU kernel where the model allows (False:
            the plain torch route, the reference the kernel is tested against).
        kernel_threads: threads of the fused kernel (0: one per core). Numba's thread count is
            per calling thread, so the stage sets it where it runs (the pipeline's enhance thread).
        in_flight: frames the plane path off the fused kernel may keep in flight
            (:class:`~llie_video.video.plane_transfer.PlaneTransfer`'s depth); default 2 on
            CUDA (copies overlap compute), else 1. More than 1 on the CPU stages the planes
            through the same ring as on CUDA, without streams (for tests).
    """

    def __init__(
        self,
        model: EnhancementModel,
        device: torch.device,
        dtype: torch.dtype = torch.float32,
        settings: EnhanceSettings | None = None,
        band_rows: int = 64,
        fused: bool = True,
        kernel_threads: int = 0,
        in_flight: int | None = None,
    ) -> None:
        self.device = device
        self.dtype = dtype
        self.model = model.to(device=device, dtype=dtype).eval()
        self._settings = settings or EnhanceSettings()
        self._lock = threading.Lock()
        self._cuda = device.type == "cuda"
        self._stream = torch.cuda.Stream(device=device) if self._cuda else None
        self._host_in: torch.Tensor | None = None
        self._host_out: torch.Tensor | None = None
        self._band_rows = band_rows
        self.smoother = ParamSmoother()
        self.denoiser = TemporalDenoiser()
        self.input_correction = InputCorrection()
        render = model.render_spec()
        self._render_kind = render.kind if render is not None else None
        self._fused = (plane_render.FusedPlaneRenderer(render)
                       if fused and render is not None and device.type == "cpu" else None)
        depth = in_flight if in_flight is not None else (2 if self._cuda else 1)
        self._transfer = PlaneTransfer(device, depth, staged=self._cuda or depth > 1)
        self._kernel_threads = min(kernel_threads, numba.config.NUMBA_NUM_THREADS)

    @property
    def prefers_planes(self) -> bool:
        """Whether decoded 4:2:0 frames are best handed over as they are (the fused CPU kernel,
        or a GPU that converts them itself) rather than converted to RGB by the decoder thread."""
        return self._fused is not None or self._cuda

    @property
    def overlap(self) -> int:
        """Frames that may stay in flight when the next is submitted (:meth:`submit_frame`):
        on CUDA 1, so that one frame's upload and download overlap the next one's compute."""
        return 0 if self._fused is not None else self._transfer.overlap

    @property
    def settings(self) -> EnhanceSettings:
        return self._settings

    def update(self, **changes: object) -> EnhanceSettings:
        """Change settings (e.g. ``gamma=1.4``); they apply from the next frame on."""
        with self._lock:
            self._settings = replace(self._settings, **changes)  # type: ignore[arg-type]
            return self._settings

    def _host_buffers(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        if self._host_in is None or tuple(self._host_in.shape) != shape:
            self._host_in = torch.empty(shape, dtype=torch.uint8, pin_memory=self._cuda)
            self._host_out = torch.empty(shape, dtype=torch.uint8, pin_memory=self._cuda)
        assert self._host_out is not None
        return self._host_in, self._host_out

    @property
    def needs_preparing(self) -> bool:
        """Whether :meth:`prepare` still has the fused kernel to compile or load in this process
        (seconds the very first time on a machine, under one from Numba's cache)."""
        return self._fused is not None and not fused_yuv.kernel_loaded()

    def prepare(self) -> None:
        """Compile the fused kernel, or load it from Numba's on-disk cache, before a source is
        opened: the very first run on a machine takes seconds, which a live stream would spend
        dropping frames."""
        if self._fused is not None:
            self.warm_up(16, 16)

    def warm_up(self, height: int, width: int) -> None:
        """Run one frame of this size (allocations, kernel selection), so that a live source's
        first frames are not late; temporal state is left empty."""
        if height > 0 and width > 0:
            self.process(np.zeros((height, width, 3), np.uint8))
            black = av.VideoFrame(width, height, "yuv420p")
            for plane in black.planes:
                np.frombuffer(plane, np.uint8)[:] = 16
            for _ in range(2):  # the second frame runs what follows a previous one
                self.process_planes(black)
            if self._fused is not None:
                self._fused.prepare()
            self.reset_temporal()

    def reset_temporal(self) -> None:
        """Forget the temporal state: call it between unrelated frames (images, seeks, reconnects)."""
        self.smoother.reset()
        self.denoiser.reset()
        self.input_correction.reset()
        if self._fused is not None:
            self._fused.reset()

    def _estimation_scale(self, height: int, width: int, settings: EnhanceSettings) -> float:
        long_side = settings.estimation_long_side
        if long_side == DEFAULT_LONG_SIDE:
            long_side = self.model.estimation_long_side
        return estimation_scale(height, width, long_side)

    def _estimate(self, x_low: torch.Tensor, settings: EnhanceSettings,
                  weights: tuple[float, float, float],
                  noise: float) -> tuple[torch.Tensor, FrameFinish]:
        """Temporally smoothed parameters ``(B, P, h, w)`` of the small frame ``x_low``
        ``(B, 3, h, w)`` (corrected in place by the input levels first), and how to finish this
        frame's render (input levels, brightness ceiling); a detected scene cut also resets the
        temporal noise reduction and the input levels' history. With
        ``settings.edge_aware`` the parameters are returned as guided-filter coefficients
        ``(B, 2P, h, w)`` on the luma (``weights``) of the frame (:mod:`llie_video.ops.guided`),
        to be applied at full resolution. ``noise``: the full-resolution input luma's noise
        sigma (0-1), which sets the shadows whose colour fades to grey."""
        levels = self.input_correction(x_low, settings.black_clip, settings.white_balance,
                                       settings.smoothing)
        # channels-last: the CPU convolutions run ~1.5-3x faster on it at these sizes
        x_low = apply_levels(x_low.contiguous(memory_format=torch.channels_last), levels)
        # a still camera that saw nothing change may keep its parameters (see
        # ParamSmoother.hold); a camera that moved for the previous frame is likely still moving
        camera_still = self.denoiser.last_motion == STILL
        params = self.smoother.hold(x_low, settings.smoothing) if camera_still else None
        if params is None:
            params = self.smoother(self.model.estimate(x_low), x_low, settings.smoothing)
        if self.smoother.last_was_cut:
            self.denoiser.reset()
            self.input_correction.reset()
            if self._fused is not None:
                self._fused.reset()
        shadow = min(settings.shadow_desaturation * noise, _MAX_SHADOW)
        finish = replace(self._frame_finish(x_low, params, settings), levels=levels,
                         shadow=shadow)
        if settings.edge_aware:
            params = guided_coefficients(luma(x_low.float(), weights), params)
            finish = replace(finish, guided=True)
        return params, finish

    def _frame_finish(self, x_low: torch.Tensor, params: torch.Tensor,
                      settings: EnhanceSettings) -> FrameFinish:
        """How to finish this frame, measured on its small version ``x_low`` ``(B, 3, h, w)``
        rendered with ``params`` ``(B, P, h, w)``: the highlight headroom its highlights call for
        (:mod:`llie_video.ops.highlights`), and the render gamma, then strength, that hold the
        render at or below the brightness ceiling (:mod:`llie_video.ops.exposure`); the user's
        gamma applies after, on the finished picture."""
        # a mean or a percentile needs no more than ~16K pixels (full-resolution estimation
        # would hand over millions); the render is pointwise, so a strided subset renders exactly
        step = max(1, math.ceil(math.sqrt(x_low.shape[-2] * x_low.shape[-1] / _CEILING_PIXELS)))
        x_low, params = x_low[..., ::step, ::step], params[..., ::step, ::step]
        finish = FrameFinish(1.0, frame_headroom(x_low, settings.highlight_headroom),
                             settings.strength, settings.gamma, settings.saturation)
        if settings.brightness_ceiling >= 1.0 or settings.strength == 0.0:
            return finish
        y_low = self.model.render(x_low, params)
        hold = hold_under_ceiling(x_low, y_low, 1.0, settings.strength,
                                  settings.brightness_ceiling)
        return replace(finish, render_gamma=hold.gamma, strength=hold.strength)

    def _estimate_full(self, x: torch.Tensor, settings: EnhanceSettings,
                       weights: tuple[float, float, float],
                       noise: float) -> tuple[torch.Tensor, FrameFinish]:
        """Parameters for ``x`` ``(B, 3, H, W)``, estimated at low resolution, upsampled to
        ``(B, P, H, W)`` (or ``(B, 2P, H, W)`` guided-filter coefficients), and how to finish
        the render (see :meth:`_estimate`)."""
        x_low = downscale(x, self._estimation_scale(x.shape[-2], x.shape[-1], settings))
        params, finish = self._estimate(x_low, settings, weights, noise)
        return upsample_params(params, (x.shape[-2], x.shape[-1])), finish

    def _render_bands(
        self,
        x: torch.Tensor,
        params: torch.Tensor,
        finish: FrameFinish,
        smoothing: float,
        write: Callable[[slice, torch.Tensor], None],
        weights: tuple[float, float, float] = BT601,
    ) -> None:
        """Render and finish ``x`` ``(B, 3, H, W)`` band by band of rows, handing each
        enhanced band ``(B, 3, rows, W)`` to ``write``. The render is pointwise given the
        parameters, so bands are exact; on the CPU they keep the working set in cache (about 2x
        faster than whole-frame passes at 720p). Temporal noise reduction of the input (at
        ``smoothing``) happens here too, per band, then the input levels, and guided-filter
        coefficients become parameters on the band's luma (``weights``). ``x`` is
        overwritten."""
        band = self._band_rows if x.device.type == "cpu" else x.shape[-2]
        denoise_weights = self.denoiser.begin(x, smoothing)
        for top in range(0, x.shape[-2], band):
            rows = slice(top, top + band)
            x_band, p_band = x[:, :, rows], params[:, :, rows]
            self.denoiser.filter_(x_band, rows, denoise_weights)
            apply_levels(x_band, finish.levels)
            input_luma = luma(x_band, weights) if finish.guided or finish.shadow > 0 else None
            if finish.guided:
                p_band = apply_coefficients(p_band, input_luma)
                if self._render_kind is not None:
                    clamp_params(p_band, self._render_kind)
            if finish.strength == 1.0 and finish.headroom >= 1.0:
                y = self.model.render_(x_band, p_band)  # x is not needed again: reuse it
            else:
                y = self.model.render(x_band, p_band)
            y = protect_highlights(x_band, adjust_gamma(y, finish.render_gamma), finish.headroom)
            shadows = shadow_weight(input_luma, finish.shadow) if finish.shadow > 0 else None
            y = scale_saturation(y, finish.saturation, weights, shadows)
            write(rows, adjust_gamma(blend(x_band, y, finish.strength), finish.gamma))

    @torch.inference_mode()
    def enhance_tensor(self, x: torch.Tensor, settings: EnhanceSettings | None = None) -> torch.Tensor:
        """Enhance ``x`` ``(B, 3, H, W)`` in [0, 1] on the stage's device and dtype; the batch is
        taken as consecutive frames. Returns a new ``(B, 3, H, W)`` tensor; ``x`` may be
        overwritten. The spatial noise reduction, which works on 8-bit planes, is left out:
        :meth:`process` does all the CLI does to an image. The noise is measured on the host."""
        settings = settings or self._settings
        out = torch.empty_like(x)
        for i in range(x.shape[0]):
            frame, frame_out = x[i : i + 1], out[i : i + 1]

            def write(rows: slice, y: torch.Tensor, frame_out: torch.Tensor = frame_out) -> None:
                frame_out[:, :, rows] = y

            noise = noise_sigma(luma(frame.float())[0, 0].cpu().numpy())
            self._render_bands(frame, *self._estimate_full(frame, settings, BT601, noise),
                               settings.smoothing, write)
        return out

    def process_frame(self, frame: Frame, keep_original: bool = False) -> Frame:
        """Enhance a pipeline frame: 4:2:0 decoded frames by the plane path, the rest as RGB;
        ``keep_original`` keeps the input as RGB in the result's ``original``."""
        return self.submit_frame(frame, keep_original).result()

    def submit_frame(self, frame: Frame, keep_original: bool = False) -> PendingFrame:
        """Start enhancing a pipeline frame (see :meth:`process_frame`). Off the fused kernel,
        a decoded frame's planes are still on their way back from the device when this returns
        (collect at most :attr:`overlap` frames late, in order); everything else is done."""
        decoded = frame.decoded
        if decoded is None or not yuv.supports(decoded):
            return ReadyFrame(frame.with_pixels(self.process(frame.rgb), keep_original))
        if self._fused is not None:
            return ReadyFrame(frame.with_pixels(self.process_planes(decoded), keep_original))
        return _PendingPlaneFrame(frame, self._submit_planes_torch(decoded, self._settings),
                                  keep_original)

    def process_planes(self, frame: av.VideoFrame) -> av.VideoFrame:
        """Enhance a decoded 4:2:0 frame (a format of :data:`llie_video.ops.yuv.PLANE_FORMATS`)
        into a new 8-bit yuv420p frame with the same colour tags (timing is left to the caller)."""
        settings = self._settings
        if self._fused is None:
            return _collect_planes(frame, self._submit_planes_torch(frame, settings))
        spec = yuv.YuvSpec.of_frame(frame)
        if self._kernel_threads > 0:
            numba.set_num_threads(self._kernel_threads)
        with torch.inference_mode():
            planes, noise = _noise_reduced_planes(frame, spec, settings)
            scale = self._estimation_scale(frame.height, frame.width, settings)
            size = low_resolution_size(frame.height, frame.width, scale)
            x_low = yuv.low_resolution_rgb(*planes, spec, size).to(self.dtype)
            params, finish = self._estimate(x_low, settings, spec.matrix, noise)
            blend = self._plane_blend(frame, spec, settings.smoothing)
            return self._fused.render(frame, spec, params.float(), blend,
                                      settings.smoothing > 0.0, finish, planes)

    def _plane_blend(self, frame: av.VideoFrame, spec: yuv.YuvSpec,
                     strength: float) -> TemporalBlend | None:
        """How the fused path blends this frame with its previous planes (moved with the camera
        first): blend weights per 4x4 block ``(1, 1, H/4, W/4)`` and the exposure gain; or None
        (nothing to blend)."""
        assert self._fused is not None
        blocks = plane_render.block_means(frame, spec)
        motion = self.denoiser.follow(blocks, strength)
        previous_blocks = None if motion is None else self._fused.follow(frame, motion)
        if previous_blocks is None:
            return None
        return self.denoiser.block_weights(blocks, previous_blocks, strength)

    def _submit_planes_torch(self, frame: av.VideoFrame,
                             settings: EnhanceSettings) -> PendingPlanes:
        """The plane path in plain torch on the stage's device (CUDA, or a model the fused
        kernel does not know): planes -> RGB -> render -> 8-bit planes, on their way back to the
        host when this returns (:mod:`llie_video.video.plane_transfer`)."""
        spec = yuv.YuvSpec.of_frame(frame)
        with torch.inference_mode(), (
            torch.cuda.stream(self._stream) if self._stream else nullcontext()
        ):
            planes, noise = _noise_reduced_planes(frame, spec, settings)
            staged = self._transfer.upload(planes)
            x = yuv.planes_to_rgb(*staged.planes, spec).to(self.dtype)
            enhanced = torch.empty_like(x)

            def write(rows: slice, band: torch.Tensor) -> None:
                enhanced[:, :, rows] = band

            self._render_bands(x, *self._estimate_full(x, settings, spec.matrix, noise),
                               settings.smoothing, write, spec.matrix)
            return self._transfer.download(staged, yuv.rgb_to_planes(enhanced, spec))

    def process(self, rgb: np.ndarray) -> np.ndarray:
        """Enhance one frame: ``(H, W, 3)`` uint8 RGB -> a new ``(H, W, 3)`` uint8 RGB array."""
        settings = self._settings
        host_in, host_out = self._host_buffers(rgb.shape)
        sigma = rgb_luma_noise(rgb)
        host_in.numpy()[...] = reduce_noise_rgb(rgb, settings.denoise, sigma)
        if self._stream is not None:
            with torch.cuda.stream(self._stream):
                self._run(host_in, host_out, settings, sigma / 255.0)
            self._stream.synchronize()
        else:
            self._run(host_in, host_out, settings, sigma / 255.0)
        return host_out.numpy().copy()

    @torch.inference_mode()
    def _run(self, host_in: torch.Tensor, host_out: torch.Tensor, settings: EnhanceSettings,
             noise: float) -> None:
        frame = host_in.to(self.device, non_blocking=True)
        # (H, W, 3) -> (1, 3, H, W) as a view: x stays channels-last in memory, like the params
        # map the CPU upsample returns, so the elementwise render runs on matching layouts.
        x = frame.permute(2, 0, 1).unsqueeze(0).to(self.dtype).div_(255.0)
        out = frame if self._cuda else host_out  # on CUDA, quantise on the device, then copy

        def write(rows: slice, y: torch.Tensor) -> None:
            band = y.squeeze(0).permute(1, 2, 0).mul_(255.0).add_(0.5).clamp_(0.0, 255.0)
            out[rows] = band.to(torch.uint8)

        self._render_bands(x, *self._estimate_full(x, settings, BT601, noise), settings.smoothing,
                           write)
        if self._cuda:
            host_out.copy_(out, non_blocking=True)


def _noise_reduced_planes(frame: av.VideoFrame, spec: yuv.YuvSpec, settings: EnhanceSettings
                          ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], float]:
    """The Y, Cb, Cr planes of a decoded 4:2:0 frame with their spatial noise reduced
    (:mod:`llie_video.ops.noise`; views of the frame's own planes where left alone), and the
    noise sigma of its luma as a share of the full scale."""
    full_scale = float((1 << spec.bit_depth) - 1)
    y, u, v = yuv.yuv420_planes(frame)
    sigma = noise_sigma(y)
    return reduce_noise_planes(y, u, v, settings.denoise, full_scale, sigma), sigma / full_scale


def _collect_planes(frame: av.VideoFrame, pending: PendingPlanes) -> av.VideoFrame:
    """The enhanced planes of ``frame`` as a new yuv420p frame with its colour tags."""
    out = yuv.new_yuv420p_like(frame)
    pending.copy_to(yuv.yuv420_planes(out))
    return out


class _PendingPlaneFrame:
    """A pipeline frame whose enhanced planes are on their way back from the device."""

    def __init__(self, frame: Frame, planes: PendingPlanes, keep_original: bool) -> None:
        self._frame = frame
        self._planes = planes
        self._keep_original = keep_original

    def result(self) -> Frame:
        decoded = self._frame.decoded
        assert decoded is not None
        return self._frame.with_pixels(_collect_planes(decoded, self._planes),
                                       self._keep_original)

"""The render routes: how a frame's pixels get from input to enhanced output.

- :class:`RgbRoute`: ``(H, W, 3)`` RGB through the model's torch code (images, frames that are
  not 4:2:0, and the reference the other routes are tested against).
- :class:`FusedPlaneRoute`: decoded 4:2:0 planes through one compiled CPU pass
  (:mod:`llie_video.enhance.plane_render`) that never builds a full-resolution RGB frame.
- :class:`TorchPlaneRoute`: the planes converted to RGB on the device (CUDA, or a model the
  kernel does not know), rendered with the torch code and converted back, with uploads and
  downloads in flight beside other frames' compute (:mod:`llie_video.enhance.plane_transfer`).

All three estimate with one :class:`~llie_video.enhance.estimator.Estimator` and share one
:class:`~llie_video.enhance.temporal.TemporalState`. The stage picks the plane route once, when
it is built; a route's :meth:`submit` returns a pending result, done at once except
on the torch plane route, whose planes may still be on their way back from the device.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Protocol

import av
import numpy as np
import torch

from llie_video.enhance import plane_render
from llie_video.enhance.camera_motion import CameraMotion
from llie_video.enhance.render_ahead import RenderAhead
from llie_video.enhance.temporal_denoise import TemporalBlend, TemporalDenoiser
from llie_video.enhance.estimator import Estimator
from llie_video.enhance.finish import FrameFinish
from llie_video.enhance.frames import PendingFrame, ReadyFrame
from llie_video.enhance.plane_transfer import PendingPlanes, PlaneTransfer
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.temporal import TemporalState
from llie_video.enhance import av_planes
from llie_video.ops import yuv
from llie_video.ops.colour_transform import split_colour_maps
from llie_video.ops.color import (BT601, adjust_gamma, blend, luma, luma_gamma, scale_saturation,
                                  shadow_weight)
from llie_video.ops.guided import apply_coefficients, clamp_params
from llie_video.ops.highlights import protect_highlights
from llie_video.ops.input_levels import apply_levels
from llie_video.ops.noise import noise_sigma, reduce_noise_planes, reduce_noise_rgb, rgb_luma_noise
from llie_video.ops.render_spec import RenderKind
from llie_video.ops.resize import low_resolution_size

Write = Callable[[slice, torch.Tensor], None]


class TorchRender:
    """The full-resolution render in torch, band by band of rows (the RGB and torch plane
    routes): temporal noise reduction, input levels, guided coefficients, the model's render and
    the finish (highlights, saturation, strength, gamma)."""

    def __init__(self, estimator: Estimator, denoiser: TemporalDenoiser, band_rows: int,
                 render_kind: RenderKind | None) -> None:
        self.estimator = estimator
        self.denoiser = denoiser
        self.band_rows = band_rows
        self.render_kind = render_kind

    def __call__(self, x: torch.Tensor, settings: EnhanceSettings, write: Write,
                 luma_coefficients: tuple[float, float, float], noise: float) -> None:
        """Estimate for ``x`` ``(B, 3, H, W)`` and render it band by band, handing each
        enhanced band ``(B, 3, rows, W)`` to ``write``; ``noise``: the input luma's noise sigma
        (0-1). ``x`` is overwritten."""
        params, finish = self.estimator.estimate_full(x, settings, luma_coefficients, noise)
        self.bands(x, params, finish, settings.smoothing, write, luma_coefficients)

    def _apply_guided(self, coefficients: torch.Tensor, input_luma: torch.Tensor
                      ) -> torch.Tensor:
        """The render's maps ``(B, P, rows, W)`` from a band of guided-filter coefficients
        (``(B, 2P, rows, W)``, or with a colour transform ``(B, 2(P - 12) + 12, rows, W)``, its
        plain maps last) on the band's input luma ``(B, 1, rows, W)``."""
        own, colour = split_colour_maps(coefficients, self.estimator.colour_transform)
        maps = apply_coefficients(own, input_luma)
        if self.render_kind is not None:
            clamp_params(maps, self.render_kind)
        return maps if colour is None else torch.cat([maps, colour], dim=1)

    def bands(self, x: torch.Tensor, params: torch.Tensor, finish: FrameFinish,
              smoothing: float, write: Write,
              luma_coefficients: tuple[float, float, float] = BT601) -> None:
        """Render and finish ``x`` ``(B, 3, H, W)`` with ``params`` ``(B, P, H, W)``. The
        render is pointwise given the parameters, so bands are exact; on the CPU they keep the
        working set in cache (about 2x faster than whole-frame passes at 720p). Temporal noise
        reduction of the input (at ``smoothing``) happens here too, per band, then the input
        levels, and guided-filter coefficients become parameters on the band's luma
        (``luma_coefficients``)."""
        model = self.estimator.model
        band = self.band_rows if x.device.type == "cpu" else x.shape[-2]
        blend_weights = self.denoiser.begin(x, smoothing)
        for top in range(0, x.shape[-2], band):
            rows = slice(top, top + band)
            x_band, p_band = x[:, :, rows], params[:, :, rows]
            self.denoiser.filter_(x_band, rows, blend_weights)
            apply_levels(x_band, finish.levels)
            needs_luma = finish.guided or finish.shadow > 0
            input_luma = luma(x_band, luma_coefficients) if needs_luma else None
            if finish.guided:
                p_band = self._apply_guided(p_band, input_luma)
            if finish.strength == 1.0 and finish.headroom >= 1.0:
                y = model.render_(x_band, p_band)  # x is not needed again: reuse it
            else:
                y = model.render(x_band, p_band)
            y = luma_gamma(y, finish.render_gamma, luma_coefficients)
            y = protect_highlights(x_band, y, finish.headroom)
            shadows = shadow_weight(input_luma, finish.shadow) if finish.shadow > 0 else None
            y = scale_saturation(y, finish.saturation, luma_coefficients, shadows)
            write(rows, adjust_gamma(blend(x_band, y, finish.strength), finish.gamma))


class RgbRoute:
    """``(H, W, 3)`` uint8 RGB in and out on ``device``: spatial noise reduction on the host,
    the torch render on the device (fp16 on its own stream on CUDA, through pinned buffers)."""

    def __init__(self, render: TorchRender, device: torch.device, dtype: torch.dtype,
                 stream: torch.cuda.Stream | None) -> None:
        self.render = render
        self.device = device
        self.dtype = dtype
        self.stream = stream
        self._cuda = device.type == "cuda"
        self._host_in: torch.Tensor | None = None
        self._host_out: torch.Tensor | None = None

    def _host_buffers(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        if self._host_in is None or tuple(self._host_in.shape) != shape:
            self._host_in = torch.empty(shape, dtype=torch.uint8, pin_memory=self._cuda)
            self._host_out = torch.empty(shape, dtype=torch.uint8, pin_memory=self._cuda)
        assert self._host_out is not None
        return self._host_in, self._host_out

    def process(self, rgb: np.ndarray, settings: EnhanceSettings) -> np.ndarray:
        """Enhance one frame: ``(H, W, 3)`` uint8 RGB -> a new ``(H, W, 3)`` uint8 RGB array."""
        host_in, host_out = self._host_buffers(rgb.shape)
        sigma = rgb_luma_noise(rgb)
        host_in.numpy()[...] = reduce_noise_rgb(rgb, settings.denoise, sigma)
        if self.stream is not None:
            with torch.cuda.stream(self.stream):
                self._run(host_in, host_out, settings, sigma / 255.0)
            self.stream.synchronize()
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

        self.render(x, settings, write, BT601, noise)
        if self._cuda:
            host_out.copy_(out, non_blocking=True)

    @torch.inference_mode()
    def enhance_tensor(self, x: torch.Tensor, settings: EnhanceSettings) -> torch.Tensor:
        """Enhance ``x`` ``(B, 3, H, W)`` in [0, 1] (on the stage's device and dtype; the batch
        is taken as consecutive frames) into a new tensor; ``x`` may be overwritten. No spatial
        noise reduction (it works on 8-bit planes); the noise is measured on the host."""
        out = torch.empty_like(x)
        for i in range(x.shape[0]):
            frame, frame_out = x[i : i + 1], out[i : i + 1]

            def write(rows: slice, y: torch.Tensor, frame_out: torch.Tensor = frame_out) -> None:
                frame_out[:, :, rows] = y

            noise = noise_sigma(luma(frame.float())[0, 0].cpu().numpy())
            self.render(frame, settings, write, BT601, noise)
        return out


class PlaneRoute(Protocol):
    """Decoded 4:2:0 frames (a format of :data:`llie_video.enhance.av_planes.PLANE_FORMATS`) in, new
    8- or 10-bit 4:2:0 frames (:data:`llie_video.enhance.av_planes.OUTPUT_FORMATS`) with the
    same colour tags out (timing is left to the caller)."""

    @property
    def prefers_planes(self) -> bool:
        """Whether decoded frames are best handed over as planes rather than converted to RGB
        by the decoder thread."""
        ...

    @property
    def overlap(self) -> int:
        """Frames that may stay in flight when the next is submitted."""
        ...

    def submit(self, frame: av.VideoFrame, settings: EnhanceSettings,
               bit_depth: int = 8) -> PendingFrame[av.VideoFrame]:
        """Start enhancing ``frame`` into planes of ``bit_depth`` bits."""
        ...

    def prepare(self) -> None:
        """Compile or load what the route runs, before the first frame."""
        ...


def noise_reduced_planes(frame: av.VideoFrame, spec: yuv.YuvSpec, settings: EnhanceSettings
                         ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], float]:
    """The Y, Cb, Cr planes of a decoded 4:2:0 frame with their spatial noise reduced
    (:mod:`llie_video.ops.noise`; views of the frame's own planes where left alone), and the
    noise sigma of its luma as a share of the full scale."""
    full_scale = float((1 << spec.bit_depth) - 1)
    y, u, v = av_planes.yuv420_planes(frame)
    sigma = noise_sigma(y)
    return reduce_noise_planes(y, u, v, settings.denoise, full_scale, sigma), sigma / full_scale


class FusedPlaneRoute:
    """The CPU fast path: estimate on a small RGB frame resized straight from the planes, then
    one fused compiled pass from planes to planes, the temporal filter blending with the
    previous planes moved with the camera. With ``render_ahead`` the pass runs on its own
    thread, so that the next frame's estimate runs beside it (one frame in flight)."""

    prefers_planes = True

    def __init__(self, estimator: Estimator, temporal: TemporalState,
                 renderer: plane_render.FusedPlaneRenderer, dtype: torch.dtype,
                 render_ahead: RenderAhead | None = None) -> None:
        self.estimator = estimator
        self.temporal = temporal
        self.renderer = renderer
        self.dtype = dtype
        self.render_ahead = render_ahead

    @property
    def overlap(self) -> int:
        return 0 if self.render_ahead is None else 1

    def prepare(self) -> None:
        self.renderer.prepare()

    def submit(self, frame: av.VideoFrame, settings: EnhanceSettings,
               bit_depth: int = 8) -> PendingFrame[av.VideoFrame]:
        spec = av_planes.spec_of(frame)
        smoothing = settings.smoothing
        with torch.inference_mode():
            planes, noise = noise_reduced_planes(frame, spec, settings)
            scale = self.estimator.scale(frame.height, frame.width, settings)
            size = low_resolution_size(frame.height, frame.width, scale)
            x_low = yuv.low_resolution_rgb(*planes, spec, size).to(self.dtype)
            params, finish = self.estimator.estimate(x_low, settings, spec.matrix, noise)
            blocks = plane_render.frame_block_means(frame, spec)
            motion = self.temporal.denoiser.track_camera(blocks, smoothing)
            if self.render_ahead is not None:  # the previous frame's pass writes its planes
                self.render_ahead.wait()
            blend_with = self._temporal_blend(frame, blocks, motion, smoothing)
            fused_pass = self.renderer.plan(frame, spec, params.float(), blend_with,
                                            smoothing > 0.0, finish, planes, bit_depth)
        if self.render_ahead is None:
            return ReadyFrame(fused_pass.run())
        return self.render_ahead.submit(fused_pass)

    def _temporal_blend(self, frame: av.VideoFrame, blocks: torch.Tensor,
                        motion: CameraMotion | None, smoothing: float) -> TemporalBlend | None:
        """How this frame (its 4x4 block means ``blocks`` ``(1, 1, H/4, W/4)``) blends with its
        previous planes, moved with the camera's ``motion`` first: blend weights per block
        ``(1, 1, H/4, W/4)`` and the exposure gain; or None (nothing to blend)."""
        previous_planes = self.temporal.previous_planes
        previous = None if motion is None else previous_planes.move_with_camera(frame, motion)
        if previous is None:
            return None
        return self.temporal.denoiser.block_weights(blocks, previous, smoothing)


class _PendingPlanes:
    """A frame whose enhanced planes are on their way back from the device."""

    def __init__(self, frame: av.VideoFrame, planes: PendingPlanes, bit_depth: int) -> None:
        self._frame = frame
        self._planes = planes
        self._bit_depth = bit_depth

    def result(self) -> av.VideoFrame:
        out = av_planes.new_yuv420p_like(self._frame, self._bit_depth)
        self._planes.copy_to(av_planes.yuv420_planes(out))
        return out


class TorchPlaneRoute:
    """The plane path in plain torch on the device: planes -> RGB -> render -> 8- or 10-bit planes,
    with ``in_flight`` frames' copies overlapping compute (CUDA) or staged for tests."""

    def __init__(self, render: TorchRender, device: torch.device, dtype: torch.dtype,
                 stream: torch.cuda.Stream | None, in_flight: int) -> None:
        self.render = render
        self.dtype = dtype
        self.stream = stream
        self.prefers_planes = device.type == "cuda"
        self._transfer = PlaneTransfer(device, in_flight,
                                       staged=device.type == "cuda" or in_flight > 1)

    @property
    def overlap(self) -> int:
        return self._transfer.overlap

    def prepare(self) -> None:
        pass

    def submit(self, frame: av.VideoFrame, settings: EnhanceSettings,
               bit_depth: int = 8) -> _PendingPlanes:
        spec = av_planes.spec_of(frame)
        with torch.inference_mode(), (
            torch.cuda.stream(self.stream) if self.stream else nullcontext()
        ):
            planes, noise = noise_reduced_planes(frame, spec, settings)
            staged = self._transfer.upload(planes)
            x = yuv.planes_to_rgb(*staged.planes, spec).to(self.dtype)
            enhanced = torch.empty_like(x)

            def write(rows: slice, band: torch.Tensor) -> None:
                enhanced[:, :, rows] = band

            self.render(x, settings, write, spec.matrix, noise)
            planes_out = yuv.rgb_to_planes(enhanced, spec, bit_depth)
            return _PendingPlanes(frame, self._transfer.download(staged, planes_out), bit_depth)

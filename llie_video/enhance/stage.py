"""The enhance stage: frames in, enhanced frames out, on any device.

Decoded 4:2:0 video takes a plane route, chosen once when the stage is built
(:mod:`llie_video.enhance.routes`): on the CPU one fused, compiled pass that never builds a
full-resolution RGB or float frame; elsewhere (CUDA, or a model the kernel does not know) the
planes are converted to RGB on the device, rendered with the model's torch code and converted
back. Anything else (images, other pixel formats) takes the RGB route. Every route estimates with
one :class:`~llie_video.enhance.estimator.Estimator` and carries one
:class:`~llie_video.enhance.temporal.TemporalState` between frames.

On CUDA the stage computes in fp16 on a dedicated stream; decoded frames' planes go up from pinned
host buffers on an upload stream and come back on a download stream, so a pipeline that keeps a
frame in flight (:attr:`EnhanceStage.overlap`) has one frame's copies overlap the next one's
compute (:mod:`llie_video.enhance.plane_transfer`). On the CPU the same code runs in fp32 on the
planes where they lie.

Each frame's strength is scaled by the daylight fade first (:mod:`llie_video.enhance.daylight`):
a well-lit scene passes through, a night is lifted.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Generic

import av
import numba
import numpy as np
import torch

from llie_video.enhance import av_planes, plane_render
from llie_video.enhance.daylight import DaylightFade
from llie_video.enhance.estimator import Estimator
from llie_video.enhance.frames import FrameT, PendingFrame, ReadyFrame
from llie_video.enhance.render_ahead import RenderAhead
from llie_video.enhance.routes import (
    FusedPlaneRoute,
    PlaneRoute,
    RgbRoute,
    TorchPlaneRoute,
    TorchRender,
)
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.temporal import TemporalState
from llie_video.models.base import EnhancementModel
from llie_video.ops import fused_yuv


class EnhanceStage:
    """Runs a model on frames: estimate at low resolution, render at full resolution, post-ops.

    Args:
        model: an :class:`EnhancementModel` (moved to ``device`` and put in eval mode).
        device: where to compute.
        dtype: ``torch.float16`` or ``torch.float32``.
        settings: initial :class:`EnhanceSettings`.
        band_rows: rows rendered per band on the CPU's torch routes (cache-sized working set).
        fused: render 4:2:0 frames with the fused CPU kernel where the model allows (False:
            the plain torch route, the reference the kernel is tested against).
        kernel_threads: threads of the fused kernel (0: one per core). Numba's thread count is
            per calling thread, so the stage sets it where it runs (the pipeline's enhance thread).
        in_flight: frames the plane route off the fused kernel may keep in flight
            (:class:`~llie_video.enhance.plane_transfer.PlaneTransfer`'s depth); default 2 on
            CUDA (copies overlap compute), else 1. More than 1 on the CPU stages the planes
            through the same ring as on CUDA, without streams (for tests).
        render_ahead: on the fused kernel, run each frame's full-resolution pass on a thread
            of its own (with ``kernel_threads``), so that the next frame's estimate runs beside
            it: one frame in flight (:attr:`overlap`, :mod:`llie_video.enhance.render_ahead`).
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
        render_ahead: bool = False,
    ) -> None:
        self.device = device
        self.dtype = dtype
        self.model = model.to(device=device, dtype=dtype).eval()
        self._settings = settings or EnhanceSettings()
        self._bit_depth = 8
        self._lock = threading.Lock()
        self._torch_threads = torch.get_num_threads()  # as the job configured them
        self._kernel_threads = min(kernel_threads, numba.config.NUMBA_NUM_THREADS)
        self.temporal = TemporalState()
        self.daylight = DaylightFade()
        cuda = device.type == "cuda"
        stream = torch.cuda.Stream(device=device) if cuda else None
        spec = model.render_spec()
        estimator = self._estimator = Estimator(self.model, self.temporal)
        render = TorchRender(estimator, self.temporal.denoiser, band_rows,
                             spec.kind if spec is not None else None)
        self._rgb = RgbRoute(render, device, dtype, stream)
        self._planes: PlaneRoute
        if fused and spec is not None and device.type == "cpu":
            renderer = plane_render.FusedPlaneRenderer(spec, self.temporal.previous_planes)
            ahead = RenderAhead(self._kernel_threads) if render_ahead else None
            self._planes = FusedPlaneRoute(estimator, self.temporal, renderer, dtype, ahead)
        else:
            depth = in_flight if in_flight is not None else (2 if cuda else 1)
            self._planes = TorchPlaneRoute(render, device, dtype, stream, depth)

    @property
    def fused(self) -> bool:
        """Whether decoded 4:2:0 frames go through the fused CPU kernel."""
        return isinstance(self._planes, FusedPlaneRoute)

    @property
    def prefers_planes(self) -> bool:
        """Whether decoded 4:2:0 frames are best handed over as they are (the fused CPU kernel,
        or a GPU that converts them itself) rather than converted to RGB by the decoder thread."""
        return self._planes.prefers_planes

    @property
    def overlap(self) -> int:
        """Frames that may stay in flight when the next is submitted (:meth:`submit_frame`):
        on CUDA 1, so that one frame's upload and download overlap the next one's compute; on
        the CPU 1 when rendering ahead, so that one frame's pass runs beside the next one's
        estimate."""
        return self._planes.overlap

    @property
    def settings(self) -> EnhanceSettings:
        return self._settings

    @property
    def output_bit_depth(self) -> int:
        """Bits per sample of the planes the plane routes write: 8 (yuv420p, the default) or 10
        (yuv420p10le, for a 10-bit output: rendered from float straight to 10 bits)."""
        return self._bit_depth

    @output_bit_depth.setter
    def output_bit_depth(self, bits: int) -> None:
        if bits not in av_planes.OUTPUT_FORMATS:
            raise ValueError(f"output bit depth must be 8 or 10, got {bits}")
        self._bit_depth = bits

    def update(self, **changes: object) -> EnhanceSettings:
        """Change settings (e.g. ``gamma=1.4``); they apply from the next frame on."""
        with self._lock:
            self._settings = replace(self._settings, **changes)  # type: ignore[arg-type]
            return self._settings

    @property
    def needs_preparing(self) -> bool:
        """Whether :meth:`prepare` still has the fused kernel to compile or load in this process
        (seconds the very first time on a machine, under one from Numba's cache)."""
        return self.fused and not fused_yuv.kernel_loaded()

    def prepare(self) -> None:
        """Compile the fused kernel, or load it from Numba's on-disk cache, and load the
        estimate's runtime, before a source is opened: the very first run on a machine takes
        seconds, which a live stream would spend dropping frames."""
        self._estimator.forward.load()
        if self.fused:
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
            self._planes.prepare()
            self.reset_temporal()

    def reset_temporal(self) -> None:
        """Forget the temporal state: call it between unrelated frames (images, seeks, reconnects)."""
        self.temporal.reset()
        self.daylight.reset()

    def enhance_tensor(self, x: torch.Tensor, settings: EnhanceSettings | None = None) -> torch.Tensor:
        """Enhance ``x`` ``(B, 3, H, W)`` in [0, 1] on the stage's device and dtype; the batch is
        taken as consecutive frames. Returns a new ``(B, 3, H, W)`` tensor; ``x`` may be
        overwritten. The spatial noise reduction, which works on 8-bit planes, is left out:
        :meth:`process` does all the CLI does to an image, the daylight fade included. The noise
        is measured on the host."""
        self._keep_torch_threads()
        return self._rgb.enhance_tensor(x, settings or self._settings)

    def process_frame(self, frame: FrameT, keep_original: bool = False) -> FrameT:
        """Enhance a pipeline frame: 4:2:0 decoded frames by the plane route, the rest as RGB;
        ``keep_original`` keeps the input's pixels in the result's ``original``."""
        return self.submit_frame(frame, keep_original).result()

    def _keep_torch_threads(self) -> None:
        """Set the fused kernel's threads (Numba's count is per calling thread), then give torch
        back the thread count it had when the stage was built: starting Numba's OpenMP layer or
        loading the kernel resets the OpenMP count torch reads to one per core, and a new
        calling thread may start from that default; the estimator and the torch render would
        then spin on a core the codec needs (100+ ms of CPU a frame on a loaded 2-core machine
        instead of 7)."""
        if self.fused and self._kernel_threads > 0:
            numba.set_num_threads(self._kernel_threads)
        if torch.get_num_threads() != self._torch_threads:
            torch.set_num_threads(self._torch_threads)

    def submit_frame(self, frame: FrameT, keep_original: bool = False) -> PendingFrame[FrameT]:
        """Start enhancing a pipeline frame (see :meth:`process_frame`). Off the fused kernel,
        a decoded frame's planes are still on their way back from the device when this returns
        (collect at most :attr:`overlap` frames late, in order); everything else is done."""
        self._keep_torch_threads()
        decoded = frame.decoded
        time_s = (float(frame.pts * frame.time_base)
                  if frame.pts is not None and frame.time_base else None)
        if decoded is None or not av_planes.supports(decoded):
            rgb = frame.rgb
            settings = self.daylight.settings_for(self._settings, rgb, time_s)
            return ReadyFrame(frame.with_pixels(self._rgb.process(rgb, settings), keep_original))
        settings = self.daylight.settings_for(self._settings, decoded, time_s)
        return _WithPixels(frame, self._planes.submit(decoded, settings, self._bit_depth),
                           keep_original)

    def process_planes(self, frame: av.VideoFrame) -> av.VideoFrame:
        """Enhance a decoded 4:2:0 frame (a format of :data:`llie_video.enhance.av_planes.PLANE_FORMATS`)
        into a new frame of :attr:`output_bit_depth` (yuv420p or yuv420p10le) with the same colour
        tags (timing is left to the caller; the frame's own time paces the daylight fade)."""
        self._keep_torch_threads()
        settings = self.daylight.settings_for(self._settings, frame, frame.time)
        return self._planes.submit(frame, settings, self._bit_depth).result()

    def process(self, rgb: np.ndarray) -> np.ndarray:
        """Enhance one frame: ``(H, W, 3)`` uint8 RGB -> a new ``(H, W, 3)`` uint8 RGB array."""
        self._keep_torch_threads()
        return self._rgb.process(rgb, self.daylight.settings_for(self._settings, rgb))


class _WithPixels(Generic[FrameT]):
    """A pipeline frame whose enhanced pixels are pending (on their way back from a device)."""

    def __init__(self, frame: FrameT, pixels: PendingFrame[av.VideoFrame],
                 keep_original: bool) -> None:
        self._frame = frame
        self._pixels = pixels
        self._keep_original = keep_original

    def result(self) -> FrameT:
        return self._frame.with_pixels(self._pixels.result(), self._keep_original)

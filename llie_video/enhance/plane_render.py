"""The CPU fast path's full-resolution half: decoded 4:2:0 planes in, 8- or 10-bit 4:2:0 planes
out.

The enhance stage estimates (and smooths) the parameters at low resolution; this module finishes
the frame in one fused pass (:func:`llie_video.ops.fused_yuv.enhance_yuv420`), keeping the
previous frame's noise-reduced planes for the temporal filter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import av
import numpy as np
import torch

from llie_video.ops import fused_yuv
from llie_video.ops.colour_transform import split_colour_maps
from llie_video.ops.block_means import block_means as plane_block_means
from llie_video.ops.jit import njit
from llie_video.ops.render_spec import RenderSpec
from llie_video.ops.yuv import YuvSpec, contiguous_flat_planes
from llie_video.enhance.av_planes import flat_planes, new_yuv420p_like, yuv420_planes
from llie_video.enhance.camera_motion import MOTION_BLOCK, CameraMotion, move_array
from llie_video.enhance.temporal_denoise import TemporalBlend
from llie_video.enhance.finish import FrameFinish

_BLOCK = MOTION_BLOCK  # the temporal filter's motion blocks


def interpolation_rows(full: int, low: int) -> tuple[np.ndarray, np.ndarray]:
    """For a corner-aligned bilinear upsample of ``low >= 2`` rows to ``full``: per output row,
    the low-resolution row above (int32 ``(full,)``, at most ``low - 2``) and the weight of the
    row below (float32 ``(full,)``, in [0, 1])."""
    source = np.arange(full, dtype=np.float64) * ((low - 1) / (full - 1) if full > 1 else 0.0)
    top = np.minimum(np.floor(source), low - 2).astype(np.int32)
    return top, (source - top).astype(np.float32)


def widen(maps: torch.Tensor, width: int) -> np.ndarray:
    """Interpolate ``maps`` ``(1, C, h, w)`` along the width only (corner-aligned linear):
    ``(C, max(h, 2), width)`` float32, a single row repeated so the kernel always has two."""
    return fused_yuv.widen_rows(np.ascontiguousarray(maps[0].float().numpy()), width)


def frame_block_means(frame: av.VideoFrame, spec: YuvSpec) -> torch.Tensor:
    """Means of the 4x4 luma blocks of a frame, normalised to [0, 1]: ``(1, 1, ceil(H/4),
    ceil(W/4))`` float32, for the temporal filter's motion measure. Luma alone: its differences
    match the channel-mean differences of RGB frames that the filter's thresholds were set on,
    where small chroma differences would dilute them and let motion pass for noise."""
    y_off, y_scale, _, _ = spec.levels()
    small = plane_block_means(yuv420_planes(frame)[0], _BLOCK)
    return torch.from_numpy((small - y_off) / y_scale)[None, None]


@njit(cache=True)
def sums_to_block_means(sums: np.ndarray, height: int, width: int) -> np.ndarray:
    """The 4x4 block means ``(ceil(H/4), ceil(W/4))`` of a luma plane ``(H, W)`` from the
    fused kernel's per-chroma-row sums ``(ceil(H/2), ceil(W/4))`` (2 luma rows x 4 columns each,
    fewer at the bottom and right edges)."""
    out = np.empty(((sums.shape[0] + 1) // 2, sums.shape[1]), np.float32)
    for i in range(out.shape[0]):
        rows = min(_BLOCK, height - _BLOCK * i)
        for j in range(out.shape[1]):
            total = sums[2 * i, j]
            if 2 * i + 1 < sums.shape[0]:
                total += sums[2 * i + 1, j]
            out[i, j] = total / np.float32(rows * min(_BLOCK, width - _BLOCK * j))
    return out


@dataclass(frozen=True)
class KernelValues:
    """One frame's scalars for :func:`llie_video.ops.fused_yuv.enhance_yuv420`, named as the
    kernel's ``V_*`` slots (``colour_transform`` is ``V_COLOUR_TRANSFORM``); packed into its
    float32 ``values`` array by :meth:`pack` (the kernel documents each)."""

    kind: int
    iterations: int
    floor: float
    exponent: float
    headroom: float
    saturation: float
    strength: float
    user_exponent: float
    kr: float
    kb: float
    levels_in: tuple[float, float, float, float]
    levels_out: tuple[float, float, float, float]
    temporal_mode: int
    previous_gain: float
    guided: bool
    input_scale: tuple[float, float, float]
    input_offset: tuple[float, float, float]
    shadow: float
    colour_transform: bool
    out_max: float
    ceiling_exponent: float

    def pack(self) -> np.ndarray:
        """The ``(VALUES,)`` float32 array: each field at the kernel's slot of the same name
        (field ``levels_in`` at ``V_LEVELS_IN``, a tuple over consecutive slots); every slot is
        filled exactly once."""
        values = np.full(fused_yuv.VALUES, np.nan, np.float32)
        for f in fields(self):
            value = getattr(self, f.name)
            flat = value if isinstance(value, tuple) else (float(value),)
            slot = getattr(fused_yuv, "V_" + f.name.upper())
            if not np.isnan(values[slot : slot + len(flat)]).all():
                raise AssertionError(f"kernel slot {slot} ({f.name}) filled twice")
            values[slot : slot + len(flat)] = flat
        if np.isnan(values).any():
            raise AssertionError(f"kernel slots left empty: {np.flatnonzero(np.isnan(values))}")
        return values


class PreviousPlanes:
    """The temporal filter's memory on the fused path: the previous frame's noise-reduced planes
    (float32, as the kernel wrote them) and the block sums of their luma. Owned by
    :class:`llie_video.enhance.temporal.TemporalState`, written by the kernel."""

    def __init__(self) -> None:
        self._planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._sums: np.ndarray | None = None  # the kernel's, for the previous luma

    def reset(self) -> None:
        """Forget the previous frame's planes."""
        self._planes = None
        self._sums = None

    def move_with_camera(self, frame: av.VideoFrame,
                         motion: CameraMotion) -> torch.Tensor | None:
        """Move the previous frame's planes with the camera (``motion`` in luma pixels,
        bilinear) for blending into ``frame``; the block means of the moved luma, normalised as
        :func:`frame_block_means`, or None when there is no previous frame of this size."""
        if self._planes is None or self._planes[0].shape != (frame.height, frame.width):
            return None
        if motion.moves:
            luma, cb, cr = self._planes
            chroma_motion = motion.on_grid(2)
            self._planes = (move_array(luma, motion), move_array(cb, chroma_motion),
                            move_array(cr, chroma_motion))
            self._sums = None
        if self._sums is None:
            blocks = plane_block_means(self._planes[0], _BLOCK)
        else:  # summed by the kernel as it wrote the planes: no second pass over them
            blocks = sums_to_block_means(self._sums, frame.height, frame.width)
        return torch.from_numpy(blocks)[None, None]

    def buffers(self, y: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """The Y, Cb, Cr planes and luma block sums for the kernel to blend with and overwrite,
        for a frame with luma ``y`` and chroma ``u`` (allocated at a new size)."""
        if self._planes is None or self._planes[0].shape != y.shape:
            self._planes = (np.empty(y.shape, np.float32), np.empty(u.shape, np.float32),
                            np.empty(u.shape, np.float32))
        sums_shape = (u.shape[0], -(-y.shape[1] // _BLOCK))
        if self._sums is None or self._sums.shape != sums_shape:
            self._sums = np.empty(sums_shape, np.float32)
        return (*self._planes, self._sums)


class FusedPlaneRenderer:
    """Runs a model's render on planes with the fused kernel, blending with ``previous``."""

    def __init__(self, render: RenderSpec, previous: PreviousPlanes) -> None:
        self.render_spec = render
        self.previous = previous
        self._rows: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    @staticmethod
    def prepare() -> None:
        """Compile (or load from Numba's cache) what only a moving camera runs: the block means
        of the moved float32 luma."""
        plane_block_means(np.zeros((_BLOCK, _BLOCK), np.float32), _BLOCK)

    def plan(
        self,
        frame: av.VideoFrame,
        spec: YuvSpec,
        params: torch.Tensor,
        blend: TemporalBlend | None,
        temporal_on: bool,
        finish: FrameFinish,
        planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        bit_depth: int = 8,
    ) -> FusedPass:
        """The fused pass that enhances ``frame`` (a format of
        :data:`llie_video.enhance.av_planes.PLANE_FORMATS`; :meth:`FusedPass.run` runs it),
        ready to run on any thread: everything that
        reads or changes the temporal state (the previous planes it blends with and
        overwrites) is settled here, on the calling thread.

        Args:
            frame: the decoded frame, read through plane views.
            spec: its colour matrix, range and bit depth.
            params: the smoothed parameter map at low resolution, ``(1, P, h, w)`` (see
                :meth:`llie_video.enhance.estimator.Estimator.estimate`).
            blend: how the temporal filter blends with the previous planes as
                :meth:`PreviousPlanes.move_with_camera` left them (weights per 4x4 block
                ``(1, 1, H/4, W/4)``, exposure gain), or None
                (no previous frame to blend with: this one is remembered).
            temporal_on: whether the temporal filter runs at all.
            finish: the post-ops after the render (gamma, highlight protection, saturation,
                strength) and whether ``params`` are guided-filter coefficients.
            planes: the Y, Cb, Cr planes to read instead of ``frame``'s (its planes with their
                noise reduced), or None.
            bit_depth: of the output, 8 or 10 (written from float, never through 8 bits).
        """
        y, u, _ = yuv420_planes(frame) if planes is None else planes
        flat, layout = flat_planes(frame) if planes is None else contiguous_flat_planes(*planes)
        height, width = y.shape
        render = self.render_spec
        blend_weights = None  # (1, 1, H/4, W/4), only when blending
        if not temporal_on:
            mode = fused_yuv.TEMPORAL_OFF
        elif blend is None:
            mode = fused_yuv.TEMPORAL_STORE
        else:
            mode, blend_weights = fused_yuv.TEMPORAL_BLEND, blend.weights
        previous = self.previous.buffers(y, u) if mode != fused_yuv.TEMPORAL_OFF else (
            np.empty((1, 1), np.float32),) * 4
        values = KernelValues(
            kind=int(render.kind), iterations=render.iterations, floor=render.floor,
            exponent=1.0 / render.output_gamma, ceiling_exponent=1.0 / finish.render_gamma,
            headroom=finish.headroom, saturation=finish.saturation, strength=finish.strength,
            user_exponent=1.0 / finish.gamma, kr=spec.matrix[0], kb=spec.matrix[2],
            levels_in=spec.levels(), levels_out=spec.levels(bit_depth), temporal_mode=mode,
            previous_gain=blend.gain if blend is not None else 1.0, guided=finish.guided,
            input_scale=finish.levels.scale, input_offset=finish.levels.offset,
            shadow=finish.shadow, colour_transform=render.colour_transform,
            out_max=float((1 << bit_depth) - 1))
        return FusedPass(self, frame, bit_depth, flat, layout, params, blend_weights, values,
                         previous, u.shape[0])

    def rows_for(self, full: int, low: int) -> tuple[np.ndarray, np.ndarray]:
        """:func:`interpolation_rows`, kept per size."""
        key = (full, low)
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = interpolation_rows(full, low)
        return rows


@dataclass
class FusedPass:
    """One frame's fused pass as :meth:`FusedPlaneRenderer.plan` settled it: :meth:`run` widens
    the maps and runs the kernel, touching nothing but these arrays (so it may run on another
    thread while the next frame is estimated)."""

    renderer: FusedPlaneRenderer
    frame: av.VideoFrame
    bit_depth: int
    flat: tuple[np.ndarray, np.ndarray, np.ndarray]
    layout: np.ndarray
    params: torch.Tensor  # (1, P, h, w)
    blend_weights: torch.Tensor | None  # (1, 1, H/4, W/4), with TEMPORAL_BLEND
    values: KernelValues
    previous: tuple[np.ndarray, ...]
    chroma_height: int

    def run(self) -> av.VideoFrame:
        """The enhanced frame: a new yuv420p (8-bit) or yuv420p10le frame with the input's
        colour tags (timing is set by the caller)."""
        out = new_yuv420p_like(self.frame, self.bit_depth)
        planes_out, layout_out = flat_planes(out)
        height, width = self.frame.height, self.frame.width
        rows_for = self.renderer.rows_for
        params, colour_maps = split_colour_maps(self.params, self.values.colour_transform)
        if colour_maps is not None:  # one transform per 2x2 block: at the chroma grid
            colour = widen(colour_maps, (width + 1) // 2)
        else:
            colour = np.zeros((1, 2, 1), np.float32)
        colour_top, colour_weight = rows_for(self.chroma_height, colour.shape[1])
        wide = widen(params, width)
        top, weight = rows_for(height, wide.shape[1])
        if self.blend_weights is not None:
            blend_map = widen(self.blend_weights, width)[0]
        else:
            blend_map = np.zeros((2, width), np.float32)
        blend_top, blend_weight = rows_for(height, blend_map.shape[0])
        fused_yuv.enhance_yuv420(
            height, width, *self.flat, self.layout, *planes_out, layout_out[[1, 3, 5]], wide,
            top, weight, self.values.pack(), colour, colour_top, colour_weight, blend_map,
            blend_top, blend_weight, *self.previous,
        )
        return out

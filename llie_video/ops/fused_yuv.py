"""The fused full-resolution pass of the YUV fast path, compiled with Numba.

One pass reads 4:2:0 planes (8 to 16 bits; yuv420p, nv12 through strided chroma views, 10-bit),
and writes 4:2:0 planes of 8 or 10 bits (uint8 or uint16, rounded once, from float): per pixel it converts Y'CbCr to R'G'B' in registers, applies the
temporal noise reduction, the input levels (black point, white balance), the model's render
(light-enhancement curves or a Retinex division, with the parameter map interpolated on the fly,
or built from guided-filter coefficients and the pixel's luma), the ceiling's gamma on the luma, highlight
protection, saturation, strength and the user's gamma, and converts back; each output
chroma sample is made from the mean of its 2x2 enhanced pixels. No full-resolution RGB or float
frame is ever stored: the working set is a few rows, in cache.

The loops are written row by row over contiguous arrays so that LLVM vectorises them (with
512-bit vectors where the CPU has AVX-512, :mod:`llie_video.ops.jit`; AVX2 on most laptops; the
maths written pixel by pixel took ~70 ms a 1080p frame on one core). On one core of this
project's 2-core Xeon, the default model's pass over a decoded 1080p frame takes 11-13 ms
(2026-12-07, ``docs/performance.md``), of which the colour transform ~3, the ceiling's power,
the temporal blend and the highlight protection 1.5-2.5 each. The time does not depend on the
row length (the frame cut into 2 to 16 vertical strips took as long or longer): arithmetic, not
cache, bounds it.
The compiled code is cached on disk (``cache=True``), so only the very first run on a machine pays
the compile (a few seconds), and once per input bit depth, never per resolution.

Conventions: ``c`` indexes luma columns, ``ci`` chroma columns; parameter maps arrive already
interpolated along the width (``(P, h, W)``) with, per output row, the index of the low-resolution
row above (``rows_top``) and the weight of the one below (``rows_weight``): a corner-aligned
bilinear upsample finished inside the kernel.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from llie_video.ops.color import GAMMA_FLOOR
from llie_video.ops.colour_transform import BLACK_KNEE
from llie_video.ops.jit import njit, prange
from llie_video.ops.render_spec import RenderKind

CURVES = int(RenderKind.CURVES)
CURVES_PER_STEP = int(RenderKind.CURVES_PER_STEP)

# Temporal noise reduction modes.
TEMPORAL_OFF = 0
TEMPORAL_STORE = 1  # remember this frame's input, no blending (first frame after a reset)
TEMPORAL_BLEND = 2

_f32 = np.float32

# The per-frame values the kernel reads, packed in one float32 array (see plane_render.KernelValues).
V_KIND = 0  # a RenderKind
V_ITERATIONS = 1
V_FLOOR = 2  # the Retinex illumination floor
V_EXPONENT = 3  # x ** exponent after the render (the model's own gamma)
V_HEADROOM = 4
V_SATURATION = 5
V_STRENGTH = 6
V_USER_EXPONENT = 7
V_KR = 8
V_KB = 9
V_LEVELS_IN = 10  # 4 values: y_offset, y_scale, c_offset, c_scale
V_LEVELS_OUT = 14  # 4 values
V_TEMPORAL_MODE = 18
V_PREVIOUS_GAIN = 19
V_GUIDED = 20  # 1: params hold guided-filter slopes then offsets, applied to the input luma
V_INPUT_SCALE = 21  # 3 values: the input levels' per-channel scale (black point, white balance)
V_INPUT_OFFSET = 24  # 3 values: and offset
V_SHADOW = 27  # input luma under which colour fades to grey (0: none)
V_COLOUR_TRANSFORM = 28  # 1: an affine colour transform (colour_maps) after the render
V_OUT_MAX = 29  # the output's highest code value: 255 (8-bit planes) or 1023 (10-bit)
V_CEILING_EXPONENT = 30  # luma ** exponent after that, channels scaled together (the ceiling's)
VALUES = 31
COLOUR_MAPS = 12


@njit(fastmath=True, inline="always")
def _copy_row(out: np.ndarray, row: np.ndarray) -> None:
    """``out[:] = row`` for 1-D rows of one length, as a loop: the slice assignment's broadcast
    checks take seconds to compile."""
    for c in range(out.shape[0]):
        out[c] = row[c]


@njit(fastmath=True, inline="always")
def _lerp_row(out: np.ndarray, top: np.ndarray, bottom: np.ndarray, weight: np.float32) -> None:
    for c in range(out.shape[0]):
        out[c] = top[c] + weight * (bottom[c] - top[c])


@njit(fastmath=True, cache=True, nogil=True)
def widen_rows(maps: np.ndarray, width: int) -> np.ndarray:
    """Corner-aligned linear interpolation of ``maps`` ``(C, h, w)`` float32 along the width
    to ``(C, max(h, 2), width)``; a single row is repeated so callers always have two. Each
    output reads its left sample and the step to the next, taken once per row (0.75x the
    time of reading both neighbours)."""
    channels, rows, columns = maps.shape
    out = np.empty((channels, max(rows, 2), width), np.float32)
    scale = (columns - 1) / (width - 1) if width > 1 else 0.0
    left = np.empty(width, np.int64)
    weight = np.empty(width, np.float32)
    for c in range(width):
        source = c * scale
        left[c] = min(int(source), max(columns - 2, 0))
        weight[c] = source - left[c] if columns > 1 else 0.0
    step = np.zeros(columns, np.float32)  # row[j + 1] - row[j]; 0 for a single column
    for ch in range(channels):
        for r in range(rows):
            row, target = maps[ch, r], out[ch, r]
            for j in range(columns - 1):
                step[j] = row[j + 1] - row[j]
            for c in range(width):
                j = left[c]
                target[c] = row[j] + weight[c] * step[j]
        if rows == 1:
            for c in range(width):
                out[ch, 1, c] = out[ch, 0, c]
    return out


@intrinsic
def _float_bits(typingctx, value):
    """The bits of a float32 as an int32 (a register reinterpretation, free in vector code)."""
    if value != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return types.int32(types.float32), codegen


@intrinsic
def _bits_float(typingctx, bits):
    """The float32 whose bits are the int32 ``bits``."""
    if bits != types.int32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


# log2(1 + u) for u in [0, 1): a degree-6 polynomial fitted at Chebyshev nodes, exact at both
# ends (so the octaves join without a step), error under 2.2e-6
_LOG2 = tuple(_f32(c) for c in (1.4425272726742764, -0.7179134800977545, 0.45654041103333826,
                                 -0.2759689569974663, 0.1201002594183137, -0.02528550603070734))
# 2 ** g for g in [-1/2, 1/2]: degree 5, relative error under 1.1e-7
_EXP2 = tuple(_f32(c) for c in (1.0000000754953486, 0.69314720671062, 0.2402210735583058,
                                 0.05550327214208907, 0.009676037097865804,
                                 0.0013400432165363181))


@njit(fastmath=True, error_model="numpy", inline="always")
def _power(value: np.float32, exponent: np.float32) -> np.float32:
    """``value ** exponent`` for ``value`` in [0, 1], ``exponent > 0``, absolute error under
    1e-5 up to exponent 6 (a 10-bit code is 1e-3), as ``2 ** (exponent * log2(value))`` with
    two polynomials and no division: branch-free, so a loop of it vectorises (a ``pow`` call per
    pixel does not; a 4096-entry lookup table needs gathers, which cost as much here, and erred
    by over a code value near black for exponents under 1: 0.0045 at 0.4)."""
    l1, l2, l3, l4, l5, l6 = _LOG2
    e0, e1, e2, e3, e4, e5 = _EXP2
    bits = _float_bits(max(value, _f32(1e-30)))
    # value = 2**e * (1 + u), u in [0, 1)
    e = _f32(np.int32(bits & 0x7F800000)) * _f32(2.0**-23) - _f32(127.0)
    u = _bits_float(np.int32((bits & 0x007FFFFF) | 0x3F800000)) - _f32(1.0)
    log2 = e + u * (l1 + u * (l2 + u * (l3 + u * (l4 + u * (l5 + u * l6)))))
    # 2**y = 2**n * 2**g, n the nearest integer, |g| <= 1/2
    y = max(exponent * log2, _f32(-126.0))
    n_biased = _f32(np.int32(y + _f32(128.5)))  # n + 128 (y + 128.5 > 0: truncation floors)
    g = y - (n_biased - _f32(128.0))
    p = e0 + g * (e1 + g * (e2 + g * (e3 + g * (e4 + g * e5))))
    return p * _bits_float(np.int32((n_biased - _f32(1.0)) * _f32(2.0**23)))  # p * 2**n


@njit(fastmath=True, error_model="numpy", inline="always")
def _apply_power(x: np.ndarray, exponent: np.float32) -> None:
    """``x`` ``(W,)`` clipped to [0, 1], then raised to ``exponent``, in place."""
    for c in range(x.shape[0]):
        x[c] = _power(min(max(x[c], _f32(0.0)), _f32(1.0)), exponent)


@njit(fastmath=True, inline="always")
def _add_pairs(sums: np.ndarray, row: np.ndarray, pairs: int) -> None:
    """``sums[ci] += row[2 ci] + row[2 ci + 1]`` for ``ci < pairs``."""
    for ci in range(pairs):
        sums[ci] += row[2 * ci] + row[2 * ci + 1]


@njit(fastmath=True, inline="always")
def _pair_up(out: np.ndarray, row: np.ndarray) -> None:
    """``out[2 ci] = out[2 ci + 1] = row[ci]`` for each ``ci`` of ``row``."""
    for ci in range(row.shape[0]):
        value = row[ci]
        out[2 * ci] = value
        out[2 * ci + 1] = value


@njit(fastmath=True, inline="always")
def _add_quads(sums: np.ndarray, row: np.ndarray) -> None:
    """``sums[q] += row[4 q] + ... + row[4 q + 3]``, the last group partial when the row's
    length is not a multiple of 4."""
    quads = row.shape[0] // 4
    for q in range(quads):
        sums[q] += (row[4 * q] + row[4 * q + 1]) + (row[4 * q + 2] + row[4 * q + 3])
    for c in range(4 * quads, row.shape[0]):
        sums[quads] += row[c]


@njit(fastmath=True, inline="always")
def _params_row(out: np.ndarray, p: np.ndarray, index: int, top: int, weight: np.float32,
                guided: bool, guide: np.ndarray, low: np.float32, high: np.float32) -> None:
    """Row ``top + weight`` of parameter map ``index`` at full width into ``out`` ``(W,)``: an
    interpolated map, or with ``guided``, ``slope * guide + offset`` from the interpolated
    slope (map ``index``) and offset (map ``index + P``, ``P`` half the maps) clamped into
    ``[low, high]``."""
    if not guided:
        _lerp_row(out, p[index, top], p[index, top + 1], weight)
        return
    half = p.shape[0] // 2
    slope_top, slope_bottom = p[index, top], p[index, top + 1]
    offset_top, offset_bottom = p[index + half, top], p[index + half, top + 1]
    for c in range(out.shape[0]):  # one pass: both interpolations and the linear model
        slope = slope_top[c] + weight * (slope_bottom[c] - slope_top[c])
        offset = offset_top[c] + weight * (offset_bottom[c] - offset_top[c])
        out[c] = min(max(slope * guide[c] + offset, low), high)


@njit(fastmath=True, inline="always")
def _render_channel(x: np.ndarray, p: np.ndarray, a: np.ndarray, channel: int, top: int,
                    weight: np.float32, kind: int, iterations: int, floor: np.float32,
                    guided: bool, guide: np.ndarray) -> None:
    """Render one colour channel of a row in place: ``x`` ``(W,)``, ``p`` ``(P, h, W)`` (or
    guided-filter coefficients ``(2P, h, W)`` applied to ``guide``, the row's input luma)."""
    width = x.shape[0]
    one = _f32(1.0)
    if kind == CURVES:
        _params_row(a, p, channel, top, weight, guided, guide, -one, one)
        if iterations == 8:  # the usual count: a constant trip count unrolls, in registers
            for c in range(width):
                v = x[c]
                alpha = a[c]
                for _ in range(8):
                    v = v + alpha * (v * v - v)
                x[c] = v
        else:  # steps outside, so that the inner loop over pixels still vectorises
            for _ in range(iterations):
                for c in range(width):
                    v = x[c]
                    x[c] = v + a[c] * (v * v - v)
    elif kind == CURVES_PER_STEP:
        for step in range(iterations):
            _params_row(a, p, 3 * step + channel, top, weight, guided, guide, -one, one)
            for c in range(width):
                v = x[c]
                x[c] = v + a[c] * (v * v - v)
    else:
        _params_row(a, p, channel, top, weight, guided, guide, floor, one)
        for c in range(width):
            illumination = min(max(a[c], floor), _f32(1.0))
            x[c] = min(max(x[c] / illumination, _f32(0.0)), _f32(1.0))


@njit(fastmath=True, inline="always")
def _colour_transform_row(t: np.ndarray, maps: np.ndarray, top: int, weight: np.float32) -> None:
    """Row ``top + weight`` of the 12 colour maps ``maps`` ``(12, h, ceil(W/2))``
    (interpolated along the chroma grid's width) into ``t`` ``(12, ceil(W/2))``: one transform
    per 2x2 block (:func:`llie_video.ops.colour_transform.colour_maps_per_block`)."""
    for j in range(COLOUR_MAPS):
        _lerp_row(t[j], maps[j, top], maps[j, top + 1], weight)


@njit(fastmath=True, inline="always")
def _transform_pixel(r: np.float32, g: np.float32, b: np.float32, t: np.ndarray,
                     ci: int) -> tuple[np.float32, np.float32, np.float32]:
    """One pixel ``(r, g, b)`` through transform ``ci`` of ``t`` ``(12, ceil(W/2))``:
    ``clamp(x + D x + w o, 0, 1)`` with ``w = min(1, max(x) / BLACK_KNEE)``."""
    one, zero = _f32(1.0), _f32(0.0)
    w = min(max(max(r, g), b) * _f32(1.0 / BLACK_KNEE), one)
    return (min(max(r + t[0, ci] * r + t[1, ci] * g + t[2, ci] * b + w * t[9, ci], zero), one),
            min(max(g + t[3, ci] * r + t[4, ci] * g + t[5, ci] * b + w * t[10, ci], zero), one),
            min(max(b + t[6, ci] * r + t[7, ci] * g + t[8, ci] * b + w * t[11, ci], zero), one))


@njit(fastmath=True, inline="always")
def _transform_colour(red: np.ndarray, green: np.ndarray, blue: np.ndarray,
                      t: np.ndarray) -> None:
    """:func:`llie_video.ops.colour_transform.apply_colour_transform` on one row ``(W,)``, in
    place, with its transforms at the chroma grid in ``t`` ``(12, ceil(W/2))``
    (:func:`_colour_transform_row`): each pixel pair shares one, read once for both."""
    pairs = red.shape[0] // 2
    for ci in range(pairs):
        c = 2 * ci
        red[c], green[c], blue[c] = _transform_pixel(red[c], green[c], blue[c], t, ci)
        red[c + 1], green[c + 1], blue[c + 1] = _transform_pixel(
            red[c + 1], green[c + 1], blue[c + 1], t, ci)
    if red.shape[0] % 2:
        c = red.shape[0] - 1
        red[c], green[c], blue[c] = _transform_pixel(red[c], green[c], blue[c], t, pairs)


@njit(fastmath=True, error_model="numpy", inline="always")
def _luma_power(red: np.ndarray, green: np.ndarray, blue: np.ndarray, kr: np.float32,
                kg: np.float32, kb: np.float32, exponent: np.float32) -> None:
    """:func:`llie_video.ops.color.luma_gamma` on one row, in place: each pixel's channels
    (``(W,)`` each, in [0, 1]) scaled by ``luma ** (exponent - 1)``, so its luma is raised to
    ``exponent`` and its hue stays; one power a pixel instead of three."""
    floor = _f32(GAMMA_FLOOR)
    for c in range(red.shape[0]):
        luma = min(max(kr * red[c] + kg * green[c] + kb * blue[c], floor), _f32(1.0))
        scale = _power(luma, exponent - _f32(1.0))
        red[c] = min(red[c] * scale, _f32(1.0))
        green[c] = min(green[c] * scale, _f32(1.0))
        blue[c] = min(blue[c] * scale, _f32(1.0))


@njit(fastmath=True, inline="always")
def _scale_saturation(red: np.ndarray, green: np.ndarray, blue: np.ndarray, kr: np.float32,
                      kg: np.float32, kb: np.float32, saturation: np.float32, shadowed: bool,
                      input_luma: np.ndarray, inv_shadow: np.float32) -> None:
    """:func:`llie_video.ops.color.scale_saturation` on one row, in place; with ``shadowed``
    the factor fades to 0 as the pixel's ``input_luma`` goes below ``1 / inv_shadow``
    (:func:`llie_video.ops.color.shadow_weight`)."""
    if shadowed:  # two loops rather than a test per pixel, so that each vectorises
        for c in range(red.shape[0]):
            luma = kr * red[c] + kg * green[c] + kb * blue[c]
            factor = saturation * min(max(input_luma[c] * inv_shadow, _f32(0.0)), _f32(1.0))
            red[c] = min(max(luma + factor * (red[c] - luma), _f32(0.0)), _f32(1.0))
            green[c] = min(max(luma + factor * (green[c] - luma), _f32(0.0)), _f32(1.0))
            blue[c] = min(max(luma + factor * (blue[c] - luma), _f32(0.0)), _f32(1.0))
        return
    for c in range(red.shape[0]):
        luma = kr * red[c] + kg * green[c] + kb * blue[c]
        red[c] = min(max(luma + saturation * (red[c] - luma), _f32(0.0)), _f32(1.0))
        green[c] = min(max(luma + saturation * (green[c] - luma), _f32(0.0)), _f32(1.0))
        blue[c] = min(max(luma + saturation * (blue[c] - luma), _f32(0.0)), _f32(1.0))


@njit(fastmath=True, inline="always")
def _lift_bound(value: np.float32, original: np.float32,
                bound: np.float32) -> tuple[np.float32, np.float32]:
    """The share of a channel's lift ``value - original`` that stays under ``bound``
    (``>= original``) as a fraction ``(numerator, denominator)``, ``(1, 1)`` when it all does."""
    if value <= bound:
        return _f32(1.0), _f32(1.0)
    return bound - original, value - original


@njit(fastmath=True, inline="always")
def _smaller(n1: np.float32, d1: np.float32, n2: np.float32,
             d2: np.float32) -> tuple[np.float32, np.float32]:
    """The smaller of the fractions ``n1 / d1`` and ``n2 / d2`` (positive denominators),
    compared without dividing."""
    if n1 * d2 <= n2 * d1:
        return n1, d1
    return n2, d2


@njit(fastmath=True, inline="always")
def _protect_highlights(red: np.ndarray, green: np.ndarray, blue: np.ndarray,
                        red_in: np.ndarray, green_in: np.ndarray, blue_in: np.ndarray,
                        headroom: np.float32) -> None:
    """:func:`llie_video.ops.highlights.protect_highlights` on one row, in place on the
    enhanced channels (``(W,)`` each): each pixel keeps the smallest channel's share of its
    lift, found by comparing fractions, so a pixel costs one division rather than three."""
    for c in range(red.shape[0]):
        r0, g0, b0 = red_in[c], green_in[c], blue_in[c]
        r, g, b = red[c], green[c], blue[c]
        brightest = max(r0, max(g0, b0))
        bound = brightest + headroom * (_f32(1.0) - brightest)
        nr, dr = _lift_bound(r, r0, bound)
        ng, dg = _lift_bound(g, g0, bound)
        nb, db = _lift_bound(b, b0, bound)
        n, d = _smaller(nr, dr, ng, dg)
        n, d = _smaller(n, d, nb, db)
        share = n / d
        red[c] = r0 + share * (r - r0)
        green[c] = g0 + share * (g - g0)
        blue[c] = b0 + share * (b - b0)


@njit(parallel=True, fastmath=True, cache=True)
def enhance_yuv420(
    height: int, width: int,
    y: np.ndarray, u: np.ndarray, v: np.ndarray, layout: np.ndarray,
    y_out: np.ndarray, u_out: np.ndarray, v_out: np.ndarray, layout_out: np.ndarray,
    params: np.ndarray, rows_top: np.ndarray, rows_weight: np.ndarray, values: np.ndarray,
    colour_maps: np.ndarray, colour_top: np.ndarray, colour_weight: np.ndarray,
    blend_map: np.ndarray, blend_top: np.ndarray, blend_weight: np.ndarray,
    previous_y: np.ndarray, previous_u: np.ndarray, previous_v: np.ndarray,
    previous_sums: np.ndarray,
) -> None:
    """Enhance one 4:2:0 frame, planes to planes.

    Args:
        height, width: the frame's size ``H, W``; chroma planes are ``ceil(H/2) x ceil(W/2)``.
        y, u, v: the input plane buffers, flat (uint8, or uint16 for 10 bits), padding included;
            for nv12, ``u`` and ``v`` are the same interleaved buffer.
        layout: int64 ``(7,)``: ``y_start, y_pitch, u_start, u_pitch, v_start, v_pitch,
            chroma_step``: sample ``(r, c)`` of Y is ``y[y_start + r * y_pitch + c]``, of Cb
            ``u[u_start + r * u_pitch + c * chroma_step]`` (step 2 for nv12).
        y_out, u_out, v_out: flat output buffers, uint8 (yuv420p) or uint16 (yuv420p10le, with
            ``values[V_OUT_MAX]`` 1023 and 10-bit output levels), ``layout_out`` int64 ``(3,)``
            their pitches.
        (Flat buffers keep one compiled signature per sample type, whatever the frame size,
        padding or chroma layout.)
        params: parameter map interpolated along the width, ``(P, h, W)`` float32, ``h >= 2``;
            with ``values[V_GUIDED]``, guided-filter coefficients ``(2P, h, W)`` (slopes, then
            offsets) applied to each pixel's input luma (:mod:`llie_video.ops.guided`).
        rows_top, rows_weight: ``(H,)`` int32 / float32: row ``r`` of the full map is
            ``params[:, top] + weight * (params[:, top + 1] - params[:, top])``.
        values: float32 ``(VALUES,)``, the frame's scalars at the ``V_*`` indices: the render
            (a :class:`RenderKind`, curve steps, Retinex floor), ``x ** exponent`` after it (1:
            none; the model's own gamma), the brightness ceiling's gamma on the luma at
            ``V_CEILING_EXPONENT`` (1: none; :func:`_luma_power`), the highlight headroom
            (:mod:`llie_video.ops.highlights`; 1: none), the saturation of the result (1:
            unchanged), the strength of the blend with the (noise-reduced) input, the user's
            gamma as an exponent on the blended result (1: none), the colour matrix's luma
            coefficients kr and kb, the input and output levels ``(y_offset, y_scale,
            c_offset, c_scale)`` (code value = offset + scale * value, with luma in [0, 1] and
            chroma in [-0.5, 0.5]), the temporal filter's mode (TEMPORAL_OFF, TEMPORAL_STORE or
            TEMPORAL_BLEND), the exposure change since the previous frame (the previous planes
            are scaled by it, about black and neutral chroma, before the blend), whether
            ``params`` are guided-filter coefficients, whether an affine colour transform
            (``colour_maps``) applies after the render (:func:`_transform_colour`), and
            the input levels: per channel
            ``x * scale + offset`` on the noise-reduced input (:mod:`llie_video.ops.input_levels`),
            the input luma under which the result's colour fades to grey (0: none;
            :func:`llie_video.ops.color.shadow_weight`), and the output's highest code value.
        colour_maps, colour_top, colour_weight: with ``values[V_COLOUR_TRANSFORM]``, the 12 maps
            of the colour transform interpolated along the chroma grid's width
            ``(12, h_c, ceil(W/2))`` and, per chroma row, their rows as for ``params``: one
            transform per 2x2 block.
        blend_map, blend_top, blend_weight: the blend weight toward the previous frame,
            interpolated along the width ``(h_d, W)`` and its rows as for ``params``.
        previous_y, previous_u, previous_v: float32 noise-reduced input of the previous frame,
            shapes of the input planes; updated in place (unused when TEMPORAL_OFF).
        previous_sums: ``(ceil(H/2), ceil(W/4))`` float32, written (unless TEMPORAL_OFF): per
            chroma row, the sums of the new ``previous_y`` over its luma rows and 4 columns
            (the next frame's motion measure needs its 4x4 block means).
    """
    chroma_height, chroma_width = (height + 1) // 2, (width + 1) // 2
    y_start, y_pitch, u_start, u_pitch, v_start, v_pitch, step = (
        layout[0], layout[1], layout[2], layout[3], layout[4], layout[5], layout[6])
    y_pitch_out, u_pitch_out, v_pitch_out = layout_out[0], layout_out[1], layout_out[2]
    kind, iterations = int(values[V_KIND]), int(values[V_ITERATIONS])
    floor, exponent = values[V_FLOOR], values[V_EXPONENT]
    headroom, saturation = values[V_HEADROOM], values[V_SATURATION]
    strength, user_exponent = values[V_STRENGTH], values[V_USER_EXPONENT]
    kr, kb = values[V_KR], values[V_KB]
    levels_in = values[V_LEVELS_IN : V_LEVELS_IN + 4]
    levels_out = values[V_LEVELS_OUT : V_LEVELS_OUT + 4]
    temporal_mode, previous_gain = int(values[V_TEMPORAL_MODE]), values[V_PREVIOUS_GAIN]
    guided = values[V_GUIDED] != _f32(0.0)
    scale_r, scale_g, scale_b = (values[V_INPUT_SCALE], values[V_INPUT_SCALE + 1],
                                 values[V_INPUT_SCALE + 2])
    offset_r, offset_g, offset_b = (values[V_INPUT_OFFSET], values[V_INPUT_OFFSET + 1],
                                    values[V_INPUT_OFFSET + 2])
    shadow = values[V_SHADOW]
    colour = values[V_COLOUR_TRANSFORM] != _f32(0.0)
    out_max = values[V_OUT_MAX]
    shadowed = shadow > _f32(0.0)
    inv_shadow = _f32(1.0) / shadow if shadowed else _f32(0.0)
    leveled = not (scale_r == _f32(1.0) and scale_g == _f32(1.0) and scale_b == _f32(1.0)
                   and offset_r == _f32(0.0) and offset_g == _f32(0.0) and offset_b == _f32(0.0))
    kg = _f32(1.0) - kr - kb
    inv_kg = _f32(1.0) / kg
    cr_to_r = _f32(2.0) * (_f32(1.0) - kr)
    cb_to_b = _f32(2.0) * (_f32(1.0) - kb)
    to_cb = _f32(1.0) / cb_to_b
    to_cr = _f32(1.0) / cr_to_r
    y_off_in, y_mul_in = levels_in[0], _f32(1.0) / levels_in[1]
    c_off_in, c_mul_in = levels_in[2], _f32(1.0) / levels_in[3]
    y_off_out, y_scale_out = levels_out[0] + _f32(0.5), levels_out[1]
    c_off_out, c_scale_out = levels_out[2] + _f32(0.5), levels_out[3]
    blend = strength < _f32(1.0)
    protect = headroom < _f32(1.0)
    keep_input = blend or protect
    powered = exponent != _f32(1.0)
    ceiling_exponent = values[V_CEILING_EXPONENT]
    ceiling_powered = ceiling_exponent != _f32(1.0)
    user_powered = user_exponent != _f32(1.0)
    saturated = saturation != _f32(1.0) or shadowed
    need_luma = guided or shadowed
    pairs = width // 2  # full 2-pixel chroma columns
    for i in prange(chroma_height):
        # Inner loops index contiguous 1-D rows with their loop counter, or 2x it (pairs of
        # pixels): LLVM vectorises both, but not a strided view (``row[0::2]``), whose step it
        # only knows at run time.
        cb = np.empty(chroma_width, np.float32)  # the chroma row, noise-reduced
        cr = np.empty(chroma_width, np.float32)
        cb_row = np.empty(2 * chroma_width, np.float32)  # each sample under both of its pixels
        cr_row = np.empty(2 * chroma_width, np.float32)
        k = np.empty(width, np.float32)
        a = np.empty(width, np.float32)
        red = np.empty(width, np.float32)
        green = np.empty(width, np.float32)
        blue = np.empty(width, np.float32)
        red_in = np.empty(width, np.float32)
        green_in = np.empty(width, np.float32)
        blue_in = np.empty(width, np.float32)
        guide = np.empty(width, np.float32)
        transform = np.empty((COLOUR_MAPS if colour else 1, chroma_width), np.float32)
        if colour:
            _colour_transform_row(transform, colour_maps, colour_top[i], colour_weight[i])
        sum_r = np.zeros(chroma_width, np.float32)
        sum_g = np.zeros(chroma_width, np.float32)
        sum_b = np.zeros(chroma_width, np.float32)
        rows = min(2, height - 2 * i)
        u_row = u[u_start + i * u_pitch : u_start + i * u_pitch + chroma_width * step : step]
        v_row = v[v_start + i * v_pitch : v_start + i * v_pitch + chroma_width * step : step]
        for ci in range(chroma_width):
            cb[ci] = (_f32(u_row[ci]) - c_off_in) * c_mul_in
            cr[ci] = (_f32(v_row[ci]) - c_off_in) * c_mul_in
        if temporal_mode == TEMPORAL_BLEND:
            _lerp_row(k, blend_map[blend_top[2 * i]], blend_map[blend_top[2 * i] + 1],
                      blend_weight[2 * i])
            previous_cb, previous_cr = previous_u[i], previous_v[i]
            for ci in range(chroma_width):
                towards = k[2 * ci]  # the weight at the pair's first pixel
                cb[ci] = cb[ci] + towards * (previous_gain * previous_cb[ci] - cb[ci])
                cr[ci] = cr[ci] + towards * (previous_gain * previous_cr[ci] - cr[ci])
        if temporal_mode != TEMPORAL_OFF:
            _copy_row(previous_u[i], cb)
            _copy_row(previous_v[i], cr)
        _pair_up(cb_row, cb)
        _pair_up(cr_row, cr)
        if temporal_mode != TEMPORAL_OFF:
            previous_sums[i] = 0.0
        for dy in range(rows):
            r = 2 * i + dy
            y_row = y[y_start + r * y_pitch : y_start + r * y_pitch + width]
            luma_row = a  # scratch: the input luma of the row, noise-reduced
            for c in range(width):
                luma_row[c] = (_f32(y_row[c]) - y_off_in) * y_mul_in
            if temporal_mode == TEMPORAL_BLEND:
                _lerp_row(k, blend_map[blend_top[r]], blend_map[blend_top[r] + 1],
                          blend_weight[r])
                previous_row = previous_y[r]
                for c in range(width):
                    luma = luma_row[c]
                    luma_row[c] = luma + k[c] * (previous_gain * previous_row[c] - luma)
            if temporal_mode != TEMPORAL_OFF:
                _copy_row(previous_y[r], luma_row)
                _add_quads(previous_sums[i], luma_row)
            for c in range(width):
                luma = luma_row[c]
                rr = luma + cr_to_r * cr_row[c]
                bb = luma + cb_to_b * cb_row[c]
                gg = (luma - kr * rr - kb * bb) * inv_kg
                red[c] = min(max(rr, _f32(0.0)), _f32(1.0))
                green[c] = min(max(gg, _f32(0.0)), _f32(1.0))
                blue[c] = min(max(bb, _f32(0.0)), _f32(1.0))
            if leveled:
                for c in range(width):
                    red[c] = min(max(red[c] * scale_r + offset_r, _f32(0.0)), _f32(1.0))
                    green[c] = min(max(green[c] * scale_g + offset_g, _f32(0.0)), _f32(1.0))
                    blue[c] = min(max(blue[c] * scale_b + offset_b, _f32(0.0)), _f32(1.0))
            if need_luma:  # the luma of the (clamped, levelled) input, as the torch route takes it
                for c in range(width):
                    guide[c] = kr * red[c] + kg * green[c] + kb * blue[c]
            if keep_input:
                _copy_row(red_in, red)
                _copy_row(green_in, green)
                _copy_row(blue_in, blue)
            top, weight = rows_top[r], rows_weight[r]
            for channel in range(3):
                x = red if channel == 0 else (green if channel == 1 else blue)
                _render_channel(x, params, a, channel, top, weight, kind, iterations, floor,
                                guided, guide)
            if colour:
                _transform_colour(red, green, blue, transform)
            if powered:
                _apply_power(red, exponent)
                _apply_power(green, exponent)
                _apply_power(blue, exponent)
            if ceiling_powered:
                _luma_power(red, green, blue, kr, kg, kb, ceiling_exponent)
            if protect:
                _protect_highlights(red, green, blue, red_in, green_in, blue_in, headroom)
            if saturated:
                _scale_saturation(red, green, blue, kr, kg, kb, saturation, shadowed, guide,
                                  inv_shadow)
            for channel in range(3):
                x = red if channel == 0 else (green if channel == 1 else blue)
                x_in = red_in if channel == 0 else (green_in if channel == 1 else blue_in)
                if blend:
                    for c in range(width):
                        x[c] = x_in[c] + strength * (x[c] - x_in[c])
                if user_powered:
                    _apply_power(x, user_exponent)
            y_out_row = y_out[r * y_pitch_out : r * y_pitch_out + width]
            for c in range(width):
                luma = kr * red[c] + kg * green[c] + kb * blue[c]
                y_out_row[c] = min(max(luma * y_scale_out + y_off_out, _f32(0.0)), out_max)
            _add_pairs(sum_r, red, pairs)
            _add_pairs(sum_g, green, pairs)
            _add_pairs(sum_b, blue, pairs)
            if width % 2:
                sum_r[chroma_width - 1] += red[width - 1]
                sum_g[chroma_width - 1] += green[width - 1]
                sum_b[chroma_width - 1] += blue[width - 1]
        u_out_row = u_out[i * u_pitch_out : i * u_pitch_out + chroma_width]
        v_out_row = v_out[i * v_pitch_out : i * v_pitch_out + chroma_width]
        full = _f32(1.0) / _f32(2 * rows)
        for ci in range(chroma_width):
            rr, gg, bb = sum_r[ci] * full, sum_g[ci] * full, sum_b[ci] * full
            luma = kr * rr + kg * gg + kb * bb
            u_out_row[ci] = min(max((bb - luma) * to_cb * c_scale_out + c_off_out, _f32(0.0)), out_max)
            v_out_row[ci] = min(max((rr - luma) * to_cr * c_scale_out + c_off_out, _f32(0.0)), out_max)
        if width % 2:  # the last chroma column covers one pixel per row: its mean, not half of it
            ci = chroma_width - 1
            last = _f32(1.0) / _f32(rows)
            rr, gg, bb = sum_r[ci] * last, sum_g[ci] * last, sum_b[ci] * last
            luma = kr * rr + kg * gg + kb * bb
            u_out_row[ci] = min(max((bb - luma) * to_cb * c_scale_out + c_off_out, _f32(0.0)), out_max)
            v_out_row[ci] = min(max((rr - luma) * to_cr * c_scale_out + c_off_out, _f32(0.0)), out_max)


def kernel_loaded() -> bool:
    """Whether :func:`enhance_yuv420` is compiled (or loaded from the disk cache) in this process."""
    return bool(enhance_yuv420.signatures)

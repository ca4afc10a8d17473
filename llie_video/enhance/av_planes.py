"""Decoded PyAV frames as 4:2:0 planes: which frames the plane routes read, the spec (matrix,
range, bit depth) a player would use for one, views of its planes without a copy, and other YUV
layouts averaged down to 4:2:0 (far cheaper than converting them to RGB).
"""

from __future__ import annotations

import av
import numpy as np

from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import BT2020, YuvSpec

# FFmpeg's AVColorSpace values and the matrices they name.
_MATRICES = {1: BT709, 5: BT601, 6: BT601, 9: BT2020, 10: BT2020}
_UNSPECIFIED_SPACE = 2
_RANGE_LIMITED, _RANGE_FULL = 1, 2

# Pixel formats the plane path reads: name -> (bit depth, full range by definition, chroma
# interleaved in one plane).
PLANE_FORMATS: dict[str, tuple[int, bool, bool]] = {
    "yuv420p": (8, False, False),
    "yuvj420p": (8, True, False),
    "nv12": (8, False, True),
    "yuv420p10le": (10, False, False),
}


def spec_of(frame: av.VideoFrame) -> YuvSpec:
    """The spec a player would use for ``frame``: its tags, else BT.709 for HD and BT.601
    for SD (the usual convention for untagged video), limited range unless it says full."""
    bits, full_by_format, _ = PLANE_FORMATS.get(frame.format.name, (8, False, False))
    space = int(frame.colorspace)
    if space in _MATRICES:
        matrix = _MATRICES[space]
    else:
        matrix = BT709 if frame.width > 1024 or frame.height > 576 else BT601
    color_range = int(frame.color_range)
    full = color_range == _RANGE_FULL or (color_range != _RANGE_LIMITED and full_by_format)
    return YuvSpec(matrix=matrix, full_range=full, bit_depth=bits)


def supports(frame: av.VideoFrame) -> bool:
    """Whether the plane path can read ``frame`` (a 4:2:0 format listed in PLANE_FORMATS, and
    a colour space it knows or an unspecified one)."""
    space = int(frame.colorspace)
    return frame.format.name in PLANE_FORMATS and (space in _MATRICES or space == _UNSPECIFIED_SPACE)


# YUV formats the plane path takes once their chroma is averaged down to 4:2:0 here: name ->
# (4:2:0 format, chroma rows halved, chroma columns halved, layout)
_RESAMPLED: dict[str, tuple[str, bool, bool, str]] = {
    "yuv422p": ("yuv420p", True, False, "planar"),
    "yuvj422p": ("yuvj420p", True, False, "planar"),  # MJPEG: full range by name
    "yuv444p": ("yuv420p", True, True, "planar"),
    "yuvj444p": ("yuvj420p", True, True, "planar"),
    "yuv440p": ("yuv420p", False, True, "planar"),
    "yuvj440p": ("yuvj420p", False, True, "planar"),
    "yuv422p10le": ("yuv420p10le", True, False, "planar"),
    "yuv444p10le": ("yuv420p10le", True, True, "planar"),
    "nv16": ("yuv420p", True, False, "semi-planar"),
    "yuyv422": ("yuv420p", True, False, "yuyv"),  # packed, as webcams send
    "uyvy422": ("yuv420p", True, False, "uyvy"),
}


def as_plane_frame(frame: av.VideoFrame) -> av.VideoFrame | None:
    """``frame`` in a format the plane path reads: itself if :func:`supports` it; a 4:2:2,
    4:4:4 or 4:4:0 YUV frame (planar, nv16, or packed yuyv/uyvy as webcams send; 8 or 10 bits)
    as a new 4:2:0 frame: luma copied, each 4:2:0 chroma sample the rounded mean of the samples
    it covers, colour tags kept (far cheaper than the RGB path's conversion); None for anything
    else (RGB, grey, other layouts, an unknown colour space, packed formats of odd width), which
    takes the RGB path. (Not FFmpeg's scaler: its 10-bit conversions left a few luma samples
    wrong on the first call at some widths, and packed ones of odd width varied between calls.)"""
    if supports(frame):
        return frame
    space = int(frame.colorspace)
    known = _RESAMPLED.get(frame.format.name)
    if known is None or not (space in _MATRICES or space == _UNSPECIFIED_SPACE):
        return None
    target, halve_rows, halve_columns, layout = known
    if layout in ("yuyv", "uyvy") and frame.width % 2:
        return None
    y, u, v = _yuv_views(frame, layout)
    out = av.VideoFrame(frame.width, frame.height, target)
    out.colorspace, out.color_range = frame.colorspace, frame.color_range
    y_out, u_out, v_out = yuv420_planes(out)
    y_out[...] = y
    u_out[...] = _average_down(u, halve_rows, halve_columns)
    v_out[...] = _average_down(v, halve_rows, halve_columns)
    return out


def _yuv_views(frame: av.VideoFrame, layout: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, Cb and Cr samples of a frame of a :data:`_RESAMPLED` format."""
    height, width = frame.height, frame.width
    if layout in ("yuyv", "uyvy"):  # Y0 U Y1 V / U Y0 V Y1 per pair of pixels
        packed = _plane_view(frame.planes[0], np.dtype(np.uint8), height)
        first_y = 0 if layout == "yuyv" else 1
        first_u = 1 - first_y
        return (packed[:, first_y : first_y + 2 * width : 2],
                packed[:, first_u : 2 * width : 4], packed[:, first_u + 2 : 2 * width : 4])
    dtype = np.dtype(np.uint16 if frame.format.name.endswith("10le") else np.uint8)
    y = _plane_view(frame.planes[0], dtype, height)[:, :width]
    chroma = frame.planes[1]
    if layout == "semi-planar":
        uv = _plane_view(chroma, dtype, chroma.height)
        chroma_width = (width + 1) // 2
        return y, uv[:, 0 : 2 * chroma_width : 2], uv[:, 1 : 2 * chroma_width : 2]
    chroma_width = chroma.width
    u = _plane_view(chroma, dtype, chroma.height)[:, :chroma_width]
    v = _plane_view(frame.planes[2], dtype, chroma.height)[:, :chroma_width]
    return y, u, v


def _average_down(chroma: np.ndarray, rows: bool, columns: bool) -> np.ndarray:
    """``chroma`` ``(h, w)`` with pairs of rows and/or columns averaged (rounded half up; an
    odd last row or column is its own mean): ``(ceil(h/2), w)``, ``(h, ceil(w/2))`` or both."""
    wide = chroma.astype(np.uint32)
    count = 1
    if rows:
        wide = wide[0::2] + np.concatenate([wide[1::2], wide[-1:]])[: (wide.shape[0] + 1) // 2]
        count *= 2
    if columns:
        wide = wide[:, 0::2] + np.concatenate([wide[:, 1::2], wide[:, -1:]], axis=1)[
            :, : (wide.shape[1] + 1) // 2]
        count *= 2
    return ((wide + count // 2) // count).astype(chroma.dtype)


def _plane_view(plane: av.video.plane.VideoPlane, dtype: np.dtype, rows: int) -> np.ndarray:
    """``(rows, line_size / itemsize)`` view of a plane's buffer, padding included."""
    data = np.frombuffer(plane, dtype)
    return data.reshape(plane.height, plane.line_size // np.dtype(dtype).itemsize)[:rows]


def yuv420_planes(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views (no copy) of the Y ``(H, W)``, Cb and Cr ``(ceil(H/2), ceil(W/2))`` planes of a
    frame in one of PLANE_FORMATS (uint8, or uint16 for 10-bit). For nv12, Cb and Cr are
    strided views into the interleaved chroma plane."""
    bits, _, interleaved = PLANE_FORMATS[frame.format.name]
    dtype = np.dtype(np.uint16 if bits > 8 else np.uint8)
    height, width = frame.height, frame.width
    chroma_height, chroma_width = (height + 1) // 2, (width + 1) // 2
    y = _plane_view(frame.planes[0], dtype, height)[:, :width]
    if interleaved:
        uv = _plane_view(frame.planes[1], dtype, chroma_height)
        return y, uv[:, 0 : 2 * chroma_width : 2], uv[:, 1 : 2 * chroma_width : 2]
    u = _plane_view(frame.planes[1], dtype, chroma_height)[:, :chroma_width]
    v = _plane_view(frame.planes[2], dtype, chroma_height)[:, :chroma_width]
    return y, u, v


def flat_planes(frame: av.VideoFrame) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The flat plane buffers of a frame in one of PLANE_FORMATS (Y, Cb, Cr; for nv12 the
    chroma buffer twice) and their layout ``[y_start, y_pitch, u_start, u_pitch, v_start,
    v_pitch, chroma_step]`` in samples (int64), as :func:`llie_video.ops.fused_yuv.enhance_yuv420`
    reads them."""
    bits, _, interleaved = PLANE_FORMATS[frame.format.name]
    dtype = np.dtype(np.uint16 if bits > 8 else np.uint8)
    planes = [np.frombuffer(p, dtype) for p in frame.planes]
    pitches = [p.line_size // dtype.itemsize for p in frame.planes]
    if interleaved:
        layout = [0, pitches[0], 0, pitches[1], 1, pitches[1], 2]
        return (planes[0], planes[1], planes[1]), np.asarray(layout, np.int64)
    layout = [0, pitches[0], 0, pitches[1], 0, pitches[2], 1]
    return (planes[0], planes[1], planes[2]), np.asarray(layout, np.int64)


# The 4:2:0 formats the plane routes write, by bit depth.
OUTPUT_FORMATS = {8: "yuv420p", 10: "yuv420p10le"}


def new_yuv420p_like(frame: av.VideoFrame, bit_depth: int = 8) -> av.VideoFrame:
    """A yuv420p (8-bit) or yuv420p10le (10-bit) frame of ``frame``'s size carrying its colour
    tags."""
    out = av.VideoFrame(frame.width, frame.height, OUTPUT_FORMATS[bit_depth])
    out.colorspace = frame.colorspace
    out.color_range = frame.color_range
    out.color_primaries = frame.color_primaries
    out.color_trc = frame.color_trc
    return out

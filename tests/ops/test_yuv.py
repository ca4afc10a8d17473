"""Y'CbCr specs read from frame tags, plane views, and the torch conversions."""

import av
import numpy as np
import pytest
import torch

from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import (
    YuvSpec,
    as_plane_frame,
    low_resolution_rgb,
    planes_to_rgb,
    rgb_to_planes,
    supports,
    yuv420_planes,
)


def _frame(fmt="yuv420p", width=64, height=48, colorspace=2, color_range=0):
    frame = av.VideoFrame(width, height, fmt)
    frame.colorspace, frame.color_range = colorspace, color_range
    return frame


@pytest.mark.parametrize(("colorspace", "size", "matrix"), [
    (1, (64, 48), BT709),  # tagged BT.709
    (6, (1920, 1080), BT601),  # tagged SMPTE 170M
    (5, (64, 48), BT601),  # tagged BT.470BG
    (2, (1280, 720), BT709),  # untagged HD: BT.709, as players assume
    (2, (720, 576), BT601),  # untagged SD: BT.601
])
def test_matrix_from_tags_or_size(colorspace, size, matrix):
    assert YuvSpec.of_frame(_frame(width=size[0], height=size[1], colorspace=colorspace)).matrix == matrix


def test_range_and_depth_from_tags_and_format():
    assert not YuvSpec.of_frame(_frame()).full_range
    assert YuvSpec.of_frame(_frame(color_range=2)).full_range
    assert YuvSpec.of_frame(_frame("yuvj420p")).full_range
    ten = YuvSpec.of_frame(_frame("yuv420p10le"))
    assert ten.bit_depth == 10 and ten.levels() == (64.0, 876.0, 512.0, 896.0)
    assert YuvSpec(BT601, full_range=True).levels() == (0.0, 255.0, 128.0, 255.0)


def test_supported_formats():
    assert all(supports(_frame(f)) for f in ("yuv420p", "yuvj420p", "nv12", "yuv420p10le"))
    assert not supports(_frame("yuv444p"))
    assert not supports(_frame("rgb24"))


# chroma subsampling (rows, columns) and layout of the formats as_plane_frame resamples
_LAYOUTS = {
    "yuv422p": (1, 2, "planar"), "yuvj422p": (1, 2, "planar"), "yuv444p": (1, 1, "planar"),
    "yuv440p": (2, 1, "planar"), "yuv422p10le": (1, 2, "planar"),
    "yuv444p10le": (1, 1, "planar"), "nv16": (1, 2, "nv"), "yuyv422": (1, 2, "yuyv"),
    "uyvy422": (1, 2, "uyvy"),
}


def _packed_frame(fmt: str, y: np.ndarray, u: np.ndarray, v: np.ndarray,
                  color_range: int) -> av.VideoFrame:
    """A ``fmt`` frame holding these samples, written byte by byte per the format's layout."""
    height, width = y.shape
    frame = _frame(fmt, width=width, height=height, colorspace=1, color_range=color_range)
    dtype = np.uint16 if fmt.endswith("le") else np.uint8
    rows = [np.frombuffer(p, dtype).reshape(p.height if i else height, -1)
            for i, p in enumerate(frame.planes)]
    layout = _LAYOUTS[fmt][2]
    if layout in ("yuyv", "uyvy"):
        order = (y[:, 0::2], u, y[:, 1::2], v) if layout == "yuyv" else (u, y[:, 0::2], v, y[:, 1::2])
        for k, samples in enumerate(order):
            rows[0][:, k : 2 * width : 4] = samples
        return frame
    rows[0][:, :width] = y
    if layout == "nv":
        rows[1][:, 0 : 2 * u.shape[1] : 2], rows[1][:, 1 : 2 * u.shape[1] : 2] = u, v
    else:
        rows[1][: u.shape[0], : u.shape[1]], rows[2][: v.shape[0], : v.shape[1]] = u, v
    return frame


def _mean_down(c: np.ndarray, sub_rows: int, sub_columns: int) -> np.ndarray:
    """The 4:2:0 chroma of ``c`` (subsampled by ``sub_rows`` x ``sub_columns`` already): each
    sample the mean of those it covers, rounded half up, by plain loops."""
    fy, fx = 2 // sub_rows, 2 // sub_columns
    out = np.empty((-(-c.shape[0] // fy), -(-c.shape[1] // fx)), np.int64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            block = c[i * fy : i * fy + fy, j * fx : j * fx + fx].astype(np.int64)
            # an odd last row or column is its own mean: counted twice, like its pair
            block = np.pad(block, ((0, fy - block.shape[0]), (0, fx - block.shape[1])), mode="edge")
            out[i, j] = (block.sum() + block.size // 2) // block.size
    return out


@pytest.mark.parametrize(("fmt", "color_range", "target", "full"), [
    ("yuv422p", 1, "yuv420p", False),
    ("yuv444p", 2, "yuv420p", True),
    ("yuv440p", 1, "yuv420p", False),
    ("nv16", 1, "yuv420p", False),
    ("yuyv422", 1, "yuv420p", False),  # packed, as webcams send
    ("uyvy422", 1, "yuv420p", False),
    ("yuvj422p", 0, "yuvj420p", True),  # MJPEG webcams: full range by name
    ("yuv422p10le", 1, "yuv420p10le", False),
    ("yuv444p10le", 1, "yuv420p10le", False),
])
@pytest.mark.parametrize("size", [(34, 20), (100, 60), (35, 21)])
def test_other_yuv_layouts_become_4_2_0_planes(fmt, color_range, target, full, size):
    """Luma unchanged, each chroma sample the mean of those it covers, colour tags kept."""
    width, height = size
    sub_rows, sub_columns, layout = _LAYOUTS[fmt]
    rng = np.random.default_rng(0)
    top = 940 if fmt.endswith("le") else 235
    y = rng.integers(16, top, (height, width))
    chroma_shape = (-(-height // sub_rows), -(-width // sub_columns))
    u, v = rng.integers(16, top, chroma_shape), rng.integers(16, top, chroma_shape)
    if layout in ("yuyv", "uyvy") and width % 2:
        assert as_plane_frame(_frame(fmt, width=width, height=height)) is None  # RGB path
        return
    planes = as_plane_frame(_packed_frame(fmt, y, u, v, color_range))
    assert planes is not None and planes.format.name == target and supports(planes)
    assert (int(planes.colorspace), int(planes.color_range)) == (1, color_range)
    assert YuvSpec.of_frame(planes).full_range == full
    y_out, u_out, v_out = yuv420_planes(planes)
    assert np.array_equal(y_out, y)
    assert np.array_equal(u_out, _mean_down(u, sub_rows, sub_columns))
    assert np.array_equal(v_out, _mean_down(v, sub_rows, sub_columns))


def test_plane_formats_pass_through_and_others_do_not():
    frame = _frame("nv12")
    assert as_plane_frame(frame) is frame
    assert as_plane_frame(_frame("rgb24")) is None
    assert as_plane_frame(_frame("gray")) is None
    assert as_plane_frame(_frame("yuv422p", colorspace=4)) is None  # FCC: a matrix we do not know


def test_plane_views_are_views_with_the_right_shapes():
    frame = _frame("nv12", width=33, height=17)
    y, u, v = yuv420_planes(frame)
    assert y.shape == (17, 33) and u.shape == v.shape == (9, 17)
    u[...] = 7
    v[...] = 9
    interleaved = np.frombuffer(frame.planes[1], np.uint8).reshape(9, -1)
    assert (interleaved[:, 0:34:2] == 7).all() and (interleaved[:, 1:34:2] == 9).all()


@pytest.mark.parametrize("spec", [YuvSpec(BT601), YuvSpec(BT709, full_range=True)])
def test_rgb_round_trip_is_within_one_code_value(spec):
    rng = np.random.default_rng(0)
    # smooth colours (chroma is subsampled), in the gamut
    rgb = torch.from_numpy(rng.uniform(0.1, 0.9, (1, 3, 1, 1))).float().expand(1, 3, 10, 14)
    y, u, v = rgb_to_planes(rgb, spec)
    back = planes_to_rgb(y, u, v, spec)
    assert (back - rgb).abs().max() <= 1.5 / 255


def test_planes_to_rgb_matches_ffmpeg_on_grey():
    frame = _frame(width=8, height=8, colorspace=1, color_range=1)
    y, u, v = yuv420_planes(frame)
    y[...] = np.arange(16, 80, 8, dtype=np.uint8)
    u[...], v[...] = 128, 128
    ours = planes_to_rgb(*(torch.from_numpy(np.ascontiguousarray(p)) for p in (y, u, v)),
                         YuvSpec.of_frame(frame))
    ffmpeg = frame.to_ndarray(format="rgb24").astype(np.float32) / 255
    assert np.abs(ours[0].permute(1, 2, 0).numpy() - ffmpeg).max() <= 1 / 255 + 1e-6


def test_low_resolution_rgb_shape_and_range():
    frame = _frame("nv12", width=64, height=48)
    for plane in yuv420_planes(frame):
        plane[...] = 128
    small = low_resolution_rgb(*yuv420_planes(frame), YuvSpec.of_frame(frame), (12, 16))
    assert small.shape == (1, 3, 12, 16)
    assert torch.allclose(small, torch.full_like(small, (128 - 16) / 219), atol=1e-5)

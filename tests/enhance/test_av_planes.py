"""Decoded frames as 4:2:0 planes: specs read from frame tags, which formats the plane routes
read, other YUV layouts averaged down to 4:2:0, plane views."""

import av
import numpy as np
import pytest

from llie_video.enhance.av_planes import as_plane_frame, spec_of, supports, yuv420_planes
from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import YuvSpec


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
    assert spec_of(_frame(width=size[0], height=size[1], colorspace=colorspace)).matrix == matrix


def test_range_and_depth_from_tags_and_format():
    assert not spec_of(_frame()).full_range
    assert spec_of(_frame(color_range=2)).full_range
    assert spec_of(_frame("yuvj420p")).full_range
    ten = spec_of(_frame("yuv420p10le"))
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
    assert spec_of(planes).full_range == full
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

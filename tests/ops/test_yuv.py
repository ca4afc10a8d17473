"""Y'CbCr specs read from frame tags, plane views, and the torch conversions."""

import av
import numpy as np
import pytest
import torch

from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import (
    BT2020,
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


# FFmpeg's colour spaces (AVColorSpace) and ranges (AVColorRange) with the matrix they name
_TAGGED_MATRICES = [(1, BT709), (5, BT601), (6, BT601), (9, BT2020)]
_RANGES = [(1, False), (2, True)]


def _to_hwc(rgb: torch.Tensor) -> np.ndarray:
    return rgb[0].permute(1, 2, 0).numpy() * 255


@pytest.mark.parametrize("colorspace, matrix", _TAGGED_MATRICES)
@pytest.mark.parametrize("color_range, full", _RANGES)
def test_planes_to_rgb_matches_ffmpeg_on_coloured_content(colorspace, matrix, color_range, full):
    """Saturated colours in every 2x2 block, luma varying per pixel: our conversion against
    FFmpeg's own (which rounds to within about 2 codes of the exact value), and far from what
    the wrong matrix or range would give."""
    frame = _frame(width=34, height=22, colorspace=colorspace, color_range=color_range)
    spec = YuvSpec.of_frame(frame)
    assert (spec.matrix, spec.full_range) == (matrix, full)
    rng = np.random.default_rng(colorspace)
    colours = np.kron(rng.uniform(0.05, 0.95, (11, 17, 3)), np.ones((2, 2, 1)))  # in gamut
    colours += rng.uniform(-0.04, 0.04, colours.shape)  # luma varies inside each block
    y, u, v = rgb_to_planes(torch.from_numpy(colours.clip(0, 1)).permute(2, 0, 1)[None].float(),
                            spec)
    for plane, values in zip(yuv420_planes(frame), (y, u, v)):
        plane[...] = values.numpy()
    planes = [torch.from_numpy(np.ascontiguousarray(p)) for p in yuv420_planes(frame)]
    ffmpeg = frame.to_ndarray(format="rgb24").astype(np.float64)
    difference = np.abs(_to_hwc(planes_to_rgb(*planes, spec)) - ffmpeg)
    assert difference.max() <= 3.0 and difference.mean() <= 1.5
    for other in (BT601, BT709, BT2020):
        for other_full in (False, True):
            if (other, other_full) != (matrix, full):  # BT.709 and BT.2020 are closest: 2.7x
                wrong = _to_hwc(planes_to_rgb(*planes, YuvSpec(other, other_full)))
                assert np.abs(wrong - ffmpeg).mean() > 2 * difference.mean()


@pytest.mark.parametrize("colorspace, matrix", _TAGGED_MATRICES)
@pytest.mark.parametrize("color_range, full", _RANGES)
def test_rgb_to_planes_matches_ffmpeg_on_coloured_content(colorspace, matrix, color_range, full):
    """Patches of one colour each (FFmpeg's chroma filter reaches across a patch's border:
    compared inside them) converted by FFmpeg to these tags, and by us."""
    rng = np.random.default_rng(colorspace + 10)
    patches = np.kron(rng.uniform(0.05, 0.95, (2, 3, 3)), np.ones((16, 16, 1)))
    rgb = (patches * 255 + 0.5).astype(np.uint8)
    converted = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
        format="yuv420p", dst_colorspace=colorspace, dst_color_range=color_range)
    theirs = [p.astype(int) for p in yuv420_planes(converted)]
    spec = YuvSpec(matrix, full)
    ours = [p.numpy().astype(int) for p in rgb_to_planes(
        torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255, spec)]
    assert np.abs(ours[0] - theirs[0]).max() <= 1  # luma: everywhere
    inside = (np.arange(16) % 8 >= 2) & (np.arange(16) % 8 < 6)  # chroma samples inside patches
    for mine, reference in zip(ours[1:], theirs[1:]):
        assert np.abs(mine - reference)[np.ix_(inside, np.r_[inside, inside[:8]])].max() <= 1


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

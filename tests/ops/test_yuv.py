"""Y'CbCr specs read from frame tags, plane views, and the torch conversions."""

import av
import numpy as np
import pytest
import torch

from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import (
    YuvSpec,
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

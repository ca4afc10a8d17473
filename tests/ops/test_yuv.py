"""The torch conversions between Y'CbCr planes and RGB (test frames built with PyAV)."""

import av
import numpy as np
import pytest
import torch

from llie_video.enhance.av_planes import spec_of, yuv420_planes
from llie_video.ops.color import BT601, BT709
from llie_video.ops.yuv import BT2020, YuvSpec, low_resolution_rgb, planes_to_rgb, rgb_to_planes


def _frame(fmt="yuv420p", width=64, height=48, colorspace=2, color_range=0):
    frame = av.VideoFrame(width, height, fmt)
    frame.colorspace, frame.color_range = colorspace, color_range
    return frame


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
    spec = spec_of(frame)
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
                         spec_of(frame))
    ffmpeg = frame.to_ndarray(format="rgb24").astype(np.float32) / 255
    assert np.abs(ours[0].permute(1, 2, 0).numpy() - ffmpeg).max() <= 1 / 255 + 1e-6


def test_low_resolution_rgb_shape_and_range():
    frame = _frame("nv12", width=64, height=48)
    for plane in yuv420_planes(frame):
        plane[...] = 128
    small = low_resolution_rgb(*yuv420_planes(frame), spec_of(frame), (12, 16))
    assert small.shape == (1, 3, 12, 16)
    assert torch.allclose(small, torch.full_like(small, (128 - 16) / 219), atol=1e-5)

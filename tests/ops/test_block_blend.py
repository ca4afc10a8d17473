"""The compiled block-map arithmetic of the temporal filter, against the torch and NumPy
operations it replaced."""

import cv2
import numpy as np
import pytest
import torch

from llie_video.ops import block_blend


def _maps(channels, seed=0, shape=(54, 96)):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((channels, *shape)).astype(np.float32).transpose(1, 2, 0),
                            (0, 0), 2).reshape(*shape, channels).transpose(2, 0, 1).copy()


@pytest.mark.parametrize("size", [1, 2, 5, 6, 16384, 40000, 129600])
def test_lower_median_is_torch_median_of_the_same_subsample(size):
    rng = np.random.default_rng(size)
    x = np.abs(rng.normal(size=size)).astype(np.float32)
    x[::5] = x[0]  # ties
    stride = max(1, size // 16384)
    expected = float(torch.from_numpy(x)[::stride].median())
    assert block_blend.lower_median(x, 16384) == expected


def test_lower_median_of_zeros_and_a_map():
    assert block_blend.lower_median(np.zeros((4, 6), np.float32), 16) == 0.0
    x = np.arange(24, dtype=np.float32).reshape(4, 6)[::-1].copy()
    assert block_blend.lower_median(x, 100) == 11.0


def test_channel_mean_of_a_strided_view():
    hwc = _maps(3).transpose(1, 2, 0).copy()  # channels-last, as the RGB route's maps
    chw = hwc.transpose(2, 0, 1)
    expected = (torch.from_numpy(chw[0]) + torch.from_numpy(chw[1]) + torch.from_numpy(chw[2])) / 3
    assert np.array_equal(block_blend.channel_mean(chw), expected.numpy())


def _reference_gain(a, b):
    """The NumPy and torch code the kernel replaced."""
    total = float(a.sum())
    if total <= 1e-4 * a.size:
        return 1.0
    gain = float(b.sum()) / total
    residual = np.abs(b - gain * a)
    stride = max(1, residual.size // 16384)
    typical = float(torch.from_numpy(residual).flatten()[::stride].median())
    inliers = residual <= 3.0 * typical + 1e-6
    gain = float(b[inliers].sum()) / max(float(a[inliers].sum()), 1e-6)
    return float(np.clip(gain, 1.0 / 1.5, 1.5))


@pytest.mark.parametrize("scale", [0.9, 1.0, 1.07, 3.0])
def test_exposure_gain_matches_the_reference(scale):
    a = _maps(1, shape=(270, 480))[0] + 0.05
    b = scale * a
    b[100:140, 200:260] = 0.8  # a moving object
    b += np.random.default_rng(1).normal(0, 0.002, b.shape).astype(np.float32)
    gain = block_blend.exposure_gain(a, b, 3.0, 1.5, 16384)
    assert gain == pytest.approx(_reference_gain(a, b), rel=1e-5)
    assert gain == pytest.approx(min(scale, 1.5), rel=0.01)


def test_exposure_gain_of_a_black_frame_is_one():
    black = np.zeros((20, 30), np.float32)
    assert block_blend.exposure_gain(black, black + 0.5, 3.0, 1.5, 16384) == 1.0


def _reference_weights(current, previous, smoothing):
    """The torch code the kernel replaced (``previous`` already scaled by the gain)."""
    blocks, previous_blocks = torch.from_numpy(current)[None], torch.from_numpy(previous)[None]
    change = (blocks - previous_blocks).abs().mean(dim=1, keepdim=True)
    change = torch.from_numpy(cv2.dilate(change[0, 0].numpy(), np.ones((3, 3), np.uint8),
                                         borderType=cv2.BORDER_REPLICATE))[None, None]
    flat = change.flatten()
    noise = min(float(flat[:: max(1, flat.numel() // 16384)].median()), 0.02) + 1e-4
    static = ((4.0 * noise - change) / (2.0 * noise)).clamp_(0, 1)
    static.mul_(smoothing)
    return static[0, 0].numpy(), torch.lerp(blocks, previous_blocks, static)[0].numpy()


@pytest.mark.parametrize("channels", [1, 3])
def test_blend_weights_match_the_reference(channels):
    previous = _maps(channels, shape=(135, 240))
    rng = np.random.default_rng(2)
    current = previous + rng.normal(0, 0.004, previous.shape).astype(np.float32)
    current[:, 40:60, 100:130] += 0.3  # motion: no blending there, nor a block around it
    weights, filtered = block_blend.blend_weights(current, previous, (2.0, 4.0), 0.02, 0.7,
                                                   16384)
    expected_weights, expected_filtered = _reference_weights(current, previous, 0.7)
    assert np.allclose(weights, expected_weights, atol=1e-6)
    assert np.allclose(filtered, expected_filtered, atol=1e-6)
    assert weights[39:61, 99:131].max() == 0.0
    assert weights.max() == pytest.approx(0.7)

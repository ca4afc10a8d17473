"""Spatial noise reduction: the noise is measured, not assumed, and edges survive."""

import cv2
import numpy as np
import pytest

from llie_video.ops.noise import (
    MIN_SIGMA,
    noise_sigma,
    plane_is_noisy,
    reduce_chroma_noise,
    reduce_luma_noise,
    reduce_noise_planes,
    reduce_noise_rgb,
)


def _gradient_with_edge(height=240, width=320) -> np.ndarray:
    plane = np.tile(np.linspace(20, 120, width, dtype=np.float32), (height, 1))
    plane[:, width // 2 :] += 100  # a strong edge
    return plane


@pytest.mark.parametrize("sigma", [1.0, 3.0, 8.0])
def test_noise_sigma_measures_gaussian_noise_and_ignores_gradients_and_edges(sigma):
    rng = np.random.default_rng(0)
    noisy = np.clip(_gradient_with_edge() + rng.normal(0, sigma, (240, 320)), 0, 255)
    assert noise_sigma(noisy.astype(np.uint8)) == pytest.approx(sigma, rel=0.15)
    assert noise_sigma(_gradient_with_edge().astype(np.uint8)) < 0.3


def test_luma_noise_is_reduced_and_the_edge_kept():
    rng = np.random.default_rng(1)
    clean = _gradient_with_edge()
    noisy = np.clip(clean + rng.normal(0, 4, clean.shape), 0, 255).astype(np.uint8)
    out = reduce_luma_noise(noisy, 3.0)
    assert out.dtype == np.uint8 and out.shape == noisy.shape
    assert np.abs(out - clean).mean() < 0.6 * np.abs(noisy - clean).mean()
    edge = 160  # columns 159 | 160: a 100-code step stays a step
    assert (out[:, edge].astype(int) - out[:, edge - 1].astype(int)).mean() > 90


def test_clean_planes_and_strength_zero_pass_through_untouched():
    plane = _gradient_with_edge().astype(np.uint8)
    assert reduce_luma_noise(plane, 3.0) is plane
    assert reduce_chroma_noise(plane) is plane
    rng = np.random.default_rng(2)
    noisy = np.clip(plane + rng.normal(0, 5, plane.shape), 0, 255).astype(np.uint8)
    assert all(a is b for a, b in zip(reduce_noise_planes(noisy, noisy, noisy, 0.0), [noisy] * 3))


def test_ten_bit_planes_keep_their_type_and_range():
    rng = np.random.default_rng(3)
    clean = _gradient_with_edge() * 4
    noisy = np.clip(clean + rng.normal(0, 12, clean.shape), 0, 1023).astype(np.uint16)
    out = reduce_luma_noise(noisy, 3.0, full_scale=1023.0)
    assert out.dtype == np.uint16 and out.max() <= 1023
    assert np.abs(out - clean).mean() < 0.6 * np.abs(noisy - clean).mean()


def test_chroma_noise_of_an_rgb_image_is_reduced_and_grey_stays_grey():
    rng = np.random.default_rng(4)
    grey = np.full((120, 160, 3), 60.0)
    noisy = np.clip(grey + rng.normal(0, 6, grey.shape), 0, 255).astype(np.uint8)
    out = reduce_noise_rgb(noisy, 3.0)

    def chroma_spread(rgb):
        x = rgb.astype(float)
        return np.abs(x - x.mean(2, keepdims=True)).mean()

    assert chroma_spread(out) < 0.5 * chroma_spread(noisy)
    assert abs(out.astype(float).mean() - noisy.astype(float).mean()) < 1.0


def _reference_sigma(plane):
    """The OpenCV and NumPy code the compiled measure replaced."""
    laplace = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    height = plane.shape[0]
    tops = np.unique(np.linspace(0, height - 3, min(24, height - 2)).astype(np.int64))
    strips = np.concatenate([plane[t : t + 3] for t in tops]).astype(np.float32)
    response = np.abs(cv2.filter2D(strips, -1, laplace, borderType=cv2.BORDER_REPLICATE))
    inner = np.concatenate([response[3 * i + 1, 1:-1] for i in range(len(tops))])
    return float(np.median(inner)) * (1.0 / (0.6745 * 6.0))


@pytest.mark.parametrize("dtype, peak", [(np.uint8, 255), (np.uint16, 1023)])
@pytest.mark.parametrize("shape", [(3, 3), (5, 8), (64, 97), (1080, 240)])
def test_noise_sigma_is_the_strip_median_of_before_exactly(dtype, peak, shape):
    rng = np.random.default_rng(shape[1])
    plane = rng.integers(0, peak + 1, shape).astype(dtype)
    assert noise_sigma(plane) == _reference_sigma(plane)
    padded = np.zeros((shape[0], shape[1] + 16), dtype)
    padded[:, : shape[1]] = plane
    padded[:, shape[1] :] = peak  # row padding must not be read
    assert noise_sigma(padded[:, : shape[1]]) == _reference_sigma(plane)


def test_a_plane_is_noisy_exactly_when_its_measured_sigma_reaches_the_floor():
    rng = np.random.default_rng(5)
    for sigma in (0.0, 0.3, 0.45, 0.5, 0.55, 0.7, 2.0):
        for peak, dtype in ((255.0, np.uint8), (1023.0, np.uint16)):
            scale = peak / 255.0
            plane = np.clip(np.round(100 * scale + rng.normal(0, sigma * scale, (48, 64))),
                            0, peak).astype(dtype)
            measured = noise_sigma(plane)
            assert plane_is_noisy(plane, peak) == (measured * 255.0 / peak >= MIN_SIGMA)
    assert not plane_is_noisy(np.zeros((2, 50), np.uint8))

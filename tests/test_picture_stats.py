"""No-reference statistics: each figure responds to what it names."""

import numpy as np
import pytest

from llie_video.picture_stats import (
    PictureStats,
    contact_sheet,
    enhancement_stats,
    format_stats,
    hue_shift,
)


def _scene(level: float, seed: int = 0, noise: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rgb = np.zeros((60, 80, 3)) + level
    rgb[:, 40:] *= [1.0, 0.5, 0.25]  # an orange half
    return np.clip(rgb + rng.normal(0, noise, rgb.shape), 0, 255).astype(np.uint8)


def test_picture_stats_of_known_pictures():
    grey = PictureStats.of(np.full((40, 40, 3), 100, np.uint8))
    assert grey.mean_luma == pytest.approx(100, abs=0.5)
    assert grey.black_level == pytest.approx(100, abs=0.5)
    assert grey.saturation == 0.0 and grey.clipped == 0.0 and grey.noise < 0.1
    orange = PictureStats.of(_scene(200))
    assert orange.saturation == pytest.approx(0.375, abs=0.01)  # half grey, half (1 - 0.25)
    luma_sigma = 5 * np.sqrt(0.299**2 + 0.587**2 + 0.114**2)  # of independent channel noise
    assert PictureStats.of(_scene(100, noise=5)).noise == pytest.approx(luma_sigma, rel=0.15)
    assert PictureStats.of(np.full((8, 8, 3), 10, np.uint8)).saturation == 0.0  # too dark


def test_enhancement_stats_report_lift_clipping_and_pushed_colours():
    dark = _scene(60)
    pushed = dark.astype(float) * [3.0, 1.2, 0.6]  # brighter, the orange pushed, whites clipped
    pushed = np.clip(pushed, 0, 255).astype(np.uint8)
    stats = enhancement_stats([(dark, pushed)])
    assert stats.output.mean_luma > stats.input.mean_luma
    assert stats.newly_clipped == 0.0
    assert stats.saturation_ratio > 1.3
    blown = enhancement_stats([(dark, np.full_like(dark, 255))])
    assert blown.newly_clipped == 1.0 and blown.saturation_ratio == 0.0
    text = format_stats(stats)
    assert "black (1%)" in text and "saturation ratio" in text
    with pytest.raises(ValueError):
        enhancement_stats([])


def test_hue_shift_sees_a_cast_of_well_exposed_colours_only():
    sunset = _scene(200)  # orange half: hue 20 degrees (R 200, G 100, B 50)
    assert hue_shift(sunset, sunset) == 0.0
    brighter = np.clip(sunset.astype(float) * 1.2, 0, 255).astype(np.uint8)
    assert hue_shift(sunset, brighter) < 1.0  # a gain on all channels keeps the hue
    cyan = sunset.copy()
    cyan[:, 40:] = [100, 190, 200]  # the orange half turned cyan-ish: hue 186 degrees
    assert hue_shift(sunset, cyan) == pytest.approx(166, abs=1)
    assert hue_shift(_scene(40), np.full_like(_scene(40), 128)) is None  # nothing well exposed
    grey = np.full((60, 80, 3), 150, np.uint8)
    assert hue_shift(grey, sunset) is None  # grey input: no hue to keep
    stats = enhancement_stats([(sunset, cyan), (sunset, brighter), (_scene(40), _scene(40))])
    assert stats.hue_shift == pytest.approx(166 / 2, abs=1)  # the dark picture does not count
    assert stats.hue_shift_worst == pytest.approx(166, abs=1)
    assert "hue shift" in format_stats(stats)


def test_contact_sheet_stacks_before_over_after_with_mixed_aspect_ratios():
    pairs = [(np.zeros((30, 60, 3), np.uint8), np.full((30, 60, 3), 255, np.uint8)),
             (np.zeros((60, 30, 3), np.uint8), np.full((60, 30, 3), 255, np.uint8))]
    sheet = contact_sheet(pairs, columns=2, width=40)
    assert sheet.shape == (160, 80, 3)
    assert sheet[:20, :40].max() == 0 and sheet[20:40, :40].min() == 255  # first: before, after
    assert sheet[40:, :40].max() == 0  # padding under the wide picture


def test_enhancement_stats_measure_cielab_chroma_against_the_input_and_name_the_worst():
    scene = _scene(120)
    grey = np.full_like(scene, 100)
    stats = enhancement_stats([(scene, scene), (scene, grey)])
    assert stats.chroma_worst_index == 1 and stats.chroma_worst < 0.05
    assert stats.chroma_ratio == pytest.approx((1.0 + stats.chroma_worst) / 2)
    assert "CIELAB chroma ratio" in format_stats(stats)

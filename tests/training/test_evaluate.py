"""Evaluation figures against hand computations on tiny images."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from llie_video.models import create_model
from llie_video.training import evaluate as evaluate_module
from llie_video.models.weights import make_checkpoint
from llie_video.training.evaluate import (
    auto_gamma,
    evaluate,
    grid_rows,
    image_stats,
    mean_saturation,
    ms_per_frame,
    saturation_ratio,
    score_pairs,
)
from llie_video.training.grid import GAP, GRID_IMAGES, TILE_HEIGHT, side_by_side


def test_auto_gamma_brings_mean_luma_to_0_4() -> None:
    x = torch.full((2, 3, 4, 4), 0.1)
    x[1] = 0.05
    out = auto_gamma(x)
    assert torch.allclose(out, torch.full_like(out, 0.4), atol=1e-5)


def test_score_pairs_matches_hand_psnr() -> None:
    low = torch.full((3, 16, 16), 0.2)
    high = torch.full((3, 16, 16), 0.3)
    scores = score_pairs(lambda x: x, [(low, high), (low, low + 0.01)])
    assert scores.psnr == pytest.approx((20.0 + 40.0) / 2, abs=1e-3)
    assert scores.images == 2
    assert scores.output_luma == pytest.approx(0.2 * 255, abs=1e-3)


def test_saturation_ratio_on_known_colours() -> None:
    colour = torch.zeros(3, 12, 12)
    colour[0], colour[1], colour[2] = 0.8, 0.4, 0.2  # HSV saturation (0.8 - 0.2) / 0.8 = 0.75
    pale = colour * 0.5 + 0.25  # 0.65, 0.45, 0.35: saturation 0.3 / 0.65
    grey = torch.full((3, 12, 12), 0.5)
    assert mean_saturation(colour) == pytest.approx(0.75, abs=1e-6)
    assert saturation_ratio(colour, colour) == pytest.approx(1.0)
    assert saturation_ratio(colour * 0.5, colour) == pytest.approx(1.0)  # brightness does not count
    assert saturation_ratio(pale, colour) == pytest.approx((0.3 / 0.65) / 0.75, abs=1e-5)
    assert saturation_ratio(grey, colour) == 0.0
    assert saturation_ratio(colour, grey) > 1e4  # any colour against a grey target
    speckle = torch.full((3, 1, 2), 0.8)
    speckle[:, 0, 1] = torch.tensor([0.02, 0.0, 0.0])  # a near-black pixel of pure red noise
    assert mean_saturation(speckle) == pytest.approx(0.02 / 0.82, abs=1e-6)  # weighted by value
    scores = score_pairs(lambda x: x, [(pale, colour), (colour, colour)])
    assert scores.saturation_ratio == pytest.approx(((0.3 / 0.65) / 0.75 + 1.0) / 2, abs=1e-5)


def test_image_stats_by_hand() -> None:
    image = torch.zeros(3, 2, 2)
    image[0] = 0.8  # red 0.8, green 0.4, blue 0.2 everywhere
    image[1] = 0.4
    image[2] = 0.2
    stats = image_stats([image])
    assert stats.luma == pytest.approx((0.299 * 0.8 + 0.587 * 0.4 + 0.114 * 0.2) * 255, abs=1e-3)
    assert stats.saturation == pytest.approx((0.8 - 0.2) / 0.8, abs=1e-6)
    mean = (0.8 + 0.4 + 0.2) / 3
    assert stats.colour_cast == pytest.approx((0.8 - mean) * 255, abs=1e-3)


def test_evaluate_a_paired_folder(tmp_path: Path) -> None:
    for sub, level in (("low", 30), ("high", 120)):
        (tmp_path / sub).mkdir()
        rgb = np.full((24, 32, 3), level, np.uint8)
        rgb[:, :16] += 20
        cv2.imwrite(str(tmp_path / sub / "a.png"), rgb)
    torch.manual_seed(0)
    model = create_model("zero_dce_pp", channels=4)
    weights = tmp_path / "w.pt"
    torch.save(make_checkpoint(model, "zero_dce_pp"), weights)
    report = evaluate("zero_dce_pp", tmp_path, weights=weights, timing=False, grid_dir=None)
    assert report.mode == "paired"
    assert set(report.scores) == {"zero_dce_pp", "zero_dce_pp as run", "auto_gamma"}
    assert report.grid is None
    low = torch.from_numpy(cv2.imread(str(tmp_path / "low" / "a.png"))[..., ::-1].copy())
    high = torch.from_numpy(cv2.imread(str(tmp_path / "high" / "a.png"))[..., ::-1].copy())
    low, high = (t.permute(2, 0, 1).float()[None] / 255 for t in (low, high))
    mse = float((auto_gamma(low) - high).pow(2).mean())
    assert report.scores["auto_gamma"].psnr == pytest.approx(-10 * math.log10(mse), abs=1e-3)
    assert report.parameters == model.num_parameters()
    assert "auto_gamma" in report.format_table()


def test_evaluate_unpaired_reports_input_and_outputs(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.full((16, 16, 3), 40, np.uint8))
    weights = tmp_path / "w.pt"
    torch.save(make_checkpoint(create_model("zero_dce_pp", channels=4), "zero_dce_pp"), weights)
    report = evaluate("zero_dce_pp", tmp_path, weights=weights, timing=False, grid_dir=tmp_path / "g")
    assert report.mode == "unpaired"
    assert report.stats["input"].luma == pytest.approx(40, abs=1e-3)
    assert report.stats["auto_gamma"].luma == pytest.approx(0.4 * 255, abs=0.5)
    # The grid: one row, input | output, tiles 256 px high (16x16 scaled up).
    assert report.grid == str(tmp_path / "g" / f"zero_dce_pp_{tmp_path.name}.png")
    grid = cv2.imread(report.grid)[..., ::-1]
    assert grid.shape == (TILE_HEIGHT, 2 * TILE_HEIGHT + GAP, 3)
    assert np.all(grid[:, :TILE_HEIGHT] == 40)
    assert np.all(grid[:, TILE_HEIGHT : TILE_HEIGHT + GAP] == 0)
    assert f"grid: {report.grid}" in report.format_table()


def test_side_by_side_rows_tiles_and_padding() -> None:
    dark, bright = torch.full((3, 8, 16), 0.2), torch.full((3, 8, 8), 1.0)
    grid = side_by_side([[dark, bright, bright], [bright, dark]], height=8)
    # Row 1: 16 + 8 + 8 px wide with two gaps; row 2 is narrower and padded with black.
    assert grid.shape == (8 + GAP + 8, 16 + 8 + 8 + 2 * GAP, 3)
    assert np.all(grid[:8, :16] == 51) and np.all(grid[:8, 16 + GAP : 24 + GAP] == 255)
    assert np.all(grid[8 : 8 + GAP] == 0)
    assert np.all(grid[8 + GAP :, :8] == 255) and np.all(grid[8 + GAP :, 8 + GAP : 24 + GAP] == 51)
    assert np.all(grid[8 + GAP :, 24 + GAP :] == 0)
    with pytest.raises(ValueError):
        side_by_side([])


def test_grid_rows_take_the_first_images_and_add_references() -> None:
    images = [torch.full((3, 4, 4), i / 10) for i in range(6)]
    rows = grid_rows(lambda x: x * 2, images, images)
    assert len(rows) == GRID_IMAGES and all(len(r) == 3 for r in rows)
    assert torch.equal(rows[1][1], images[1] * 2) and torch.equal(rows[1][2], images[1])
    assert all(len(r) == 2 for r in grid_rows(lambda x: x, images))


class _Clock:
    """A stand-in for ``time.perf_counter`` that only moves when a model run says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


class _TimedModel(torch.nn.Module):
    """Takes the listed durations (seconds) on the clock, one per run, and records its input."""

    def __init__(self, clock: _Clock, durations: list[float]) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.clock, self.durations, self.inputs = clock, list(durations), []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(tuple(x.shape))
        self.clock.now += self.durations.pop(0)
        return x


def test_ms_per_frame_is_the_median_after_a_warm_up(monkeypatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(evaluate_module, "time", clock)
    # the warm-up takes 5 s (a first call's allocations); then 30, 10, 20 ms
    model = _TimedModel(clock, [5.0, 0.030, 0.010, 0.020])
    assert ms_per_frame(model, size=(36, 64), repeats=3) == pytest.approx(20.0)
    assert model.inputs == [(1, 3, 36, 64)] * 4 and not model.durations


def test_ms_per_frame_times_a_real_model() -> None:
    model = create_model("zero_dce_pp", channels=4)
    assert 0 < ms_per_frame(model, size=(32, 48), repeats=2) < 60_000

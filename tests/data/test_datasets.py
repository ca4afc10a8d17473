"""Training sources, split and validation recipe on tiny images written by the test."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from llie_video.data.datasets import (
    MixedSource,
    PairedFolder,
    SyntheticPairs,
    UnpairedImages,
    collate,
    list_images,
    select_well_exposed,
    synthetic_validation_set,
)
from llie_video.data.degradation import DegradationConfig
from llie_video.data.splits import REAL_HELD_OUT_FRACTION, is_validation, name_hash_fraction, select_split


def write_image(path: Path, level: int, size: tuple[int, int] = (40, 48)) -> Path:
    rng = np.random.default_rng(level)
    image = np.clip(rng.normal(level, 10, (*size, 3)), 0, 255).astype(np.uint8)
    cv2.imwrite(str(path), image)
    return path


def test_split_is_fixed_by_the_name_and_holds_out_about_a_tenth() -> None:
    paths = [Path(f"/x/{i}.jpg") for i in range(2000)]
    validation = select_split(paths, "validation")
    train = select_split(paths, "train")
    assert set(validation).isdisjoint(train) and len(validation) + len(train) == 2000
    assert 150 < len(validation) < 250
    assert is_validation(Path("/other/dir/7.jpg")) == is_validation(Path("/x/7.jpg"))
    assert name_hash_fraction("a.jpg") == name_hash_fraction("a.jpg")


def test_well_exposed_selection_uses_mean_luma(tmp_path: Path) -> None:
    dark = write_image(tmp_path / "dark.png", 30)
    good = write_image(tmp_path / "good.png", 128)
    bright = write_image(tmp_path / "bright.png", 220)
    assert select_well_exposed([dark, good, bright]) == [good]


def test_synthetic_pairs_crop_flip_and_reproduce(tmp_path: Path) -> None:
    paths = [write_image(tmp_path / f"{i}.png", 120 + i) for i in range(3)]
    source = SyntheticPairs(paths, crop=16, degradation=DegradationConfig())
    a = source.sample(np.random.default_rng(5))
    b = source.sample(np.random.default_rng(5))
    assert a.input.shape == a.target.shape == (3, 16, 16)
    assert torch.equal(a.input, b.input) and torch.equal(a.target, b.target)
    assert float(a.input.mean()) < 0.2 < float(a.target.mean())
    inputs, targets = collate([a, b])
    assert inputs.shape == (2, 3, 16, 16) and targets is not None


def test_unpaired_and_paired_sources(tmp_path: Path) -> None:
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    write_image(tmp_path / "low" / "1.png", 20)
    write_image(tmp_path / "high" / "1.png", 140)
    paired = PairedFolder(tmp_path, crop=24)
    sample = paired.sample(np.random.default_rng(0))
    assert sample.input.shape == (3, 24, 24)
    assert float(sample.input.mean()) < float(sample.target.mean())
    unpaired = UnpairedImages(list_images(tmp_path / "low"), crop=100)
    whole = unpaired.sample(np.random.default_rng(0))
    assert whole.input.shape == (3, 40, 48) and whole.target is None
    assert collate([whole])[1] is None


def test_paired_folder_reports_missing_targets(tmp_path: Path) -> None:
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    write_image(tmp_path / "low" / "1.png", 20)
    with pytest.raises(ValueError, match="no match"):
        PairedFolder(tmp_path, crop=8)


def test_synthetic_validation_set_is_fixed_per_image(tmp_path: Path) -> None:
    paths = [write_image(tmp_path / f"{i}.png", 130) for i in range(2)]
    first = synthetic_validation_set(paths, DegradationConfig(), seed=0, size=32)
    again = synthetic_validation_set(paths[::-1], DegradationConfig(), seed=0, size=32)
    assert first[0][0].shape == (3, 32, 32)
    assert torch.equal(first[0][0], again[1][0])
    assert not torch.equal(first[0][0], synthetic_validation_set(paths[:1], DegradationConfig(), seed=1, size=32)[0][0])


def test_sice_validation_recipe_gives_dark_inputs() -> None:
    from tests.helpers.shared import shared_path

    root = shared_path("data", "train", "sice_zero_dce")
    images = select_well_exposed(select_split(list_images(root), "validation"))
    assert 50 < len(images) < 120
    pairs = synthetic_validation_set(images[:6], DegradationConfig(), seed=0, size=128)
    lumas = [float(low.mean()) * 255 for low, _ in pairs]
    assert 2 < min(lumas) and max(lumas) < 60


def write_pairs(root: Path, count: int, size: tuple[int, int] = (24, 32)) -> list[str]:
    """``count`` LOL-layout pairs ``root/{low,high}/N.png``; returns the names."""
    (root / "low").mkdir(parents=True)
    (root / "high").mkdir()
    names = [f"{i}.png" for i in range(count)]
    for i, name in enumerate(names):
        write_image(root / "low" / name, 10 + i % 20, size)
        write_image(root / "high" / name, 120 + i % 20, size)
    return names


def test_real_pair_split_never_puts_a_held_out_pair_in_the_train_part(tmp_path: Path) -> None:
    names = write_pairs(tmp_path, 40)
    train = PairedFolder(tmp_path, crop=16, split="train")
    held_out = PairedFolder(tmp_path, crop=16, split="validation")
    train_names = {p.name for p in train.lows}
    held_out_names = {p.name for p in held_out.lows}
    assert held_out_names == {n for n in names if name_hash_fraction(n) < REAL_HELD_OUT_FRACTION}
    assert train_names.isdisjoint(held_out_names) and train_names | held_out_names == set(names)
    assert 0 < len(held_out_names) < len(train_names)
    assert all(p.parent.name == "high" and p.name in train_names for p in train.highs)
    assert len(PairedFolder(tmp_path, crop=16)) == 40  # "all"


def test_mixed_source_draws_from_each_source_by_weight(tmp_path: Path) -> None:
    write_pairs(tmp_path / "real", 3)
    real = PairedFolder(tmp_path / "real", crop=8)
    synthetic = SyntheticPairs([write_image(tmp_path / "s.png", 220)], 8, DegradationConfig())
    mixed = MixedSource([real, synthetic], [0.75, 0.25])
    rng = np.random.default_rng(0)
    draws = [mixed.sample(rng) for _ in range(200)]
    assert all(d.input.shape == d.target.shape == (3, 8, 8) for d in draws)
    from_synthetic = sum(float(d.target.mean()) > 0.75 for d in draws)  # real targets: ~0.5
    assert 30 < from_synthetic < 70
    with pytest.raises(ValueError, match="weight"):
        MixedSource([real], [0.5, 0.5])

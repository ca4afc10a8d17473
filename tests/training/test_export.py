"""Export figures: official checkpoints (same or closest architecture) scored beside ours."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from llie_video.config import from_dict
from llie_video.models import create_model
from llie_video.models.weights import make_checkpoint
from llie_video.training.config import TrainConfig
from llie_video.training.export import official_checkpoints, refresh_real_validation, validation_metrics


def tiny_checkpoint(path: Path, arch: str, seed: int) -> Path:
    torch.manual_seed(seed)
    torch.save(make_checkpoint(create_model(arch, channels=4), arch), path)
    return path


def test_official_checkpoints_of_the_closest_architecture_are_scored(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    for i in range(30):  # about a tenth falls in the validation split
        cv2.imwrite(str(images / f"{i}.png"), np.full((16, 16, 3), 60 + 4 * i, np.uint8))
    ours = tiny_checkpoint(tmp_path / "ours.pt", "zero_dce_pp", 0)
    official = tiny_checkpoint(tmp_path / "official_a.pt", "zero_dce", 1)
    other = tiny_checkpoint(tmp_path / "official_b.pt", "zero_dce", 2)
    config = from_dict(TrainConfig, {
        "model": {"arch": "zero_dce_pp"},
        "data": {"root": str(images), "luma_range": [0, 255]},
        "export": {"validation_root": str(images), "real_validation_root": None,
                   "official_weights": str(official),
                   "more_official_weights": [str(other), str(tmp_path / "missing.pt")],
                   "official_arch": "zero_dce"},
    })
    assert official_checkpoints(config) == {"official": official, "official_official_b": other}
    figures = validation_metrics(config, ours)["synthetic_validation"]
    assert figures["images"] >= 1
    assert figures["official_arch"] == "zero_dce"
    assert figures["official_files"] == {"official": "official_a.pt", "official_official_b": "official_b.pt"}
    assert {"ours", "official", "official_official_b", "auto_gamma"} <= set(figures)
    assert figures["official"] != figures["official_official_b"]


def test_real_validation_figures_of_ours_alone_and_as_run_beside_official_and_gamma(
    tmp_path: Path, real_pairs_folder
) -> None:
    root, held_out = real_pairs_folder
    ours = tiny_checkpoint(tmp_path / "ours.pt", "zero_dce_pp", 0)
    official = tiny_checkpoint(tmp_path / "official.pt", "zero_dce_pp", 1)
    config = from_dict(TrainConfig, {
        "model": {"arch": "zero_dce_pp"},
        "export": {"validation_root": None, "real_validation_root": str(root),
                   "official_weights": str(official)},
    })
    metrics = validation_metrics(config, ours)
    assert set(metrics) == {"real_validation"}
    figures = metrics["real_validation"]
    assert figures["images"] == len(held_out) and "fraction < 0.2" in figures["recipe"]
    assert {"alone", "as_run", "official", "auto_gamma"} <= set(figures)
    assert figures["official_files"] == {"official": "official.pt"}
    assert set(figures["as_run"]) == {"psnr", "ssim", "saturation_ratio", "chroma_ratio",
                                      "ciede2000", "output_luma"}
    assert figures["alone"] != figures["official"]
    no_pairs = from_dict(TrainConfig, {"export": {"validation_root": None,
                                                  "real_validation_root": str(tmp_path / "none")}})
    assert validation_metrics(no_pairs, ours) == {}


def test_refresh_real_validation_rewrites_the_figures_of_shipped_weights(tmp_path: Path, real_pairs_folder) -> None:
    import yaml

    from llie_video.models.weights import Manifest, WeightsEntry, sha256_of

    root, held_out = real_pairs_folder
    weights = tiny_checkpoint(tmp_path / "zero_dce_pp.pt", "zero_dce_pp", 0)
    config = tmp_path / "train.yaml"
    config.write_text(yaml.safe_dump({"model": {"arch": "zero_dce_pp"},
                                      "export": {"real_validation_root": str(root)}}))
    entry = WeightsEntry("zero_dce_pp", weights.name, sha256_of(weights), "data", str(config), 1,
                         metrics={"step": 3, "real_validation": {"stale": True}})
    Manifest("zero_dce_pp", {"zero_dce_pp": entry}).save(tmp_path)
    figures = refresh_real_validation(tmp_path)["zero_dce_pp"]
    saved = Manifest.load(tmp_path).models["zero_dce_pp"].metrics
    assert saved["step"] == 3 and saved["real_validation"] == figures
    assert figures["images"] == len(held_out) and "stale" not in figures
    weights.write_bytes(weights.read_bytes() + b"x")
    with pytest.raises(ValueError, match="sha256"):
        refresh_real_validation(tmp_path)

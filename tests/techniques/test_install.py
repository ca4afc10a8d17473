"""The techniques from a training config: typed section, model arguments, LFPV in training."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from llie_video.config import ConfigError, from_dict
from llie_video.errors import UserError
from llie_video.models import create_model
from llie_video.techniques.plugin import find_bank
from llie_video.training.config import TrainConfig
from llie_video.training.sources import build_source
from llie_video.training.trainer import build_state, draw_batch, train_step

DEVICE = torch.device("cpu")


def config(tmp_path: Path, arch: str, techniques: dict) -> TrainConfig:
    folder = tmp_path / "images"
    folder.mkdir()
    yy, xx = np.mgrid[0:32, 0:32]
    for i in range(2):
        base = 110 + 40 * np.sin((xx + 5 * i) / 5.0) * np.cos(yy / 7.0)
        rgb = np.stack([base, base, base * 0.9], -1).astype(np.uint8)
        cv2.imwrite(str(folder / f"{i}.png"), rgb)
    return from_dict(TrainConfig, {
        "device": "cpu", "run_dir": str(tmp_path / "run"),
        "model": {"arch": arch, "kwargs": {"channels": 8}},
        "data": {"root": str(folder), "split": "all", "crop": 24, "batch_size": 2,
                 "luma_range": [0, 255]},
        "optim": {"steps": 4, "estimation_long_sides": [16]},
        "techniques": techniques,
    })


def test_all_techniques_train_together(tmp_path: Path) -> None:
    techniques = {"pog": {"enabled": True, "dim": 4}, "adr": {"enabled": True},
                  "lfpv": {"enabled": True, "entries": 4, "patch": 2}}
    cfg = config(tmp_path, "iat_lite", techniques)
    state = build_state(cfg, DEVICE)
    assert state.model.architecture_kwargs()["pog"] and state.model.architecture_kwargs()["adr"]
    bank = find_bank(state.model)
    assert bank is not None and "lfpv" in state.objective.auxiliary
    before = bank.vectors.clone()
    figures = train_step(state, cfg, draw_batch(build_source(cfg.data), cfg, 0), DEVICE)
    assert np.isfinite(figures["loss"]) and figures["lfpv"] > 0
    assert not torch.equal(bank.vectors, before)
    assert any(k.startswith("auxiliary.lfpv.updaters.") for k in state.objective.state_dict())
    assert not any("updaters" in k for k in state.model.state_dict())


def test_a_trained_lfpv_checkpoint_rebuilds_with_its_entries(tmp_path: Path) -> None:
    cfg = config(tmp_path, "iat_lite", {"lfpv": {"enabled": True, "entries": 4, "patch": 2}})
    state = build_state(cfg, DEVICE)
    train_step(state, cfg, draw_batch(build_source(cfg.data), cfg, 0), DEVICE)
    path = tmp_path / "run.pt"
    torch.save(state.checkpoint(cfg), path)
    model = create_model("iat_lite", weights=path)
    assert model.architecture_kwargs()["lfpv_entries"] == 4
    bank = find_bank(model)
    assert bank is not None and bank.patch == 2
    plain = create_model("iat_lite", channels=8).num_parameters()
    assert model.num_parameters() == plain + 4 * 8 + 4 * 8 * 2 * 2


def test_architectural_technique_on_a_model_without_it_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="bad arguments"):
        build_state(config(tmp_path, "zero_dce_pp", {"adr": {"enabled": True}}), DEVICE)


def test_unknown_technique_keys_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="techniques.pog.size"):
        config(tmp_path, "iat_lite", {"pog": {"size": 3}})

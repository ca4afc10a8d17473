"""The training loop on tiny images: loss goes down, resume is bit-exact, export loads."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
import yaml

from llie_video.config import from_dict
from llie_video.models import create_model
from llie_video.models.weights import Manifest
from llie_video.training.api import train_from_config
from llie_video.training.checkpoints import load_run_checkpoint
from llie_video.training.config import TrainConfig
from llie_video.training.sources import build_source
from llie_video.training.trainer import build_state, draw_batch, run_training, train_step

DEVICE = torch.device("cpu")


def write_images(folder: Path, count: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:40, 0:40]
    for i in range(count):
        base = 100 + 40 * np.sin((xx + 7 * i) / 6.0) * np.cos(yy / 9.0)
        rgb = np.stack([base, base * 0.9 + 10, base * 0.8 + 20], -1)
        cv2.imwrite(str(folder / f"{i}.png"), np.clip(rgb, 0, 255).astype(np.uint8))
    return folder


def tiny_config(tmp_path: Path, **sections: dict) -> TrainConfig:
    data = {
        "name": "tiny",
        "threads": 1,
        "device": "cpu",
        "run_dir": str(tmp_path / "run"),
        "checkpoint_every": 100,
        "model": {"arch": "zero_dce_pp", "kwargs": {"channels": 4}},
        "data": {"kind": "synthetic", "root": str(write_images(tmp_path / "images")),
                 "split": "all", "crop": 24, "batch_size": 2, "luma_range": [0, 255]},
        "optim": {"steps": 6, "lr": 0.01, "estimation_long_sides": [None, 12]},
        "export": {"validation_root": None, "real_validation_root": None,
                   "weights_dir": str(tmp_path / "weights")},
    }
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return from_dict(TrainConfig, data)


def test_steps_on_one_batch_reduce_the_loss(tmp_path: Path) -> None:
    config = tiny_config(tmp_path, optim={"steps": 100, "lr": 0.01, "grad_clip": 0.0})
    state = build_state(config, DEVICE)
    batch = draw_batch(build_source(config.data), config, 0)
    first = train_step(state, config, batch, DEVICE)["loss"]
    for _ in range(15):
        last = train_step(state, config, batch, DEVICE)["loss"]
    assert last < 0.8 * first


def test_resume_continues_bit_exactly(tmp_path: Path) -> None:
    straight = tiny_config(tmp_path / "a")
    source = build_source(straight.data)
    run_training(straight, source, progress=False)
    resumed = dataclasses.replace(straight, run_dir=tmp_path / "b")
    run_training(resumed, source, progress=False, until_step=3)
    assert load_run_checkpoint(tmp_path / "b" / "last.pt")["step"] == 3
    run_training(resumed, source, progress=False)
    a = load_run_checkpoint(Path(straight.run_dir) / "last.pt")
    b = load_run_checkpoint(tmp_path / "b" / "last.pt")
    assert a["step"] == b["step"] == 6
    for key in ("params", "params_ema"):
        assert a[key].keys() == b[key].keys()
        assert all(torch.equal(a[key][k], b[key][k]) for k in a[key])
    for sa, sb in zip(a["optimizer"]["state"].values(), b["optimizer"]["state"].values(), strict=True):
        assert torch.equal(sa["exp_avg"], sb["exp_avg"]) and torch.equal(sa["exp_avg_sq"], sb["exp_avg_sq"])
    assert not all(torch.equal(a["params"][k], a["params_ema"][k]) for k in a["params"])


@pytest.mark.parametrize(
    ("arch", "kwargs", "objective", "kind"),
    [
        ("zero_dce", {"channels": 4}, {"supervised": 0.0, "zero_reference": 1.0}, "unpaired"),
        ("sci", {}, {"supervised": 0.0, "sci": 1.0,
                     "sci_terms": {"stages": 2, "calibration_channels": 4, "calibration_blocks": 1}},
         "unpaired"),
        ("aux_retinex", {}, {"supervised": 1.0, "sci": 0.5,
                             "sci_terms": {"stages": 2, "calibration_channels": 4, "calibration_blocks": 1}},
         "synthetic"),
    ],
)
def test_other_objectives_train(tmp_path: Path, arch: str, kwargs: dict, objective: dict, kind: str) -> None:
    config = tiny_config(
        tmp_path,
        model={"arch": arch, "kwargs": kwargs},
        objective=objective,
        data={"kind": kind},
        optim={"steps": 6, "lr": 0.01, "grad_clip": 0.0, "estimation_long_sides": [None]},
    )
    state = build_state(config, DEVICE)
    batch = draw_batch(build_source(config.data), config, 0)
    losses = [train_step(state, config, batch, DEVICE) for _ in range(8)]
    assert all(np.isfinite(f["loss"]) for f in losses)
    assert losses[-1]["loss"] < losses[0]["loss"]


def test_supervised_objective_rejects_unpaired_data(tmp_path: Path) -> None:
    config = tiny_config(tmp_path, data={"kind": "unpaired"})
    state = build_state(config, DEVICE)
    with pytest.raises(ValueError, match="paired data"):
        train_step(state, config, draw_batch(build_source(config.data), config, 0), DEVICE)


def test_train_from_config_exports_weights_and_manifest(tmp_path: Path) -> None:
    config = tiny_config(tmp_path)
    path = tmp_path / "tiny.yaml"
    raw = json.loads(json.dumps(dataclasses.asdict(config), default=str))
    raw["export"]["make_default"] = True
    raw["export"]["notes"] = "test run"
    path.write_text(yaml.safe_dump(raw))
    weights = train_from_config(str(path), ["optim.steps=4"])
    assert weights == tmp_path / "weights" / "zero_dce_pp.pt"
    checkpoint = torch.load(weights, weights_only=True)
    assert set(checkpoint) == {"arch", "model_kwargs", "params", "params_ema", "config", "step"}
    assert checkpoint["step"] == 4 and checkpoint["params_ema"] is None
    run = load_run_checkpoint(tmp_path / "run" / "last.pt")
    assert all(torch.equal(checkpoint["params"][k], v) for k, v in run["params_ema"].items())
    model = create_model("zero_dce_pp", weights=weights)
    assert model.channels == 4
    manifest = Manifest.load(tmp_path / "weights")
    assert manifest.default == "zero_dce_pp"
    entry = manifest.models["zero_dce_pp"]
    assert entry.parameters == model.num_parameters() and entry.notes == "test run"
    assert entry.metrics == {"step": 4}
    assert entry.file == weights.name
    assert entry.sha256 == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert entry.config == str(path)


def test_config_rejects_unknown_keys_and_bad_model_kwargs(tmp_path: Path) -> None:
    from llie_video.errors import ConfigError

    with pytest.raises(ConfigError, match="optim.stepz"):
        from_dict(TrainConfig, {"optim": {"stepz": 3}})
    with pytest.raises(ConfigError, match="model.kwargs"):
        from_dict(TrainConfig, {"model": {"kwargs": [1, 2]}})
    with pytest.raises(ConfigError, match="at least one"):
        from_dict(TrainConfig, {"objective": {"supervised": 0.0}})


def test_real_pairs_train_on_the_train_part_mixed_with_synthetic_pairs(tmp_path: Path, real_pairs_folder) -> None:
    root, held_out = real_pairs_folder
    config = tiny_config(tmp_path, data={"kind": "paired", "root": str(root), "split": "train",
                                         "crop": 16, "synthetic_share": 0.5,
                                         "synthetic_root": str(tmp_path / "images")})
    source = build_source(config.data)
    real = source.sources[0]
    assert {p.name for p in real.lows}.isdisjoint(held_out) and len(real) == 12 - len(held_out)
    assert len(source.sources[1].paths) == 4  # the synthetic part: every image of its split "all"
    run_training(config, source, progress=False)
    assert (tmp_path / "run" / "last.pt").is_file()

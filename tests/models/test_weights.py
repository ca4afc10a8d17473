"""The shipped weights: every model in the manifest loads its verified weights and enhances;
a damaged install, a missing file or a model without weights is a clear error; checkpoints
that do not fit are refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import av
import numpy as np
import pytest
import torch

from llie_video import UserError, create_model
from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.models import weights as weights_module
from llie_video.models.weights import Manifest, make_checkpoint, read_checkpoint
from llie_video.picture_stats import hue_shift
from llie_video.resources import weights_dir
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.cli import one_error_line

SHIPPED = sorted(Manifest.load().models)


def test_the_manifest_describes_the_files_shipped():
    manifest = Manifest.load()
    assert manifest.default in manifest.models
    assert len(SHIPPED) >= 6
    for name, entry in manifest.models.items():
        path = weights_dir() / entry.file
        assert entry.arch == name and path.is_file()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256


def _dark_frame() -> np.ndarray:
    rng = np.random.default_rng(0)
    ramp = np.linspace(8, 60, 96)[None, :, None] * np.array([1.0, 0.9, 0.8])
    return np.clip(ramp + rng.normal(0, 3, (64, 96, 3)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_loads_its_weights_and_enhances(name):
    model = create_model(name, pretrained=True)
    entry = Manifest.load().models[name]
    assert model.num_parameters() == entry.parameters
    # the weights are those of the file, not a fresh initialisation
    checkpoint = read_checkpoint(weights_dir() / entry.file)
    trained = checkpoint.get("params_ema") or checkpoint["params"]
    for key, value in model.state_dict().items():
        assert torch.equal(value, trained[key]), key
    rgb = _dark_frame()
    stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=0.0))
    out = stage.process(rgb)
    assert out.mean() > rgb.mean() + 40
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    planes = stage.process_planes(frame).to_ndarray(format="rgb24")  # the decoded-video path
    assert abs(planes.astype(float).mean() - out.mean()) < 3


def _sunset() -> np.ndarray:
    """A well-lit scene (mean luma ~110): an orange-to-pink sky over a dim brown foreground with a
    green and a blue patch, as in a dusk photo that needs little brightening."""
    rng = np.random.default_rng(0)
    fade = np.linspace(0, 1, 60)[:, None, None]
    sky = np.broadcast_to((1 - fade) * [230, 150, 80] + fade * [200, 90, 110], (60, 160, 3))
    ground = np.full((60, 160, 3), 70.0) * [1.0, 0.8, 0.7]
    ground[10:40, 20:60] = [60, 140, 50]
    ground[10:40, 100:140] = [50, 90, 170]
    return np.clip(np.vstack([sky, ground]) + rng.normal(0, 2, (120, 160, 3)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_keeps_the_hue_of_well_lit_colours(name):
    """A colour that is already visible keeps its hue (the weights fine-tuned on LOL's pale
    targets alone turned such a scene 22 degrees towards cyan; the shipped models: 4-8)."""
    stage = EnhanceStage(create_model(name, pretrained=True), torch.device("cpu"),
                         settings=EnhanceSettings(smoothing=0.0))
    rgb = _sunset()
    assert hue_shift(rgb, stage.process(rgb)) < 15


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A copy of the shipped weights folder, used in place of the real one."""
    folder = tmp_path / "weights"
    shutil.copytree(weights_dir(), folder)
    monkeypatch.setattr(weights_module, "weights_dir", lambda: folder)
    return folder


def test_damaged_weights_are_refused(installed):
    entry = Manifest.load(installed).models["sci"]
    with open(installed / entry.file, "ab") as f:
        f.write(b"\0")
    with pytest.raises(UserError, match="sci.pt do not match their sha256 in the manifest"):
        create_model("sci", pretrained=True)


def test_missing_weights_say_to_reinstall(installed):
    (installed / Manifest.load(installed).models["sci"].file).unlink()
    with pytest.raises(UserError, match="sci.pt are missing; reinstall llie-video"):
        create_model("sci", pretrained=True)


def test_a_model_without_shipped_weights_names_those_shipped(installed, make_clip, tmp_path,
                                                           capsys):
    manifest = json.loads((installed / "MANIFEST.json").read_text())
    del manifest["models"]["sci"]
    (installed / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match=r"no shipped weights for model 'sci' \(shipped: aux_retinex, "):
        create_model("sci", pretrained=True)
    assert create_model("sci").num_parameters() > 0  # the architecture itself is there
    clip = make_clip(frames=2, audio=False)
    assert main([str(clip), str(tmp_path / "out.mp4"), "--model", "sci"]) == EXIT_USER_ERROR
    assert "no shipped weights for model 'sci'" in one_error_line(capsys)
    assert not (tmp_path / "out.mp4").exists()


def test_manifest_saves_and_loads_unchanged(installed):
    manifest = Manifest.load(installed)
    (installed / "MANIFEST.json").unlink()
    manifest.save(installed)
    assert Manifest.load(installed) == manifest


def test_files_that_are_not_checkpoints_are_refused(tmp_path):
    with pytest.raises(UserError, match="weights file not found"):
        read_checkpoint(tmp_path / "none.pt")
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    archive = tmp_path / "archive.pt"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("notes.txt", "a zip, but not torch's")
    for path in (garbage, archive):
        with pytest.raises(UserError, match=f"{path} is not a checkpoint: not a file written by "
                           "torch.save$"):
            read_checkpoint(path)
    truncated = tmp_path / "truncated.pt"
    torch.save({"w": torch.zeros(100)}, truncated, _use_new_zipfile_serialization=False)
    truncated.write_bytes(truncated.read_bytes()[:40])
    with pytest.raises(UserError, match="cannot read weights file .*truncated.pt"):
        read_checkpoint(truncated)
    listed = tmp_path / "list.pt"
    torch.save([torch.zeros(1)], listed)
    with pytest.raises(UserError, match="is not a checkpoint"):
        read_checkpoint(listed)


def test_checkpoints_of_another_model_are_refused(tmp_path):
    other = tmp_path / "zero_dce.pt"
    torch.save(make_checkpoint(create_model("zero_dce"), "zero_dce"), other)
    with pytest.raises(UserError, match="holds weights for model 'zero_dce', not 'sci'"):
        create_model("sci", weights=other)
    plain = tmp_path / "plain.pt"
    torch.save(create_model("zero_dce_pp").state_dict(), plain)  # no architecture recorded
    with pytest.raises(UserError, match="do not fit model SCI"):
        create_model("sci", weights=plain)
    ours = tmp_path / "ours.pt"
    torch.save(make_checkpoint(create_model("zero_dce_pp", channels=4), "zero_dce_pp"), ours)
    assert create_model("zero_dce_pp", weights=ours).channels == 4  # its own arguments

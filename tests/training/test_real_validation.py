"""Held-out real-pair scores on a tiny LOL-layout folder written by the test."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from llie_video.models import create_model
from llie_video.models.weights import make_checkpoint
from llie_video.training.evaluate import auto_gamma, score_pairs
from llie_video.training.real_validation import (
    evaluate_real, real_pair_names, real_pairs, scores_dict,
)


def test_real_pairs_are_the_held_out_part(real_pairs_folder) -> None:
    root, held_out = real_pairs_folder
    assert 0 < len(held_out) < 12
    assert len(real_pairs(root)) == len(held_out)
    assert len(real_pairs(root, "train")) == 12 - len(held_out)


def write_official_zero_dce_pp(path: Path) -> None:
    """A checkpoint in the authors' layout (keys ``e_convN.*``), from a seeded model of ours."""
    torch.manual_seed(0)
    state = create_model("zero_dce_pp").state_dict()
    torch.save({k.removeprefix("estimator."): v for k, v in state.items()}, path)


def test_evaluate_real_scores_models_alone_and_as_run_beside_official_and_gamma(
    tmp_path: Path, real_pairs_folder
) -> None:
    (tmp_path / "official").mkdir()
    write_official_zero_dce_pp(tmp_path / "official" / "ZeroDCEpp_Epoch99.pth")
    report = evaluate_real(["zero_dce_pp", "zero_dce"], tmp_path / "pairs",
                           official_root=tmp_path / "official")
    assert list(report.scores) == [
        "zero_dce_pp", "zero_dce_pp as run", "zero_dce", "zero_dce as run",
        "official ZeroDCEpp_Epoch99.pth (zero_dce_pp)", "auto_gamma"]
    assert any("ZeroDCE_Epoch99.pth not found" in note for note in report.notes)
    pairs = real_pairs(tmp_path / "pairs")
    assert report.images == len(pairs)
    names = real_pair_names(tmp_path / "pairs")
    assert report.scores["auto_gamma"] == score_pairs(auto_gamma, pairs, names)
    assert report.scores["auto_gamma"].worst_ciede2000[0] in names
    for scores in report.scores.values():
        assert scores.images == len(pairs) and 5 < scores.psnr < 40 and 0 < scores.saturation_ratio
    table = report.format_table()
    assert "zero_dce_pp as run" in table and "sat" in table and "not found" in table
    assert set(scores_dict(report.scores["auto_gamma"])) == {
        "psnr", "ssim", "saturation_ratio", "chroma_ratio", "ciede2000", "output_luma"}


def test_evaluate_real_loads_a_given_checkpoint(tmp_path: Path, real_pairs_folder) -> None:
    identity = create_model("zero_dce_pp", channels=4)
    torch.nn.init.zeros_(identity.estimator.e_conv7.point_conv.weight)
    torch.nn.init.zeros_(identity.estimator.e_conv7.point_conv.bias)  # zero curves: output = input
    torch.save(make_checkpoint(identity, "zero_dce_pp"), tmp_path / "w.pt")
    report = evaluate_real(["zero_dce_pp"], tmp_path / "pairs", weights={"zero_dce_pp": tmp_path / "w.pt"},
                           official_root=tmp_path / "none")
    unchanged = score_pairs(lambda x: x, real_pairs(tmp_path / "pairs"))
    assert report.scores["zero_dce_pp"].psnr == pytest.approx(unchanged.psnr, abs=1e-4)

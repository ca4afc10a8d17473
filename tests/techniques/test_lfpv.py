"""LFPV: query shapes, updaters change the state in training only, plug-in on two models."""

from __future__ import annotations

import pytest
import torch

from llie_video.errors import UserError
from llie_video.models import create_model
from llie_video.techniques.config import LfpvConfig
from llie_video.techniques.lfpv import LfpvBank, LfpvUpdaters
from llie_video.techniques.plugin import LfpvLoss, attach_lfpv, find_bank

CONFIG = LfpvConfig(enabled=True, entries=4, patch=2, embedding=3, hidden=8)


def bank_with_updaters() -> tuple[LfpvBank, LfpvUpdaters]:
    torch.manual_seed(0)
    bank = LfpvBank(channels=6, entries=4, patch=2)
    updaters = LfpvUpdaters(6, CONFIG)
    bank.set_updaters(updaters)
    return bank, updaters


def test_fusion_shapes_for_batch_above_one_and_odd_sizes() -> None:
    bank, _ = bank_with_updaters()
    f = torch.randn(3, 6, 7, 9)
    out = bank.eval()(f)
    assert out.shape == f.shape
    assert not torch.allclose(out, f)
    with bank.bypassed():
        assert torch.equal(bank(f), f)


def test_updaters_change_the_state_in_training_and_learn() -> None:
    bank, updaters = bank_with_updaters()
    before = (bank.vectors.clone(), bank.patches.clone())
    out = bank.train()(torch.randn(2, 6, 8, 8))
    assert not torch.equal(bank.vectors, before[0]) and not torch.equal(bank.patches, before[1])
    out.square().sum().backward()
    for p in updaters.parameters():
        assert p.grad is not None
    assert updaters.vector_updater.sample_net[0].weight.grad.abs().sum() > 0
    assert updaters.patch_updater.mutual_net[0].weight.grad.abs().sum() > 0
    assert bank.vectors.grad is None


def test_eval_mode_runs_no_updater_and_keeps_the_state() -> None:
    bank, updaters = bank_with_updaters()
    calls: list[int] = []
    updaters.register_forward_hook(lambda *_: calls.append(1))
    before = bank.vectors.clone()
    bank.eval()(torch.randn(2, 6, 8, 8))
    with torch.no_grad():
        bank.train()(torch.randn(2, 6, 8, 8))
    assert calls == [] and torch.equal(bank.vectors, before)


@pytest.mark.parametrize(
    ("arch", "layer", "channels"),
    [("iat_lite", None, 16), ("zero_dce_pp", "estimator.e_conv4", 32)],
)
def test_plugin_on_two_models_adds_only_the_entries_to_inference(
    arch: str, layer: str | None, channels: int
) -> None:
    torch.manual_seed(0)
    model = create_model(arch)
    x = torch.rand(2, 3, 30, 34)
    plain = model(x, None)
    base_parameters = model.num_parameters()
    config = LfpvConfig(enabled=True, layer=layer)
    bank = attach_lfpv(model, config)
    assert find_bank(model) is bank and bank.channels == channels
    loss_term = LfpvLoss(bank, config)
    assert model.num_parameters() - base_parameters == 16 * channels + 16 * channels * 16
    assert not any(p is q for p in model.parameters() for q in loss_term.updaters.parameters())
    fused = model(x, None)
    assert fused.shape == plain.shape and not torch.allclose(fused, plain)
    with bank.bypassed():
        assert torch.allclose(model(x, None), plain)


def test_plugin_needs_a_layer() -> None:
    with pytest.raises(UserError, match="LFPV layer"):
        attach_lfpv(create_model("sci"), LfpvConfig(enabled=True))
    with pytest.raises(UserError, match="no layer"):
        attach_lfpv(create_model("sci"), LfpvConfig(enabled=True, layer="nowhere"))

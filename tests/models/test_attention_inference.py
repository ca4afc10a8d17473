"""IAT's inference graph computes the model's estimate (folded norms, attention and heads)."""

from __future__ import annotations

import pytest
import torch

from llie_video.models import create_model
from llie_video.models.attention_inference import IATInferenceGraph, PlainNorm, fold_norm
from llie_video.techniques.config import LfpvConfig
from llie_video.techniques.plugin import attach_lfpv

TOLERANCE = 1e-5


def _randomised(name: str, **kwargs: object) -> torch.nn.Module:
    """A model with every parameter drawn at random (the zero-initialised heads and norm
    affines included, so each folded term is exercised)."""
    torch.manual_seed(0)
    model = create_model(name, **kwargs)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(0.3 * torch.randn_like(parameter) + (parameter == 1).float())
    return model


@pytest.mark.parametrize("name", ["iat_lite", "iat_colour"])
def test_shipped_weights_give_the_same_maps(name: str) -> None:
    model = create_model(name, pretrained=True)
    x = torch.rand(1, 3, 54, 96)
    with torch.no_grad():
        expected = model.estimate(x)
        assert (model.inference_graph()(x) - expected).abs().max() <= TOLERANCE


@pytest.mark.parametrize("kwargs", [{}, {"adr": True, "heads": 4, "blocks": 1, "queries": 2}])
@pytest.mark.parametrize("name", ["iat_lite", "iat_colour"])
def test_random_weights_any_size_and_batch(name: str, kwargs: dict) -> None:
    """In float64, so that the folds are checked exactly (random weights drive activations far
    beyond trained ones, where float32 rounding alone reaches 1e-5)."""
    model = _randomised(name, **kwargs).double()
    x = torch.rand(2, 3, 23, 37, dtype=torch.float64)
    with torch.no_grad():
        expected = model.estimate(x)
        got = IATInferenceGraph(model, (model.colour_head,) if name == "iat_colour" else ())(x)
    assert got.shape == expected.shape == (2, model.param_channels, 23, 37)
    assert (got - expected).abs().max() <= 1e-9
    assert expected[:, :3].std() > 0.05  # the maps vary: a wrong fold would show


def test_fold_norm_matches_norm_then_conv() -> None:
    block = _randomised("iat_lite").trunk[0]
    x = torch.randn(1, 16, 5, 7)
    weight, bias = fold_norm(block.norm1, block.attention.qkv)
    with torch.no_grad():
        expected = block.attention.qkv(block.norm1(x))
        got = torch.nn.functional.conv2d(PlainNorm(16, block.norm1.norm.eps)(x), weight, bias)
    assert (got - expected).abs().max() <= TOLERANCE


def test_what_it_does_not_fold_has_no_graph() -> None:
    assert create_model("iat_lite", pog=True).inference_graph() is None
    banked = create_model("iat_lite")
    attach_lfpv(banked, LfpvConfig(enabled=True, entries=4, patch=4), 16)
    assert banked.inference_graph() is None
    assert create_model("zero_dce_pp").inference_graph() is None

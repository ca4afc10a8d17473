"""Every registered model: shapes, range, finiteness, gradients, estimate/render split."""

import pytest
import torch

from llie_video import UserError, create_model, list_models
from llie_video.models import register_model

MODELS = list_models()


def test_registry_lists_all_architectures():
    assert set(MODELS) >= {"zero_dce", "zero_dce_pp", "zero_dce_improved", "sci", "aux_retinex"}


def test_unknown_model_lists_known_ones():
    with pytest.raises(UserError, match="known models: .*zero_dce_pp"):
        create_model("nope")


def test_duplicate_registration_is_refused():
    with pytest.raises(ValueError):
        register_model("zero_dce")(lambda: None)


@pytest.mark.parametrize("name", MODELS)
def test_forward_shape_range_finite(name):
    torch.manual_seed(0)
    model = create_model(name)
    x = torch.rand(2, 3, 37, 53) * 0.3
    with torch.no_grad():
        y = model(x)
    assert y.shape == x.shape
    assert torch.isfinite(y).all()
    assert y.min() >= 0 and y.max() <= 1


@pytest.mark.parametrize("name", MODELS)
def test_estimate_render_split(name):
    model = create_model(name)
    x = torch.rand(1, 3, 32, 48)
    with torch.no_grad():
        params = model.estimate(x)
        assert params.shape == (1, model.param_channels, 32, 48)
        assert torch.allclose(model.render(x, params), model(x, long_side=None))


@pytest.mark.parametrize("name", MODELS)
def test_backward_reaches_every_parameter(name):
    model = create_model(name).train()
    x = torch.rand(2, 3, 24, 24) * 0.4
    model(x, long_side=None).mean().backward()
    for pname, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), pname


@pytest.mark.parametrize("name", MODELS)
def test_low_resolution_estimation_keeps_full_size(name):
    model = create_model(name)
    x = torch.rand(1, 3, 90, 160)
    with torch.no_grad():
        y = model(x, long_side=40)
    assert y.shape == x.shape


@pytest.mark.parametrize("name", MODELS)
def test_registered_figures_are_those_of_the_built_model(name):
    """``llie-video models`` shows the registered figures without building anything."""
    from llie_video.models import MODELS as REGISTRY

    figures = REGISTRY.get(name).figures
    model = create_model(name)
    assert figures is not None
    assert (figures.parameters, figures.estimation_long_side) == (
        model.num_parameters(), model.estimation_long_side)

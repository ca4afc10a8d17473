"""IAT-lite: shapes, parameter range, technique options, render matches the curve spec."""

from __future__ import annotations

import pytest
import torch

from llie_video.errors import UserError
from llie_video.models import create_model
from llie_video.models.attention import IATLite
from llie_video.ops.curves import apply_curves
from llie_video.ops.render_spec import RenderKind
from llie_video.techniques.adr import AttentionReallocation
from llie_video.techniques.pog import ParameterOrthogonalConv


@pytest.mark.parametrize("kwargs", [{}, {"pog": True}, {"adr": True}, {"pog": True, "adr": True}])
def test_estimate_shapes_and_range_for_batch_above_one(kwargs: dict) -> None:
    torch.manual_seed(0)
    model = create_model("iat_lite", channels=8, **kwargs)
    x = torch.rand(3, 3, 27, 41)
    params = model.estimate(x)
    assert params.shape == (3, 3, 27, 41)
    assert params.abs().max() <= 1
    out = model(torch.rand(3, 3, 60, 90))
    assert out.shape == (3, 3, 60, 90) and 0 <= out.min() and out.max() <= 1


def test_options_insert_the_techniques_where_they_belong() -> None:
    plain, both = IATLite(), IATLite(pog=True, adr=True, pog_dim=8)
    count = lambda m, kind: sum(isinstance(x, kind) for x in m.modules())  # noqa: E731
    assert count(plain, ParameterOrthogonalConv) == count(plain, AttentionReallocation) == 0
    assert count(both, ParameterOrthogonalConv) == 2  # one per block, in the gated mixer
    assert count(both, AttentionReallocation) == 3  # each block's attention and the global queries
    assert both.num_parameters() > plain.num_parameters()


def test_architecture_kwargs_rebuild_the_same_model() -> None:
    model = create_model("iat_lite", pog=True, adr=True, pog_dim=8)
    rebuilt = create_model("iat_lite", **model.architecture_kwargs())
    rebuilt.load_state_dict(model.state_dict())
    x = torch.rand(1, 3, 20, 24)
    assert torch.allclose(model.estimate(x), rebuilt.estimate(x))


def test_render_is_the_curve_render_its_spec_names() -> None:
    model = create_model("iat_lite")
    x, params = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8) * 2 - 1
    assert model.render_spec().kind == RenderKind.CURVES
    assert torch.allclose(model.render(x, params), apply_curves(x, params, 8))
    assert torch.allclose(model.render_(x.clone(), params), model.render(x, params), atol=1e-6)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="divisible"):
        IATLite(channels=10, heads=4)
    with pytest.raises(UserError, match="bad arguments"):
        create_model("zero_dce_pp", pog=True)


def test_colour_model_starts_as_iat_lite_from_its_weights(tmp_path) -> None:
    """IAT-colour extends IAT-lite: the lite checkpoint loads into it (the colour head left at
    the identity), and it then enhances exactly as IAT-lite does."""
    from llie_video.models.weights import load_partial_into, make_checkpoint

    torch.manual_seed(0)
    lite = create_model("iat_lite")
    path = tmp_path / "lite.pt"
    torch.save(make_checkpoint(lite, "iat_lite"), path)
    colour = create_model("iat_colour")
    assert load_partial_into(colour, path) == ["colour_head.weight", "colour_head.bias"]
    x = torch.rand(1, 3, 40, 64)
    params = colour.estimate(x)
    assert params.shape == (1, 15, 40, 64) and params[:, 3:].abs().max() == 0
    assert torch.allclose(colour(x), lite(x), atol=1e-6)


def test_colour_model_renders_curves_then_its_colour_transform() -> None:
    from llie_video.ops.colour_transform import apply_colour_transform

    model = create_model("iat_colour")
    x, params = torch.rand(2, 3, 8, 8), torch.rand(2, 15, 8, 8) * 2 - 1
    expected = apply_colour_transform(apply_curves(x, params[:, :3], 8), params[:, 3:])
    assert model.render_spec().colour_transform
    assert torch.allclose(model.render(x, params), expected)
    assert torch.allclose(model.render_(x.clone(), params), expected, atol=1e-6)


def test_a_checkpoint_of_another_architecture_is_refused_with_the_file_named(tmp_path) -> None:
    from llie_video.models.weights import make_checkpoint

    path = tmp_path / "wide.pt"
    torch.save(make_checkpoint(create_model("iat_colour", channels=8), "iat_colour"), path)
    state = torch.load(path, weights_only=True)
    state["model_kwargs"] = {}  # as if written by a model of another width
    torch.save(state, path)
    with pytest.raises(UserError, match=f"weights {path} do not fit model IATColour"):
        create_model("iat_colour", weights=path)

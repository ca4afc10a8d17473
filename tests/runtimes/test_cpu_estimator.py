"""The default CPU estimate route: ONNX Runtime gives the torch estimate within 1e-4 for every
shipped model that estimates at low resolution, at any frame size; torch where it must."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import torch

from llie_video.enhance.estimator import Estimator
from llie_video.enhance.temporal import TemporalState
from llie_video.models import create_model
from llie_video.models.base import estimation_scale
from llie_video.models.weights import Manifest
from llie_video.ops.resize import downscale
from llie_video.runtimes import cpu_estimator
from llie_video.runtimes.cpu_estimator import CpuEstimate, OnnxEstimate, cpu_estimate

pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
TOLERANCE = 1e-4
LOW_RESOLUTION = [name for name in sorted(Manifest.load().models)
                  if create_model(name).estimation_long_side is not None]


@pytest.fixture(autouse=True)
def _fresh_sessions():
    """Each test exports what it runs (some patch the exporter)."""
    cpu_estimator.forget_sessions()
    yield
    cpu_estimator.forget_sessions()


def test_a_new_route_of_the_same_weights_reuses_the_session(monkeypatch) -> None:
    exports = []
    export = cpu_estimator.onnx_bytes
    monkeypatch.setattr(cpu_estimator, "onnx_bytes", lambda *a: exports.append(1) or export(*a))
    x = torch.rand(1, 3, 36, 48)
    other = create_model("zero_dce_pp", pretrained=True)
    with torch.no_grad():
        next(other.parameters()).add_(0.01)
    routes = [OnnxEstimate(create_model("zero_dce_pp", pretrained=True), measure=False)
              for _ in range(2)] + [OnnxEstimate(other, measure=False)]
    with torch.inference_mode():
        first, again, _ = (route(x) for route in routes)
    assert torch.equal(first, again) and len(exports) == 2  # other weights: exported anew


def test_every_low_resolution_model_is_covered() -> None:
    assert {"iat_colour", "iat_lite", "zero_dce_pp"} <= set(LOW_RESOLUTION)
    assert "zero_dce" not in LOW_RESOLUTION  # estimates at full resolution


@pytest.mark.parametrize("name", LOW_RESOLUTION)
def test_matches_torch_at_the_estimation_size_and_another(name: str, test_image) -> None:
    model = create_model(name, pretrained=True)
    route = cpu_estimate(model)
    assert route.uses_onnxruntime
    route.onnx = OnnxEstimate(model, measure=False)  # ONNX Runtime at every size
    x_low = downscale(test_image, estimation_scale(*test_image.shape[-2:],
                                                   model.estimation_long_side))
    # as the stage hands it over (channels-last), then a frame of another size
    for x in (x_low.contiguous(memory_format=torch.channels_last), x_low[..., 3:, 5:]):
        with torch.inference_mode():
            expected = model.estimate(x)
            got = route(x)
        assert expected.abs().max() > 0
        assert got.shape == expected.shape and got.dtype == torch.float32
        assert (got - expected).abs().max() <= TOLERANCE
    assert len(route.onnx._sessions) == 2 and None not in route.onnx._sessions.values()


def test_small_inputs_stay_in_torch_without_an_export() -> None:
    model = create_model("zero_dce_pp", pretrained=True)
    route = cpu_estimate(model)
    x = torch.rand(1, 3, 16, 16)
    with torch.inference_mode():
        assert torch.equal(route(x), model.estimate(x))
    assert route.onnx is not None and not route.onnx._sessions


def test_torch_where_it_measures_faster(monkeypatch) -> None:
    monkeypatch.setattr(cpu_estimator, "runtime_is_faster", lambda *args: False)
    model = create_model("zero_dce_pp", pretrained=True)
    route = cpu_estimate(model)
    x = torch.rand(1, 3, 36, 48)
    with torch.inference_mode():
        assert torch.equal(route(x), model.estimate(x))
    assert route.uses_onnxruntime and route.onnx.session((1, 3, 36, 48)) is None


def test_follows_weights_changed_in_place() -> None:
    model = create_model("zero_dce_pp", pretrained=True)
    route = OnnxEstimate(model, measure=False)
    x = torch.rand(1, 3, 36, 48)
    with torch.inference_mode():
        before = route(x)
    with torch.no_grad():
        model.estimator.e_conv7.point_conv.bias.add_(0.5)
    with torch.inference_mode():
        after, expected = route(x), model.estimate(x)
    assert (after - before).abs().max() > 0.01
    assert (after - expected).abs().max() <= TOLERANCE


def test_follows_weights_replaced_and_submodules_swapped() -> None:
    model = create_model("zero_dce_pp", pretrained=True)
    route = OnnxEstimate(model, measure=False)
    x = torch.rand(1, 3, 36, 48)
    layer = model.estimator.e_conv7.point_conv
    with torch.inference_mode():
        before = route(x)
    state = {k: v + 0.5 if k == "estimator.e_conv7.point_conv.bias" else v
             for k, v in model.state_dict().items()}
    model.load_state_dict(state, assign=True)  # new tensors, not copied in place
    assert layer.bias._version == 0
    with torch.inference_mode():
        replaced, expected = route(x), model.estimate(x)
    assert (replaced - before).abs().max() > 0.01
    assert (replaced - expected).abs().max() <= TOLERANCE
    swapped = torch.nn.Conv2d(layer.in_channels, layer.out_channels, 1)
    with torch.no_grad():
        swapped.weight.copy_(layer.weight)
        swapped.bias.copy_(layer.bias - 0.5)
    model.estimator.e_conv7.point_conv = swapped
    with torch.inference_mode():
        after, expected = route(x), model.estimate(x)
    assert (after - before).abs().max() <= TOLERANCE  # the original bias again
    assert (after - expected).abs().max() <= TOLERANCE


def test_torch_for_gradients_full_resolution_models_and_without_onnxruntime(monkeypatch) -> None:
    model = create_model("zero_dce_pp", pretrained=True)
    x = torch.rand(1, 3, 12, 16)
    params = cpu_estimate(model)(x)  # gradients enabled: the torch forward, differentiable
    assert params.grad_fn is not None
    assert not cpu_estimate(create_model("zero_dce")).uses_onnxruntime
    monkeypatch.setattr(cpu_estimator, "onnxruntime_installed", lambda: False)
    route = cpu_estimate(model)
    assert not route.uses_onnxruntime
    with torch.inference_mode():
        assert torch.equal(route(x), model.estimate(x))


def test_an_export_failure_falls_back_to_torch_and_says_so_once(monkeypatch, caplog) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("no exporter")

    monkeypatch.setattr(cpu_estimator, "onnx_bytes", broken)
    model = create_model("sci", pretrained=True)
    route = cpu_estimate(model)
    x = torch.rand(1, 3, 36, 48)
    with caplog.at_level(logging.WARNING), torch.inference_mode():
        first, second = route(x), route(x)
        expected = model.estimate(x)
    assert torch.equal(first, expected) and torch.equal(second, expected)
    assert not route.uses_onnxruntime
    assert sum("no exporter" in record.getMessage() for record in caplog.records) == 1


def test_the_stage_estimator_uses_the_route() -> None:
    estimator = Estimator(create_model("iat_colour"), TemporalState())
    assert isinstance(estimator.forward, CpuEstimate) and estimator.forward.uses_onnxruntime
    with torch.inference_mode():
        estimator.forward(torch.zeros(1, 3, 27, 48))
    assert (1, 3, 27, 48) in estimator.forward.onnx._sessions


def test_preparing_a_stage_loads_the_runtime_before_any_frame() -> None:
    """A live job prepares its stage before the source opens: ONNX Runtime and the exporter
    (most of a first export's second) are loaded then, not on the first frame."""
    script = (
        "import sys, torch\n"
        "from llie_video import create_model\n"
        "from llie_video.enhance.stage import EnhanceStage\n"
        "stage = EnhanceStage(create_model('default', pretrained=True), torch.device('cpu'))\n"
        "assert 'onnxruntime' not in sys.modules\n"
        "stage.prepare()\n"
        "assert 'onnxruntime' in sys.modules\n"
        "print('loaded')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "loaded", out.stderr

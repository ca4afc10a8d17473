"""``llie-video export``: ONNX and TorchScript files that run at any size and match torch; a model
that cannot export says why in one line."""

import pytest
import torch

from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.export.api import ExportError, example_input, export_model
from llie_video.export.graphs import FullFrameGraph
from llie_video.export.torchscript import run_torchscript
from llie_video.models import create_model
from llie_video.models.base import EnhancementModel
from tests.helpers.cli import one_error_line

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def onnx_full_frame(tmp_path_factory):
    """The full-frame graphs of the default (curves and a colour transform), a curve model and a
    Retinex model, written by the command."""
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    folder = tmp_path_factory.mktemp("onnx")
    for name in ("iat_colour", "zero_dce_pp", "sci"):
        assert main(["export", name, str(folder / f"{name}.onnx")]) == 0
    return folder


@pytest.mark.parametrize("name", ["iat_colour", "zero_dce_pp", "sci"])
def test_onnx_full_frame_matches_torch_on_photos(onnx_full_frame, name, test_image):
    from llie_video.export.onnx import run_onnx

    graph = FullFrameGraph(create_model(name, pretrained=True))
    with torch.no_grad():
        expected = graph(test_image.clone())
    enhanced = run_onnx(onnx_full_frame / f"{name}.onnx", test_image)
    assert enhanced.shape == test_image.shape
    assert (enhanced - expected).abs().max() <= TOLERANCE
    assert (enhanced - test_image).mean() > 0.02  # it did brighten


def test_onnx_file_has_dynamic_sizes_and_says_what_it_holds(onnx_full_frame):
    import onnx

    from llie_video.export.onnx import run_onnx

    proto = onnx.load(str(onnx_full_frame / "zero_dce_pp.onnx"))
    (image,) = proto.graph.input
    dims = [d.dim_param or d.dim_value for d in image.type.tensor_type.shape.dim]
    assert dims[1] == 3 and all(isinstance(d, str) for d in (dims[0], dims[2], dims[3]))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["llie_video.model"] == "zero_dce_pp"
    assert meta["llie_video.graph"] == "full_frame"
    assert meta["llie_video.estimation_long_side"] == "96"
    for shape in [(3, 3, 40, 50), (1, 3, 1080 // 4, 1920 // 4), (1, 3, 301, 97)]:
        x = example_input(*shape[:1], *shape[2:])
        assert run_onnx(onnx_full_frame / "zero_dce_pp.onnx", x).shape == shape


@pytest.mark.parametrize("estimator_only", [False, True])
def test_torchscript_runs_at_any_size(tmp_path, estimator_only):
    model = create_model("iat_lite", pretrained=True)
    path = tmp_path / "m.pt"
    args = ["export", "iat_lite", str(path), "--format", "torchscript"]
    assert main(args + (["--estimator-only"] if estimator_only else [])) == 0
    x = example_input(2, 77, 190)
    with torch.no_grad():
        expected = model.estimate(x) if estimator_only else FullFrameGraph(model)(x.clone())
    assert (run_torchscript(path, x) - expected).abs().max() <= TOLERANCE


class _FixedWidth(EnhancementModel):
    """A model whose estimate takes a size as a plain number: every exporter records the
    example's width, and the graph fails at any other."""

    param_channels = 3
    estimation_long_side = 32

    def estimate(self, x_low):
        width = int(x_low.shape[-1])
        return x_low * 0.5 + torch.zeros(width)

    def render(self, x, params):
        return (x + params).clamp(0, 1)


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_a_model_that_cannot_export_says_why_in_one_line(tmp_path, fmt):
    if fmt == "onnx":
        pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    target = tmp_path / "m.out"
    with pytest.raises(ExportError) as error:
        export_model(_FixedWidth(), target, fmt)
    message = str(error.value)
    assert message.startswith(f"cannot export _FixedWidth to {fmt}: ") and "\n" not in message
    assert "fails on a 1x3x120x88 input" in message
    assert not target.exists() and not list(tmp_path.iterdir())


def test_user_mistakes_exit_2(tmp_path, capsys):
    existing = tmp_path / "m.pt"
    existing.write_bytes(b"keep")
    for args in (["export", "nope", str(tmp_path / "x.pt")],
                 ["export", "sci", str(existing), "--format", "torchscript"],
                 ["export", "sci", str(tmp_path / "x.pt"), "--format", "tflite"]):
        assert main(args) == EXIT_USER_ERROR
        one_error_line(capsys)
    assert existing.read_bytes() == b"keep"

"""Estimator backends by name: the CLI's choices, the job config's check and build_stage all
read the one table."""

import pytest

from llie_video import create_model
from llie_video.cli import main
from llie_video.job_config import RuntimeConfig
from llie_video.runtimes.backends import BACKENDS


def test_torch_runs_the_model_as_built():
    model = create_model("zero_dce_pp")
    assert BACKENDS.get("torch").wrap(model, 1) is model


def test_an_unknown_backend_is_refused_by_the_config_and_the_cli(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown backend 'tvm'; known: torch, onnxruntime"):
        RuntimeConfig(backend="tvm")
    assert main(["in.mp4", str(tmp_path / "out.mp4"), "--backend", "tvm"]) == 2
    assert "invalid choice: 'tvm'" in capsys.readouterr().err

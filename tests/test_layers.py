"""Layers point down (ops <- models <- enhancement core <- video, training <- cli, gui): no module
imports from a layer above it; training's as-run evaluation uses the core without the video
package; techniques plug into models without importing training."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("module", "forbidden"), [
    # ops is the pure array layer: no PyAV frames either
    ("llie_video.ops", ("llie_video.models", "llie_video.enhance", "llie_video.video",
                        "llie_video.training", "av")),
    ("llie_video.models", ("llie_video.enhance", "llie_video.video", "llie_video.training")),
    ("llie_video.techniques.plugin", ("llie_video.training", "llie_video.video")),
    ("llie_video.techniques.install", ("llie_video.training", "llie_video.video")),
    ("llie_video.enhance", ("llie_video.video", "llie_video.training", "llie_video.cli")),
    ("llie_video.training.evaluate", ("llie_video.video", "llie_video.cli")),
    ("llie_video.training.real_validation", ("llie_video.video", "llie_video.cli")),
])
def test_module_imports_nothing_from_the_layers_above(module, forbidden):
    """``module`` and, for a package, every module in it."""
    code = (f"import importlib, pkgutil, sys, {module} as top; "
            "[importlib.import_module(m.name) for m in "
            "pkgutil.walk_packages(getattr(top, '__path__', []), top.__name__ + '.')]; "
            f"print(sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') "
            f"for f in {forbidden!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_training_as_run_evaluation_uses_the_core_without_the_video_package():
    code = ("import sys, torch; from llie_video.training.evaluate import stage_enhancer; "
            "from llie_video import create_model; "
            "enhance = stage_enhancer(create_model('iat_lite')); "
            "out = enhance(torch.rand(1, 3, 24, 32) * 0.2); "
            "print(tuple(out[0].shape), sorted(m for m in sys.modules "
            "if m.startswith('llie_video.video')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(3, 24, 32) []"

"""``--backend onnxruntime``: the model's estimator runs in ONNX Runtime, the rest as usual.

:class:`OnnxRuntimeModel` is an :class:`~llie_video.models.base.EnhancementModel` whose
:meth:`estimate` runs the exported estimator (:mod:`llie_video.export`) in an ONNX Runtime
session on the CPU; rendering, and so the video stage's fused kernel, stays the model's own. The
estimator is exported once per set of weights into a cache folder (``$LLIE_VIDEO_CACHE``, else
``$XDG_CACHE_HOME/llie-video``, else ``~/.cache/llie-video``) and reused from there.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch

from llie_video.export.api import export_model
from llie_video.export.onnx import INPUT_NAME
from llie_video.models.base import EnhancementModel
from llie_video.ops.render_spec import RenderSpec
from llie_video.optional import require

_EXPORT_REVISION = "1"  # bump when the exported estimator graph changes


def cache_dir() -> Path:
    """Where exported estimators are kept."""
    root = os.environ.get("LLIE_VIDEO_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "llie-video"


def weights_digest(model: EnhancementModel) -> str:
    """A digest of what the estimator computes: architecture, arguments, weights, torch."""
    digest = hashlib.sha256()
    header = {"class": type(model).__name__, "kwargs": model.architecture_kwargs(),
              "torch": torch.__version__.split("+")[0], "revision": _EXPORT_REVISION}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for key, tensor in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().float().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def cached_estimator(model: EnhancementModel) -> Path:
    """The ONNX estimator of ``model`` in the cache, exported first if it is not there yet
    (seconds; concurrent exports of the same model each write their own temporary file)."""
    require("onnxruntime", "onnx")
    name = getattr(model, "registry_name", type(model).__name__)
    path = cache_dir() / "onnx" / f"{name}-{weights_digest(model)}-estimator.onnx"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        export_model(model, path, "onnx", estimator_only=True, overwrite=True)
    return path


def cpu_session(graph: str | bytes, threads: int = 1) -> Any:
    """An ONNX Runtime session on the CPU for ``graph`` (a file's path, or the serialised
    model), all graph optimisations, ``threads`` intra-op threads, no inter-op threads."""
    ort = require("onnxruntime", "onnx")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # errors are raised; do not also print them
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


class OnnxRuntimeModel(EnhancementModel):
    """``model`` with its estimator run by ONNX Runtime (CPU, ``threads`` intra-op threads).

    ``estimate`` takes ``(B, 3, h, w)`` on any device and dtype and returns ``(B, P, h, w)`` on
    the same; render and the render spec are ``model``'s.
    """

    estimates_in_torch = False

    def __init__(self, model: EnhancementModel, onnx_path: Path, threads: int = 1) -> None:
        super().__init__()
        self.inner = model.eval()
        self.param_channels = model.param_channels  # type: ignore[misc]
        self.estimation_long_side = model.estimation_long_side  # type: ignore[misc]
        self.registry_name = getattr(model, "registry_name", type(model).__name__)
        self.display_name = f"{type(model).__name__}, estimator in ONNX Runtime"
        self.session = cpu_session(str(onnx_path), threads)

    def estimate(self, x_low: torch.Tensor) -> torch.Tensor:
        array = x_low.detach().to("cpu", torch.float32).contiguous().numpy()
        params = self.session.run(None, {INPUT_NAME: array})[0]
        return torch.from_numpy(params).to(x_low.device, x_low.dtype)

    def render(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        return self.inner.render(x, params)

    def render_(self, x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
        return self.inner.render_(x, params)

    def render_spec(self) -> RenderSpec | None:
        return self.inner.render_spec()

    def architecture_kwargs(self) -> dict[str, object]:
        return self.inner.architecture_kwargs()


def onnxruntime_model(model: EnhancementModel, threads: int = 1) -> OnnxRuntimeModel:
    """``model`` with its estimator exported (or taken from the cache) and run by ONNX Runtime."""
    return OnnxRuntimeModel(model, cached_estimator(model), threads)

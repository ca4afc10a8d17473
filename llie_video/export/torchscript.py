"""TorchScript export: the graph traced once; its sizes stay dynamic.

TorchScript is deprecated in recent torch (2.13 warns on every ``torch.jit`` call): it is here for
runtimes that still load it (libtorch in C++); prefer ONNX.

While tracing, a tensor's sizes are themselves traced tensors, and the graphs compute sizes and
resampling coordinates from them with tensor operations (:mod:`llie_video.export.graphs`), so the
traced file runs at any batch, height and width (checked at another size after export).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn


def write_torchscript(graph: nn.Module, example: torch.Tensor, path: Path) -> None:
    """Trace ``graph`` on ``example`` ``(N, 3, H, W)`` and save it to ``path``."""
    with warnings.catch_warnings(), torch.no_grad():
        # tracer warnings about sizes (traced here), and torch 2.13 deprecating TorchScript
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(graph, (example,), check_trace=False)
        torch.jit.save(traced, str(path))


def run_torchscript(path: Path, image: torch.Tensor) -> torch.Tensor:
    """Load a traced file and run it on ``image`` ``(N, 3, H, W)``."""
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        return torch.jit.load(str(path), map_location="cpu")(image)

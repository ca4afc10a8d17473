"""``llie-video export``: write a model as ONNX or TorchScript, checked against torch.

The file is written under a temporary name, run at a second size (other batch, height, width
and aspect ratio than the export example) and compared with the torch graph, then renamed: a
file that exists is one that runs. A model that cannot export fails with one line saying why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from llie_video import __version__
from llie_video.errors import UserError
from llie_video.export.graphs import export_graph
from llie_video.models.base import EnhancementModel
from llie_video.output_paths import check_output_path, partial_path

ExportFormat = Literal["onnx", "torchscript"]
FORMATS: tuple[ExportFormat, ...] = ("onnx", "torchscript")
# the torch graph and the exported one agree to float rounding; ~1e-6 on photos
CHECK_TOLERANCE = 1e-4


class ExportError(UserError):
    """A model that cannot be exported (the message says why, in one line)."""


@dataclass(frozen=True)
class ExportResult:
    """What was written and how closely it matched torch at the check size."""

    path: Path
    max_difference: float


def example_input(batch: int, height: int, width: int, seed: int = 0) -> torch.Tensor:
    """A dark, smooth, slightly noisy frame batch ``(batch, 3, height, width)`` in [0, 1]: what
    the models are made for (uniform noise would exercise nothing they meet)."""
    generator = torch.Generator().manual_seed(seed)
    ramp_y = torch.linspace(0.02, 0.25, height).view(1, 1, height, 1)
    ramp_x = torch.linspace(0.5, 1.0, width).view(1, 1, 1, width)
    tint = torch.tensor([1.0, 0.9, 0.75]).view(1, 3, 1, 1)
    noise = 0.01 * torch.randn(batch, 3, height, width, generator=generator)
    return (ramp_y * ramp_x * tint + noise).clamp(0.0, 1.0)


def export_model(model: EnhancementModel, target: Path, fmt: ExportFormat,
                 estimator_only: bool = False, overwrite: bool = False) -> ExportResult:
    """Export ``model``'s full-frame graph (or its estimator alone) to ``target`` as ``fmt``."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    check_output_path(target, overwrite)
    model = model.float().eval()
    graph = export_graph(model, estimator_only)
    name = getattr(model, "registry_name", type(model).__name__)
    # the example is small and odd-sized so that nothing is specialised to a common size
    example, check = example_input(2, 67, 101), example_input(1, 120, 88, seed=1)
    temp = partial_path(target)
    failed = f"cannot export {name} to {fmt}"
    size = "x".join(map(str, check.shape))
    try:
        try:
            _write(graph, example, temp, fmt, name, model, estimator_only)
        except UserError:
            raise
        except Exception as exc:  # the exporters raise many types
            raise ExportError(f"{failed}: {_reason(exc)}") from None
        try:
            exported = _run(temp, check, fmt)
        except Exception as exc:  # noqa: BLE001 - so do the runtimes
            raise ExportError(f"{failed}: the exported graph fails on a {size} input "
                              f"(sizes fixed at export?): {_reason(exc)}") from None
        with torch.no_grad():
            expected = graph(check.clone())
        if exported.shape != expected.shape:
            raise ExportError(f"{failed}: the exported graph gives {tuple(exported.shape)} for a "
                              f"{size} input, torch {tuple(expected.shape)}")
        difference = float((exported - expected).abs().max())
        if not difference <= CHECK_TOLERANCE:
            raise ExportError(f"{failed}: the exported graph differs from torch by "
                              f"{difference:.2g} on a {size} input (over {CHECK_TOLERANCE:g})")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return ExportResult(target, difference)


def _write(graph: torch.nn.Module, example: torch.Tensor, path: Path, fmt: ExportFormat,
           name: str, model: EnhancementModel, estimator_only: bool) -> None:
    if fmt == "torchscript":
        from llie_video.export.torchscript import write_torchscript

        write_torchscript(graph, example, path)
        return
    from llie_video.export.onnx import write_onnx

    long_side = model.estimation_long_side
    metadata = {
        "llie_video.model": name,
        "llie_video.version": __version__,
        "llie_video.graph": "estimator" if estimator_only else "full_frame",
        "llie_video.estimation_long_side": "full" if long_side is None else str(long_side),
        "llie_video.input": "image: float32 RGB in [0, 1], (N, 3, H, W)",
        "llie_video.output": (f"params: ({model.param_channels} channels, the input's size)"
                              if estimator_only else "enhanced: float32 RGB, the input's size"),
    }
    write_onnx(graph, example, path, "params" if estimator_only else "enhanced", metadata)


def _run(path: Path, image: torch.Tensor, fmt: ExportFormat) -> torch.Tensor:
    if fmt == "torchscript":
        from llie_video.export.torchscript import run_torchscript

        return run_torchscript(path, image)
    from llie_video.export.onnx import run_onnx

    return run_onnx(path, image)


def _reason(exc: BaseException) -> str:
    """One line of an exporter's or runtime's error: the first, or for TorchScript's
    interpreter (whose first line only says that something failed) the error it names."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    named = [line for line in lines if line.startswith(("RuntimeError:", "ValueError:"))]
    if lines[0].startswith("The following operation failed") and named:
        return named[-1]
    return lines[0]

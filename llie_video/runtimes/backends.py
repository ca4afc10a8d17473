"""What runs a model's estimator (``--backend NAME``), by name.

A backend turns a built model into the model a job runs (``wrap``), and may prepare what every
worker of a batch will load (``prepare``, run once before they start). A new backend is its own
module and one registration line here; the CLI's choices and the job config's check read this
table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llie_video.registry import Registry

if TYPE_CHECKING:
    from llie_video.models.base import EnhancementModel

Wrap = Callable[["EnhancementModel", int], "EnhancementModel"]


def _unchanged(model: EnhancementModel, threads: int) -> EnhancementModel:
    return model


def _nothing_to_prepare(model: EnhancementModel) -> None:
    return None


@dataclass(frozen=True)
class Backend:
    """One way to run the estimator.

    Attributes:
        description: a few words for the ``--backend`` help.
        wrap: ``(model, threads) -> model as run`` (``threads``: its CPU threads).
        prepare: done once before a batch's workers start (an export they then only load).
    """

    description: str
    wrap: Wrap = _unchanged
    prepare: Callable[[EnhancementModel], object] = _nothing_to_prepare


def _onnxruntime_model(model: EnhancementModel, threads: int) -> EnhancementModel:
    from llie_video.runtimes.onnxruntime import onnxruntime_model

    return onnxruntime_model(model, threads)


def _export_estimator(model: EnhancementModel) -> object:
    from llie_video.runtimes.onnxruntime import cached_estimator

    return cached_estimator(model)


BACKENDS: Registry[Backend] = Registry("backend")
BACKENDS.register("torch", Backend("torch (default)"))
BACKENDS.register("onnxruntime", Backend("ONNX Runtime on the CPU (pip install "
                                         "'llie-video[onnx]')", _onnxruntime_model,
                                         _export_estimator))

"""Run checkpoints (with optimizer state, for resuming) and the exported weights file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

LAST_CHECKPOINT = "last.pt"


def save_atomic(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` to a temporary file in ``path``'s folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    torch.save(state, temp)
    os.replace(temp, path)


def load_run_checkpoint(path: Path) -> dict[str, Any]:
    """A run checkpoint written by the trainer (CPU tensors)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def strip_training_state(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The inference checkpoint ``{"arch", "model_kwargs", "params", "params_ema", "config",
    "step"}``: the run checkpoint without optimizer state or auxiliary training modules.

    The EMA weights (what inference loads) become ``params`` and ``params_ema`` is None, which
    halves the shipped file; the raw weights stay in the run folder's ``last.pt``.
    """
    keys = ("arch", "model_kwargs", "config", "step")
    stripped = {k: checkpoint[k] for k in keys}
    stripped["params"] = checkpoint.get("params_ema") or checkpoint["params"]
    stripped["params_ema"] = None
    return stripped

"""Entry points for the command line: ``train_from_config`` and ``evaluate``."""

from __future__ import annotations

from pathlib import Path

from llie_video.config import load_config
from llie_video.training.config import TrainConfig
from llie_video.training.evaluate import EvaluationReport, evaluate
from llie_video.training.export import export_run
from llie_video.training.sources import build_source
from llie_video.training.trainer import run_training


def train_from_config(path: str, overrides: list[str]) -> Path:
    """Train from the YAML config at ``path`` with ``key=value`` overrides; resume from the run
    folder's last checkpoint if there is one. Returns the exported weights file when
    ``export.enabled``, else the run's last checkpoint."""
    config = load_config(TrainConfig, path, overrides)
    last = run_training(config, build_source(config.data))
    if not config.export.enabled:
        return last
    return export_run(last, config, str(path))


__all__ = ["EvaluationReport", "evaluate", "train_from_config"]

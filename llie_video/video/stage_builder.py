"""``build_stage``: the model and enhance stage a job config describes, as every job builds it.

The CLI, the batch workers and the preview build their stage here, so ``--weights``, the
backend, the device and the threads mean the same everywhere.
"""

from __future__ import annotations

import torch

from llie_video.enhance.stage import EnhanceStage
from llie_video.job_config import JobConfig
from llie_video.models import create_model
from llie_video.models.base import EnhancementModel
from llie_video.runtimes.backends import BACKENDS
from llie_video.video.device import select_device, select_dtype


def configure_cpu_threads(device: torch.device, threads: int) -> None:
    """On the CPU, limit torch's intra-op threads so the codec threads keep their cores (the
    fused kernel's threads are the stage's ``kernel_threads``)."""
    if device.type == "cpu" and threads > 0:
        torch.set_num_threads(threads)


def build_stage(config: JobConfig, threads: int | None = None) -> EnhanceStage:
    """The model and enhance stage ``config`` describes, on its device, with its backend;
    ``threads`` (default: the config's) for torch, the fused kernel and the backend."""
    threads = config.runtime.threads if threads is None else threads
    device = select_device(config.runtime.device)
    configure_cpu_threads(device, threads)
    model = create_model(config.model.name, pretrained=config.model.weights is None,
                         weights=config.model.weights)
    model = BACKENDS.get(config.runtime.backend).wrap(model, threads)
    return EnhanceStage(model, device, select_dtype(device, config.runtime.half), config.enhance,
                        kernel_threads=threads)


def describe_model(model: EnhancementModel) -> str:
    """``ZeroDCEPP (10,561 parameters)``."""
    name = getattr(model, "display_name", type(model).__name__)
    return f"{name} ({model.num_parameters():,} parameters)"

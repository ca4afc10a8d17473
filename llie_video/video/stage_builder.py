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
    ``threads`` (default: the config's) for torch, the fused kernel and the backend. Two or
    more threads on the fused CPU route render ahead: the estimate (torch or the backend, on
    one thread) of the next frame runs beside this frame's pass, which the kernel splits in
    bands of rows over the other ``threads - 1`` (:mod:`llie_video.enhance.render_ahead`); a
    live source, whose frames are collected at once, gets the pass on all of them. One thread
    does both in turn."""
    threads = config.runtime.threads if threads is None else threads
    device = select_device(config.runtime.device)
    model = create_model(config.model.name, pretrained=config.model.weights is None,
                         weights=config.model.weights)
    ahead = device.type == "cpu" and threads >= 2 and model.render_spec() is not None
    estimate_threads = 1 if ahead else threads
    configure_cpu_threads(device, estimate_threads)
    model = BACKENDS.get(config.runtime.backend).wrap(model, estimate_threads)
    return EnhanceStage(model, device, select_dtype(device, config.runtime.half), config.enhance,
                        kernel_threads=threads, render_ahead=ahead)


def describe_model(model: EnhancementModel) -> str:
    """``ZeroDCEPP (10,561 parameters)``."""
    name = getattr(model, "display_name", type(model).__name__)
    return f"{name} ({model.num_parameters():,} parameters)"

"""``enhance_video``: one file in, one enhanced file out, through the threaded pipeline."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from llie_video.errors import UserError
from llie_video.job_config import JobConfig
from llie_video.models import create_model
from llie_video.models.base import EnhancementModel
from llie_video.video.device import select_device, select_dtype
from llie_video.video.frame import Frame
from llie_video.video.pipeline import Pipeline, PipelineStats
from llie_video.output_paths import check_output_path
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import FileSource, StreamInfo
from llie_video.enhance.stage import EnhanceStage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    """What a finished (or interrupted) job did."""

    output: Path
    frames: int
    interrupted: bool
    stats: PipelineStats


def enhance_video(
    source_path: str | Path,
    target_path: str | Path,
    stage: EnhanceStage,
    encoder: EncoderSettings | None = None,
    overwrite: bool = False,
    on_start: Callable[[StreamInfo], None] | None = None,
    on_frame: Callable[[Frame], None] | None = None,
    on_pipeline: Callable[[Pipeline], None] | None = None,
) -> JobResult:
    """Enhance ``source_path`` into ``target_path`` with ``stage``.

    The encoder is tried before decoding starts; the stage renders at its bit depth (10-bit
    planes for a 10-bit output). Every audio and subtitle track, the chapters and the file's
    metadata are kept (:mod:`llie_video.video.stream_routes`), timestamps and rotation too. The target is written under a
    temporary name and renamed on success; an existing target is kept unless ``overwrite``.
    ``on_pipeline`` receives the pipeline before it runs (to call ``stop()`` from elsewhere); a
    stopped job still writes, and keeps, what it processed.
    """
    target = Path(target_path)
    if Path(source_path).resolve() == target.resolve():
        raise UserError("input and output are the same file")
    check_output_path(target, overwrite)
    with FileSource(source_path, decoded_frames=stage.prefers_planes) as source:
        info = source.info()
        sink = FileSink(target, info, encoder or EncoderSettings())
        stage.output_bit_depth = sink.bit_depth
        pipeline = Pipeline(source, stage, sink, on_frame=on_frame)
        if on_pipeline is not None:
            on_pipeline(pipeline)
        if on_start is not None:
            on_start(info)
        try:
            stats = pipeline.run()
        except KeyboardInterrupt:
            sink.close(keep=True)  # aborted by a second Ctrl-C: keep what was encoded
            raise
        except BaseException:
            sink.close(keep=False)
            raise
        sink.close(keep=True)
    if sink.frames_written == 0:
        raise UserError(f"{source_path}: no video frames could be decoded")
    return JobResult(target, sink.frames_written, pipeline.interrupted, stats)


def configure_cpu_threads(device: torch.device, threads: int) -> None:
    """On the CPU, limit torch's intra-op threads so the codec threads keep their cores (the
    fused kernel's threads are the stage's ``kernel_threads``)."""
    if device.type == "cpu" and threads > 0:
        torch.set_num_threads(threads)


def build_stage(config: JobConfig, threads: int | None = None) -> EnhanceStage:
    """The model and enhance stage ``config`` describes, on its device, with its backend;
    ``threads`` (default: the config's) for torch, the fused kernel and ONNX Runtime."""
    threads = config.runtime.threads if threads is None else threads
    device = select_device(config.runtime.device)
    configure_cpu_threads(device, threads)
    model = create_model(config.model.name, pretrained=config.model.weights is None,
                         weights=config.model.weights)
    if config.runtime.backend == "onnxruntime":
        from llie_video.runtimes.onnxruntime import onnxruntime_model

        model = onnxruntime_model(model, threads)
    return EnhanceStage(model, device, select_dtype(device, config.runtime.half), config.enhance,
                        kernel_threads=threads)


def describe_model(model: EnhancementModel) -> str:
    """``ZeroDCEPP (10,561 parameters)``."""
    name = getattr(model, "display_name", type(model).__name__)
    return f"{name} ({model.num_parameters():,} parameters)"

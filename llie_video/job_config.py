"""The enhancement job's typed configuration (``--config file.yaml``, CLI options override it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from llie_video.enhance.settings import DEFAULT_LONG_SIDE, EnhanceSettings
from llie_video.runtimes.backends import BACKENDS
from llie_video.video.encoders import EncoderSettings


@dataclass(frozen=True)
class ModelConfig:
    """Which model and weights: ``name`` from ``llie-video models``; ``weights`` a checkpoint file
    (the shipped weights when omitted)."""

    name: str = "default"
    weights: str | None = None


@dataclass(frozen=True)
class RuntimeConfig:
    """Where to compute: ``device`` auto|cpu|cuda; ``half`` fp16 on CUDA (None: auto);
    ``threads`` CPU threads of the enhance stage, torch and the fused kernel (1 leaves the other
    cores to the codec); ``backend`` what runs the model's estimator, a name of
    :data:`~llie_video.runtimes.backends.BACKENDS`: torch, or ONNX Runtime (the ``onnx``
    extra)."""

    device: str = "auto"
    half: bool | None = None
    threads: int = 1
    backend: str = "torch"

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; known: "
                             f"{', '.join(BACKENDS.names())}")


@dataclass(frozen=True)
class JobConfig:
    """Everything an enhancement job needs besides its input and output paths."""

    model: ModelConfig = field(default_factory=ModelConfig)
    enhance: EnhanceSettings = field(default_factory=EnhanceSettings)
    encoder: EncoderSettings = field(default_factory=EncoderSettings)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)


__all__ = ["DEFAULT_LONG_SIDE", "JobConfig", "ModelConfig", "RuntimeConfig"]

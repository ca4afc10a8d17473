"""Typed training configuration, loaded strictly from ``configs/train/*.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from llie_video.data.degradation import DegradationConfig
from llie_video.losses.zero_reference import ZeroReferenceWeights
from llie_video.techniques.config import TechniquesConfig

DataKind = Literal["synthetic", "paired", "unpaired", "video"]


@dataclass(frozen=True)
class ModelConfig:
    """Architecture to train: a registry name and its constructor arguments (checked by the
    model's factory, which rejects unknown ones), and the weights to start from. With
    ``init_partial``, ``init_weights`` may be those of a model this one extends (a new head):
    what they hold must fit, what they lack keeps its initialisation."""

    arch: str = "zero_dce_pp"
    kwargs: Any = None
    init_weights: Path | None = None
    init_partial: bool = False

    def __post_init__(self) -> None:
        if self.kwargs is not None and not (
            isinstance(self.kwargs, dict) and all(isinstance(k, str) for k in self.kwargs)
        ):
            raise ValueError(f"model.kwargs must be a mapping of argument names, got {self.kwargs!r}")


@dataclass(frozen=True)
class DataConfig:
    """Where the training samples come from.

    Attributes:
        kind: ``synthetic`` (well-exposed images of ``root`` plus :class:`DegradationConfig`),
            ``paired`` (``root/low`` + ``root/high``), ``unpaired`` (images of ``root``),
            ``video`` (frames of the video files in ``root``).
        split: which part of the hash split of :mod:`llie_video.data.splits` (for real pairs, the
            part at ``REAL_HELD_OUT_FRACTION``: ``train`` never contains a held-out pair).
        luma_range: well-exposed mean luma range (of 255) for the synthetic source.
        synthetic_share: for ``paired``, the share of samples drawn instead from synthetic pairs
            (train split of ``synthetic_root``, ``luma_range``, ``degradation``); 0: real only.
    """

    kind: DataKind = "synthetic"
    root: Path = Path("../shared/data/train/sice_zero_dce")
    split: Literal["train", "all"] = "train"
    crop: int = 256
    batch_size: int = 8
    luma_range: tuple[float, ...] = (90.0, 170.0)
    degradation: DegradationConfig = field(default_factory=DegradationConfig)
    frames_per_video: int = 16
    synthetic_share: float = 0.0
    synthetic_root: Path = Path("../shared/data/train/sice_zero_dce")

    def __post_init__(self) -> None:
        if not 0.0 <= self.synthetic_share < 1.0:
            raise ValueError(f"data.synthetic_share must be within 0..1 (1 excluded), got {self.synthetic_share}")


@dataclass(frozen=True)
class SupervisedTerms:
    """Weights of the supervised terms (needs pairs): L1, ``1 - SSIM``, colour angle, CIELAB
    ``(a*, b*)`` distance and chroma ratio (:mod:`llie_video.losses.supervised`)."""

    l1: float = 1.0
    ssim: float = 0.0
    colour: float = 0.0
    lab: float = 0.0
    chroma: float = 0.0


@dataclass(frozen=True)
class SciTerms:
    """SCI's stage training: ``fidelity * ||L_t - S_t||^2 + smoothness * edge-aware TV`` per stage,
    with the self-calibrated block (``calibration_*``) used in training only."""

    stages: int = 3
    fidelity: float = 1.5
    smoothness: float = 1.0
    calibration_channels: int = 16
    calibration_blocks: int = 3


@dataclass(frozen=True)
class ObjectiveConfig:
    """The training objective: a weighted sum of the three families (weight 0: not computed)."""

    supervised: float = 1.0
    zero_reference: float = 0.0
    sci: float = 0.0
    lit_colour: float = 0.0  # keep the hue of well-exposed colourful input pixels (no target)
    supervised_terms: SupervisedTerms = field(default_factory=SupervisedTerms)
    zero_reference_terms: ZeroReferenceWeights = field(default_factory=ZeroReferenceWeights)
    sci_terms: SciTerms = field(default_factory=SciTerms)

    def __post_init__(self) -> None:
        if self.supervised <= 0 and self.zero_reference <= 0 and self.sci <= 0:
            raise ValueError("objective: at least one of supervised, zero_reference, sci must be > 0")


@dataclass(frozen=True)
class OptimConfig:
    """Adam, a cosine learning-rate decay to ``lr * final_lr_fraction``, EMA of the weights.

    ``estimation_long_sides``: per step, the model estimates its parameters on the input
    downscaled to one of these long sides (drawn at random; ``null``: full resolution), as the
    video stage does at inference.
    """

    steps: int = 1000
    lr: float = 1e-3
    weight_decay: float = 0.0
    final_lr_fraction: float = 0.1
    grad_clip: float = 0.1
    ema_decay: float = 0.99
    estimation_long_sides: tuple[int | None, ...] = (None,)


@dataclass(frozen=True)
class ExportConfig:
    """What the final export writes and records in ``weights/MANIFEST.json``.

    ``fit_output_gamma``: for curve models, choose the output gamma with the best PSNR on
    ``calibration_images`` synthetic pairs from the *train* split before exporting.

    ``validation_root``: SICE folder of the synthetic validation figures;
    ``real_validation_root``: LOL-layout folder whose held-out pairs give the ``real_validation``
    figures (model alone and as run); either is skipped when absent or None.

    ``official_weights`` (recorded as ``official``) and ``more_official_weights`` (recorded as
    ``official_<file stem>``): the original authors' checkpoints scored beside ours on the
    validation set; ``official_arch``: their architecture when it is not ours (no official
    checkpoint of ours exists and the closest official model is compared instead).
    """

    enabled: bool = True
    weights_dir: Path | None = None
    make_default: bool = False
    data: str = ""
    licence: str = ""
    notes: str = ""
    validation_root: Path | None = Path("../shared/data/train/sice_zero_dce")
    real_validation_root: Path | None = Path("../shared/data/real_pairs/lol_train")
    official_weights: Path | None = None
    more_official_weights: tuple[Path, ...] = ()
    official_arch: str | None = None
    fit_output_gamma: bool = False
    calibration_images: int = 40


@dataclass(frozen=True)
class TrainConfig:
    """A training run."""

    name: str = "run"
    seed: int = 0
    device: str = "auto"
    threads: int = 1
    run_dir: Path = Path("runs/run")
    checkpoint_every: int = 100
    log_every: int = 10
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    techniques: TechniquesConfig = field(default_factory=TechniquesConfig)

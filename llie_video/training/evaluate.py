"""Evaluation: PSNR/SSIM on pairs, brightness and colour statistics on unpaired images, model
size and speed, with the auto-gamma baseline alongside.

An *enhancer* maps ``(B, 3, H, W)`` in [0, 1] to the same shape; :func:`model_enhancer` wraps a
model and :func:`auto_gamma` is the classical baseline every shipped model must beat.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import torch

from llie_video.colour_figures import chroma_ratio, farthest_from_one, mean_ciede2000
from llie_video.data.datasets import (
    PairedFolder,
    WELL_EXPOSED_LUMA,
    list_images,
    load_rgb,
    select_well_exposed,
    synthetic_validation_set,
    to_tensor,
)
from llie_video.data.degradation import DegradationConfig
from llie_video.data.splits import select_split
from llie_video.metrics import psnr_per_image, ssim_per_image
from llie_video.models import create_model
from llie_video.models.base import EnhancementModel
from llie_video.ops.color import luma
from llie_video.training.grid import GRID_IMAGES, write_grid

Enhancer = Callable[[torch.Tensor], torch.Tensor]
Pairs = Sequence[tuple[torch.Tensor, torch.Tensor]]
AUTO_GAMMA_TARGET = 0.4
VALIDATION_SEED = 0
GRID_DIR = Path("out/eval")


def auto_gamma(x: torch.Tensor, target: float = AUTO_GAMMA_TARGET) -> torch.Tensor:
    """Per image, the global gamma ``x ** g`` that brings the mean luma to ``target``:
    ``g = log(target) / log(mean luma)``. ``(B, 3, H, W) -> (B, 3, H, W)``."""
    mean = luma(x).mean((1, 2, 3)).clamp(1e-4, 1 - 1e-4)
    exponent = (math.log(target) / torch.log(mean)).view(-1, 1, 1, 1)
    return x.clamp_min(0).pow(exponent).clamp(0, 1)


def model_enhancer(model: EnhancementModel, long_side: int | None = -1) -> Enhancer:
    """``model(x, long_side)`` without gradients, clamped to [0, 1] (``-1``: the model's default
    estimation size, ``None``: full resolution)."""

    @torch.no_grad()
    def enhance(x: torch.Tensor) -> torch.Tensor:
        return model(x, long_side).clamp(0, 1)

    return enhance


def stage_enhancer(model: EnhancementModel, long_side: int | None = -1) -> Enhancer:
    """What ``llie-video`` does to an image: the enhance stage with the default settings
    (noise reduction and brightness ceiling included) on the 8-bit image, at estimation size
    ``long_side`` (as in :func:`model_enhancer`), without temporal smoothing (images are
    unrelated)."""
    from llie_video.enhance.settings import EnhanceSettings
    from llie_video.enhance.stage import EnhanceStage

    settings = EnhanceSettings(smoothing=0.0, estimation_long_side=long_side)
    stage = EnhanceStage(model, torch.device("cpu"), settings=settings)

    def enhance(x: torch.Tensor) -> torch.Tensor:
        images = []
        for image in x:
            rgb = image.permute(1, 2, 0).clamp(0, 1).mul(255).add(0.5).to(torch.uint8).numpy()
            images.append(torch.from_numpy(stage.process(rgb)).permute(2, 0, 1))
        return torch.stack(images).float().div(255)

    return enhance


@dataclass(frozen=True)
class PairedScores:
    """Mean per-image figures over ``images`` pairs: PSNR (dB), SSIM, output luma (0-255),
    saturation ratio (:func:`saturation_ratio`: 1 is the targets' saturation, above 1 more
    saturated than the targets), CIELAB chroma ratio (:func:`llie_video.colour_figures.chroma_ratio`
    against the target: 1 as colourful, 0.5 half the colour) and CIEDE2000 (mean colour
    difference per pixel); the worst pictures by name: the chroma ratio farthest from 1
    (``worst_chroma``) and the largest CIEDE2000 (``worst_ciede2000``), each ``(name, figure)``."""

    psnr: float
    ssim: float
    images: int
    output_luma: float
    saturation_ratio: float
    chroma_ratio: float
    ciede2000: float
    worst_chroma: tuple[str, float]
    worst_ciede2000: tuple[str, float]


def mean_saturation(image: torch.Tensor) -> float:
    """Saturation of ``image`` ``(3, H, W)`` in [0, 1]: the HSV saturation ``(max - min) / max`` of
    its RGB values, each pixel weighted by its value ``max``, i.e. ``sum(max - min) / sum(max)``
    (0 for a black image). Weighting by value keeps the sensor noise of near-black pixels, whose
    per-pixel HSV saturation is anything from 0 to 1, from dominating; scaling the image leaves the
    figure unchanged."""
    high, low = image.amax(0), image.amin(0)
    return float((high - low).sum() / high.sum().clamp_min(1e-6))


def saturation_ratio(output: torch.Tensor, target: torch.Tensor) -> float:
    """How saturated ``output`` is against ``target`` (both ``(3, H, W)`` in [0, 1]):
    :func:`mean_saturation` of ``output`` divided by that of ``target``. 1: as colourful as the
    target; an output brighter or darker than its target but of the same colours scores 1; a
    colourful output of a grey target scores very high (the denominator is floored at 1e-6)."""
    return mean_saturation(output) / max(mean_saturation(target), 1e-6)


def score_pairs(enhance: Enhancer, pairs: Pairs, names: Sequence[str] = ()) -> PairedScores:
    """Enhance each ``low`` of ``pairs`` (``(3, H, W)`` each) and score it against ``high``;
    every figure is computed per image, then averaged. ``names``: the pairs' names, for the
    worst cases (``#index`` when not given)."""
    psnrs, ssims, lumas, saturations, chromas, differences = [], [], [], [], [], []
    for low, high in pairs:
        out = enhance(low[None])
        psnrs.append(float(psnr_per_image(out, high[None])[0]))
        ssims.append(float(ssim_per_image(out, high[None])[0]))
        lumas.append(float(luma(out).mean()) * 255)
        saturations.append(saturation_ratio(out[0], high))
        chromas.append(chroma_ratio(out[0], high))
        differences.append(mean_ciede2000(out[0], high))
    labels = list(names) or [f"#{i}" for i in range(len(pairs))]
    farthest = farthest_from_one(chromas)
    largest = max(range(len(differences)), key=differences.__getitem__)
    return PairedScores(
        statistics.fmean(psnrs), statistics.fmean(ssims), len(pairs), statistics.fmean(lumas),
        statistics.fmean(saturations), statistics.fmean(chromas), statistics.fmean(differences),
        (labels[farthest], chromas[farthest]), (labels[largest], differences[largest]),
    )


@dataclass(frozen=True)
class ImageStats:
    """Statistics of images (0-255 scale for luma): mean luma, saturation
    (:func:`mean_saturation`), and colour cast (largest deviation of a channel mean from the mean
    of the three channel means)."""

    luma: float
    saturation: float
    colour_cast: float


def image_stats(images: Sequence[torch.Tensor]) -> ImageStats:
    """Mean over ``images`` (each ``(3, H, W)`` in [0, 1]) of the per-image statistics."""
    lumas, sats, casts = [], [], []
    for image in images:
        x = image[None]
        lumas.append(float(luma(x).mean()) * 255)
        sats.append(mean_saturation(image))
        channel_means = x.mean((2, 3))[0] * 255
        casts.append(float((channel_means - channel_means.mean()).abs().max()))
    return ImageStats(statistics.fmean(lumas), statistics.fmean(sats), statistics.fmean(casts))


def enhanced_stats(enhance: Enhancer, images: Sequence[torch.Tensor]) -> ImageStats:
    """:func:`image_stats` of the enhanced ``images``."""
    return image_stats([enhance(image[None])[0] for image in images])


def ms_per_frame(model: EnhancementModel, size: tuple[int, int] = (1080, 1920), repeats: int = 3) -> float:
    """Median wall time (ms) of ``model(x)`` (default estimation size, eager, no gradients) on one
    ``size`` frame on the model's device, after one warm-up run."""
    device = next(model.parameters()).device
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(0)).to(device)
    times = []
    with torch.no_grad():
        for i in range(repeats + 1):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            model(x)
            if device.type == "cuda":
                torch.cuda.synchronize()
            if i:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def synthetic_validation_pairs(
    root: Path,
    degradation: DegradationConfig = DegradationConfig(),
    luma_range: tuple[float, float] = WELL_EXPOSED_LUMA,
    seed: int = VALIDATION_SEED,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The synthetic validation set: the well-exposed images of ``root``'s validation split, each
    degraded with a generator seeded by ``(seed, file name)``."""
    images = select_well_exposed(select_split(list_images(root), "validation"), luma_range)
    return synthetic_validation_set(images, degradation, seed)


def paired_folder_pairs(root: Path) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], list[str]]:
    """All pairs of a LOL-layout folder (``low/`` + ``high/``), and their file names."""
    folder = PairedFolder(root, crop=0)
    return [folder.pair(i) for i in range(len(folder))], [p.name for p in folder.lows]


EvalMode = Literal["auto", "paired", "synthetic", "unpaired"]


@dataclass(frozen=True)
class EvaluationReport:
    """What :func:`evaluate` measured. ``scores`` (paired and synthetic modes) and ``stats``
    (unpaired mode, with ``"input"``) are keyed by method: the model's name, ``"<name> as run"``
    (the enhance stage, brightness ceiling included) and ``"auto_gamma"``;
    ``grid``: the side-by-side image written, if any."""

    model: str
    mode: str
    data: str
    parameters: int
    ms_per_1080p_frame: float | None
    scores: dict[str, PairedScores] = field(default_factory=dict)
    stats: dict[str, ImageStats] = field(default_factory=dict)
    grid: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def format_table(self) -> str:
        """A plain-text table of the figures."""
        lines = [f"{self.model}: {self.parameters} parameters, data {self.data} ({self.mode})"]
        if self.ms_per_1080p_frame is not None:
            lines.append(f"{self.ms_per_1080p_frame:.1f} ms per 1080p frame")
        if self.scores:
            lines.extend(scores_table(self.scores))
        if self.stats:
            lines.append(f"{'method':<24}{'luma':>7}{'sat':>7}{'cast':>7}")
            for name, s in self.stats.items():
                lines.append(f"{name:<24}{s.luma:>7.1f}{s.saturation:>7.3f}{s.colour_cast:>7.1f}")
        if self.grid is not None:
            lines.append(f"side-by-side grid: {self.grid}")
        return "\n".join(lines)


def scores_table(scores: dict[str, PairedScores], width: int = 24) -> list[str]:
    """Lines of a plain-text table of ``scores`` by method name: PSNR, SSIM, CIELAB chroma
    ratio, CIEDE2000, saturation ratio, output luma and image count; then each method's worst
    pictures for colour."""
    lines = [f"{'method':<{width}}{'PSNR dB':>9}{'SSIM':>8}{'chroma':>8}{'dE2000':>8}{'sat':>7}"
             f"{'luma':>7}{'images':>8}"]
    for name, s in scores.items():
        lines.append(f"{name:<{width}}{s.psnr:>9.2f}{s.ssim:>8.4f}{s.chroma_ratio:>8.2f}"
                     f"{s.ciede2000:>8.2f}{s.saturation_ratio:>7.2f}{s.output_luma:>7.1f}"
                     f"{s.images:>8}")
    lines.append("worst for colour (chroma ratio farthest from 1; largest CIEDE2000):")
    for name, s in scores.items():
        lines.append(f"  {name:<{width}}{s.worst_chroma[0]} {s.worst_chroma[1]:.2f}; "
                     f"{s.worst_ciede2000[0]} {s.worst_ciede2000[1]:.1f}")
    return lines


def grid_rows(
    enhance: Enhancer, images: Sequence[torch.Tensor], references: Sequence[torch.Tensor] = ()
) -> list[list[torch.Tensor]]:
    """Rows ``[input, output]`` (plus the reference when ``references`` is given) for the first
    :data:`GRID_IMAGES` of ``images`` (each ``(3, H, W)``)."""
    rows = []
    for i, image in enumerate(images[:GRID_IMAGES]):
        row = [image, enhance(image[None])[0]]
        rows.append(row + [references[i]] if references else row)
    return rows


def resolve_mode(data: Path, mode: EvalMode) -> EvalMode:
    """``auto``: ``paired`` when ``data`` holds ``low/`` and ``high/``, else ``unpaired``."""
    if mode != "auto":
        return mode
    return "paired" if (data / "low").is_dir() and (data / "high").is_dir() else "unpaired"


def evaluate(
    model: str,
    data: Path,
    weights: Path | None = None,
    mode: EvalMode = "auto",
    long_side: int | None = -1,
    timing: bool = True,
    grid_dir: Path | None = GRID_DIR,
) -> EvaluationReport:
    """Evaluate a model, with auto-gamma alongside, on a folder.

    Args:
        model: a registry name or ``"default"``; shipped weights unless ``weights`` is given.
        data: a LOL-layout folder (``paired``), a folder of well-exposed images whose validation
            split is degraded synthetically (``synthetic``), or any image folder (``unpaired``).
        weights: a checkpoint to load instead of the shipped one.
        mode: see ``data``; ``auto`` picks ``paired`` or ``unpaired``.
        long_side: estimation long side (``-1``: the model's default, ``None``: full resolution).
        timing: also measure the ms per 1080p frame.
        grid_dir: where to write ``<model>_<data folder>.png``, a side-by-side grid (input | output,
            | reference for pairs) of the first few images; None: no grid.
    """
    net = create_model(model, pretrained=weights is None, weights=weights)
    name = getattr(net, "registry_name", model)
    as_run = f"{name} as run"
    methods: dict[str, Enhancer] = {name: model_enhancer(net, long_side),
                                    as_run: stage_enhancer(net, long_side), "auto_gamma": auto_gamma}
    mode = resolve_mode(data, mode)
    report = EvaluationReport(
        model=name,
        mode=mode,
        data=str(data),
        parameters=net.num_parameters(),
        ms_per_1080p_frame=ms_per_frame(net) if timing else None,
    )
    if mode == "unpaired":
        images = [to_tensor(load_rgb(p)) for p in list_images(data)]
        report.stats["input"] = image_stats(images)
        for method, enhance in methods.items():
            report.stats[method] = enhanced_stats(enhance, images)
        rows = grid_rows(methods[as_run], images)
    else:
        pairs, names = (paired_folder_pairs(data) if mode == "paired"
                        else (synthetic_validation_pairs(data), []))
        for method, enhance in methods.items():
            report.scores[method] = score_pairs(enhance, pairs, names)
        rows = grid_rows(methods[as_run], [low for low, _ in pairs], [high for _, high in pairs])
    if grid_dir is not None and rows:
        grid = write_grid(grid_dir / f"{name}_{data.resolve().name}.png", rows)
        report = replace(report, grid=str(grid))
    return report

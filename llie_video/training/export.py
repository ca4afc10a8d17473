"""Export a finished run: ``weights/<arch>.pt`` plus its entry in ``weights/MANIFEST.json``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from llie_video.config import load_config
from llie_video.data.degradation import DegradationConfig
from llie_video.data.splits import REAL_HELD_OUT_FRACTION
from llie_video.models import create_model
from llie_video.models.zero_dce import CurveModel
from llie_video.training.calibrate import calibration_pairs, fit_output_gamma
from llie_video.models.weights import MANIFEST_NAME, Manifest, WeightsEntry, sha256_of
from llie_video.resources import weights_dir as shipped_weights_dir
from llie_video.training.checkpoints import load_run_checkpoint, save_atomic, strip_training_state
from llie_video.training.config import TrainConfig
from llie_video.training.evaluate import (
    VALIDATION_SEED,
    auto_gamma,
    model_enhancer,
    score_pairs,
    synthetic_validation_pairs,
)
from llie_video.training.real_validation import AS_RUN
from llie_video.training.real_validation import RECIPE as REAL_RECIPE
from llie_video.training.real_validation import model_scores, official_scores, real_pairs, scores_dict

log = logging.getLogger(__name__)
VALIDATION_RECIPE = (
    "validation split (SHA-1 of file name < 0.1) of {root}, images of mean luma {low:g}-{high:g}, "
    "degraded with DegradationConfig defaults, generator seeded by (seed {seed}, file name); "
    "models at their default estimation size; mean per-image PSNR (dB) and SSIM (11x11 Gaussian, "
    "sigma 1.5, per RGB channel)"
)


def validation_metrics(config: TrainConfig, weights_file: Path) -> dict[str, Any]:
    """The figures the manifest records: :func:`synthetic_validation_metrics` and
    :func:`real_validation_metrics` (each empty when its data is absent)."""
    return {**synthetic_validation_metrics(config, weights_file),
            **real_validation_metrics(config, weights_file)}


def real_validation_metrics(config: TrainConfig, weights_file: Path) -> dict[str, Any]:
    """PSNR/SSIM/saturation ratio on the held-out real pairs of the exported weights (alone and
    as run), the configured official checkpoints that are present (alone) and auto-gamma;
    empty when the real pairs are absent."""
    root = config.export.real_validation_root
    if root is None or not (Path(root) / "low").is_dir():
        log.info("no real pairs at %s; the manifest gets no real_validation figures", root)
        return {}
    pairs = real_pairs(Path(root))
    ours = model_scores(config.model.arch, pairs, weights_file)
    figures: dict[str, Any] = {
        "recipe": REAL_RECIPE.format(root=root, fraction=REAL_HELD_OUT_FRACTION, split="validation"),
        "images": len(pairs),
        "alone": scores_dict(ours["alone"]),
        "as_run": scores_dict(ours[AS_RUN]),
    }
    officials = official_checkpoints(config)
    if officials:
        official_arch = config.export.official_arch or config.model.arch
        figures["official_arch"] = official_arch
        figures["official_files"] = {name: Path(p).name for name, p in officials.items()}
        for name, path in officials.items():
            figures[name] = scores_dict(official_scores(official_arch, path, pairs))
    figures["auto_gamma"] = scores_dict(score_pairs(auto_gamma, pairs))
    return {"real_validation": figures}


def synthetic_validation_metrics(config: TrainConfig, weights_file: Path) -> dict[str, Any]:
    """PSNR/SSIM of the exported weights, the official checkpoint (if configured and present) and
    auto-gamma on the synthetic validation set; empty when the validation root is absent."""
    root = config.export.validation_root
    if root is None or not Path(root).is_dir():
        log.info("no validation data at %s; the manifest gets no metrics", root)
        return {}
    low, high = config.data.luma_range
    pairs = synthetic_validation_pairs(Path(root), luma_range=(low, high), seed=VALIDATION_SEED)
    arch = config.model.arch
    scores = {"ours": score_pairs(model_enhancer(create_model(arch, weights=weights_file)), pairs)}
    officials = official_checkpoints(config)
    official_arch = config.export.official_arch or arch
    for name, path in officials.items():
        net = create_model(official_arch, weights=path)
        scores[name] = score_pairs(model_enhancer(net), pairs)
    scores["auto_gamma"] = score_pairs(auto_gamma, pairs)
    figures: dict[str, Any] = {
        "recipe": VALIDATION_RECIPE.format(root=root, low=low, high=high, seed=VALIDATION_SEED),
        "images": len(pairs),
    }
    if officials:
        figures["official_arch"] = official_arch
        figures["official_files"] = {name: Path(p).name for name, p in officials.items()}
    figures.update({name: {"psnr": round(s.psnr, 3), "ssim": round(s.ssim, 4),
                           "output_luma": round(s.output_luma, 1)} for name, s in scores.items()})
    return {"synthetic_validation": figures}


def official_checkpoints(config: TrainConfig) -> dict[str, Path]:
    """The configured official checkpoints that exist, by the name their scores are recorded
    under: ``official`` and ``official_<file stem>``."""
    named = {"official": config.export.official_weights}
    named.update({f"official_{Path(p).stem}": p for p in config.export.more_official_weights})
    return {name: Path(p) for name, p in named.items() if p is not None and Path(p).is_file()}


def refresh_real_validation(folder: Path | None = None, models: Sequence[str] = ()) -> dict[str, Any]:
    """Re-measure the ``real_validation`` figures of shipped models (``models``; empty: all) with
    the current code, each with its entry's training config, and save them into
    ``<folder>/MANIFEST.json`` (weights unchanged: each file's sha256 is checked first).
    Returns the new figures by model."""
    folder = folder or shipped_weights_dir()
    figures: dict[str, Any] = {}
    for name in models or sorted(Manifest.load(folder).models):
        entry = Manifest.load(folder).models[name]
        if sha256_of(folder / entry.file) != entry.sha256:
            raise ValueError(f"{folder / entry.file} does not match its manifest entry's sha256")
        config = load_config(TrainConfig, entry.config, [])
        figures[name] = real_validation_metrics(config, folder / entry.file).get("real_validation")
        if figures[name] is None:
            continue
        manifest = Manifest.load(folder)  # saved per model: a long run keeps what it measured
        entry = replace(entry, metrics={**entry.metrics, "real_validation": figures[name]})
        Manifest(manifest.default, {**manifest.models, name: entry}).save(folder)
    return figures


def fitted_output_gamma(config: TrainConfig, checkpoint: dict[str, Any]) -> float:
    """The output gamma fitted on train-split calibration pairs for ``checkpoint``'s weights."""
    model = create_model(config.model.arch, **{**checkpoint["model_kwargs"], "output_gamma": 1.0})
    if not isinstance(model, CurveModel):
        raise ValueError(f"export.fit_output_gamma needs a curve model, not {config.model.arch}")
    model.load_state_dict(checkpoint["params"])
    low, high = config.data.luma_range
    root = Path(config.export.validation_root or config.data.root)
    pairs = calibration_pairs(root, config.export.calibration_images, (low, high), DegradationConfig())
    gamma = fit_output_gamma(model, pairs)
    log.info("fitted output gamma %.2f on %d train-split pairs", gamma, len(pairs))
    return gamma


def export_run(
    run_checkpoint: Path,
    config: TrainConfig,
    config_path: str,
    folder: Path | None = None,
    metrics: dict[str, Any] | None = None,
) -> Path:
    """Write ``<folder>/<arch>.pt`` (the run checkpoint without training state) and record it in
    ``<folder>/MANIFEST.json`` (created if missing); returns the weights path.

    ``metrics``: figures to record; measured with :func:`validation_metrics` when None.
    """
    folder = folder or config.export.weights_dir or shipped_weights_dir()
    folder.mkdir(parents=True, exist_ok=True)
    arch = config.model.arch
    checkpoint = strip_training_state(load_run_checkpoint(run_checkpoint))
    if config.export.fit_output_gamma:
        checkpoint["model_kwargs"]["output_gamma"] = fitted_output_gamma(config, checkpoint)
    path = folder / f"{arch}.pt"
    save_atomic(checkpoint, path)
    if metrics is None:
        metrics = validation_metrics(config, path)
    entry = WeightsEntry(
        arch=arch,
        file=path.name,
        sha256=sha256_of(path),
        data=config.export.data,
        config=config_path,
        parameters=create_model(arch, weights=path).num_parameters(),
        metrics={"step": checkpoint["step"], **metrics},
        licence=config.export.licence,
        notes=config.export.notes,
    )
    if (folder / MANIFEST_NAME).is_file():
        manifest = Manifest.load(folder)
        default = arch if config.export.make_default else manifest.default
        manifest = Manifest(default, {**manifest.models, arch: entry})
    else:
        manifest = Manifest(arch, {arch: entry})
    manifest.save(folder)
    log.info("exported %s: %s", path, asdict(entry)["metrics"])
    return path

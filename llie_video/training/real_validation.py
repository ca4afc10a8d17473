"""Scores on the held-out real pairs: every shipped model alone and as run, beside the authors'
checkpoints and auto-gamma.

The held-out pairs are those of a LOL-layout folder (``low/N`` + ``high/N``, by default
``../shared/data/real_pairs/lol_train``) whose file name hashes below
:data:`~llie_video.data.splits.REAL_HELD_OUT_FRACTION`; no model is trained on them, and every
choice (default model, recipe, settings) is made on these figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from llie_video.data.datasets import PairedFolder
from llie_video.data.splits import REAL_HELD_OUT_FRACTION, Split
from llie_video.models import create_model
from llie_video.training.evaluate import (
    PairedScores,
    auto_gamma,
    model_enhancer,
    score_pairs,
    scores_table,
    stage_enhancer,
)

REAL_PAIRS_ROOT = Path("../shared/data/real_pairs/lol_train")
OFFICIAL_ROOT = Path("../shared/weights/official")
# The authors' checkpoint loaded into each architecture that has one.
OFFICIAL_FILES = {
    "zero_dce": "ZeroDCE_Epoch99.pth",
    "zero_dce_pp": "ZeroDCEpp_Epoch99.pth",
    "sci": "SCI_medium.pt",
}
AS_RUN = "as run"
RECIPE = (
    "held-out real pairs of {root} (file name SHA-1 fraction < {fraction:g}, split {split}); "
    "models at their default estimation size: alone (model output clamped to 0..1) and as run "
    "(the enhance stage with the CLI's default settings, no temporal smoothing); mean per-image "
    "PSNR (dB), SSIM (11x11 Gaussian, sigma 1.5, per RGB channel), saturation ratio (saturation "
    "sum(max - min) / sum(max) of the RGB values of the output over that of the target), CIELAB "
    "chroma ratio (mean C*ab of the output over the target's, D65) and mean CIEDE2000 against "
    "the target"
)


def real_pairs(root: Path = REAL_PAIRS_ROOT, split: Split = "validation") -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The ``(low, high)`` pairs (each ``(3, H, W)`` in [0, 1]) of ``root``'s ``split``: by default
    the held-out part."""
    folder = PairedFolder(root, crop=0, split=split)
    return [folder.pair(i) for i in range(len(folder))]


def real_pair_names(root: Path = REAL_PAIRS_ROOT, split: Split = "validation") -> list[str]:
    """The file names of :func:`real_pairs`, in its order."""
    return [path.name for path in PairedFolder(root, crop=0, split=split).lows]


def model_scores(
    name: str, pairs: Sequence[tuple[torch.Tensor, torch.Tensor]], weights: Path | None = None,
    names: Sequence[str] = (),
) -> dict[str, PairedScores]:
    """``{"alone": ..., "as run": ...}``: the model ``name`` (shipped weights, or ``weights``);
    ``names``: the pairs' names (for the worst cases)."""
    net = create_model(name, pretrained=weights is None, weights=weights)
    return {"alone": score_pairs(model_enhancer(net), pairs, names),
            AS_RUN: score_pairs(stage_enhancer(net), pairs, names)}


def official_scores(
    arch: str, path: Path, pairs: Sequence[tuple[torch.Tensor, torch.Tensor]],
    names: Sequence[str] = (),
) -> PairedScores:
    """The authors' checkpoint at ``path`` loaded into ``arch``, alone."""
    return score_pairs(model_enhancer(create_model(arch, weights=path)), pairs, names)


@dataclass
class RealValidationReport:
    """Scores by method name (``"<model>"``, ``"<model> as run"``, ``"official <file> (<arch>)"``,
    ``"auto_gamma"``) on ``images`` held-out pairs; ``notes``: what was skipped and why."""

    data: str
    split: str
    images: int
    scores: dict[str, PairedScores] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def format_table(self) -> str:
        lines = [f"real pairs: {self.data}, {self.split} split, {self.images} pairs "
                 f"(held out: name hash < {REAL_HELD_OUT_FRACTION:g})"]
        lines.extend(scores_table(self.scores, width=40))
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def evaluate_real(
    models: Sequence[str],
    root: Path = REAL_PAIRS_ROOT,
    split: Split = "validation",
    weights: dict[str, Path] | None = None,
    official_root: Path = OFFICIAL_ROOT,
) -> RealValidationReport:
    """Score ``models`` (shipped weights unless ``weights`` names a checkpoint for one), the
    authors' checkpoints of those architectures that have one (when present under
    ``official_root``) and auto-gamma on the ``split`` pairs of ``root``."""
    pairs, names = real_pairs(root, split), real_pair_names(root, split)
    report = RealValidationReport(str(root), split, len(pairs))
    for name in models:
        for kind, scores in model_scores(name, pairs, (weights or {}).get(name), names).items():
            report.scores[name if kind == "alone" else f"{name} {AS_RUN}"] = scores
    for arch in models:
        if arch not in OFFICIAL_FILES:
            continue
        path = official_root / OFFICIAL_FILES[arch]
        if path.is_file():
            report.scores[f"official {path.name} ({arch})"] = official_scores(arch, path, pairs,
                                                                              names)
        else:
            report.notes.append(f"official checkpoint {path} not found: skipped")
    report.scores["auto_gamma"] = score_pairs(auto_gamma, pairs, names)
    return report


def scores_dict(scores: PairedScores) -> dict[str, float]:
    """The manifest's rounded figures of ``scores``."""
    return {"psnr": round(scores.psnr, 3), "ssim": round(scores.ssim, 4),
            "saturation_ratio": round(scores.saturation_ratio, 3),
            "chroma_ratio": round(scores.chroma_ratio, 3),
            "ciede2000": round(scores.ciede2000, 2),
            "output_luma": round(scores.output_luma, 1)}


__all__ = [
    "OFFICIAL_FILES",
    "REAL_PAIRS_ROOT",
    "RECIPE",
    "RealValidationReport",
    "evaluate_real",
    "model_scores",
    "official_scores",
    "real_pair_names",
    "real_pairs",
    "scores_dict",
]

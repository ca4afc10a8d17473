"""What each hand-tuned render step does to the picture, on the held-out real pairs, side by side.

Runs one model as ``llie-video low.png out.png`` runs it (the enhance stage, no temporal
smoothing) on the held-out part of the real pairs, with the default settings and with each
render step switched off (or set as it was tuned for the curve models) in turn, and prints
PSNR, SSIM, CIELAB chroma ratio and CIEDE2000 against the targets for each variant, with the
worst picture for colour. Asserts nothing; the figures go to docs/quality.md.

    python bench/render_steps.py [--model iat_colour] [--weights FILE] [--root DIR]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import torch

from llie_video import create_model
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from llie_video.training.evaluate import PairedScores, score_pairs, scores_table
from llie_video.training.real_validation import REAL_PAIRS_ROOT, real_pair_names, real_pairs

DEFAULTS = EnhanceSettings(smoothing=0.0)
VARIANTS = {
    "defaults": DEFAULTS,
    "saturation 0.8": replace(DEFAULTS, saturation=0.8),
    "shadow desaturation 16": replace(DEFAULTS, shadow_desaturation=16.0),
    "both (the curve models' tuning)": replace(DEFAULTS, saturation=0.8, shadow_desaturation=16.0),
    "highlight headroom 1": replace(DEFAULTS, highlight_headroom=1.0),
    "brightness ceiling 1": replace(DEFAULTS, brightness_ceiling=1.0),
    "denoise 0": replace(DEFAULTS, denoise=0.0),
    "edge-aware off": replace(DEFAULTS, edge_aware=False),
}


def enhancer(model: torch.nn.Module, settings: EnhanceSettings):
    """The stage on 8-bit pictures, as ``llie-video`` runs an image."""
    stage = EnhanceStage(model, torch.device("cpu"), settings=settings)

    def enhance(x: torch.Tensor) -> torch.Tensor:
        rgb = x[0].permute(1, 2, 0).clamp(0, 1).mul(255).add(0.5).to(torch.uint8).numpy()
        return torch.from_numpy(stage.process(rgb)).permute(2, 0, 1)[None].float().div(255)

    return enhance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--weights", type=Path, help="a checkpoint instead of the shipped weights")
    parser.add_argument("--root", type=Path, default=REAL_PAIRS_ROOT)
    parser.add_argument("--variants", nargs="*", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = create_model(args.model, pretrained=args.weights is None, weights=args.weights)
    pairs, names = real_pairs(args.root), real_pair_names(args.root)
    scores: dict[str, PairedScores] = {}
    for name in args.variants:
        scores[name] = score_pairs(enhancer(model, VARIANTS[name]), pairs, names)
        print(f"{name}: done", flush=True)
    print(f"{getattr(model, 'registry_name', args.model)} as run on {len(pairs)} held-out pairs "
          f"of {args.root}")
    print("\n".join(scores_table(scores, width=26)))


if __name__ == "__main__":
    main()

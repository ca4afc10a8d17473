"""Print the README's tables of shipped weights against the official checkpoints, from
``weights/MANIFEST.json`` (the figures ``llie-video train`` measured at export): the held-out
real pairs (``real_validation``) first, then the synthetic validation pairs.

    python scripts/weights_table.py [weights/MANIFEST.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _official_label(model: str, entry: dict, key: str, validation: dict) -> str:
    """The official checkpoint's file name for an ``official`` / ``official_<stem>`` key, with its
    architecture when it is not the model's own."""
    name = validation.get("official_files", {}).get(key)
    if name is None:  # older entries: the file named in the training config
        config = yaml.safe_load((ROOT / entry["config"]).read_text())
        name = Path(config["export"]["official_weights"]).name
    arch = validation.get("official_arch")
    return f"{name} ({arch})" if arch and arch != model else name


def table(manifest: dict) -> str:
    """Markdown rows: one per shipped model, ours then each official checkpoint and auto-gamma."""
    lines = [
        "| model | parameters | ours PSNR / SSIM | official checkpoint | official PSNR / SSIM "
        "| auto-gamma PSNR / SSIM |",
        "|---|---|---|---|---|---|",
    ]
    default = manifest.get("default")
    for name, entry in sorted(manifest["models"].items()):
        validation = entry["metrics"]["synthetic_validation"]
        ours, gamma = validation["ours"], validation["auto_gamma"]
        label = f"`{name}`" + (" (default)" if name == default else "")
        officials = sorted(key for key in validation if key.startswith("official")
                           and isinstance(validation[key], dict) and "psnr" in validation[key])
        for index, key in enumerate(officials):
            theirs = validation[key]
            first = index == 0
            cells = [
                label if first else "",
                f"{entry['parameters']:,}" if first else "",
                f"**{ours['psnr']:.2f} / {ours['ssim']:.3f}**" if first else "",
                _official_label(name, entry, key, validation),
                f"{theirs['psnr']:.2f} / {theirs['ssim']:.3f}",
                f"{gamma['psnr']:.2f} / {gamma['ssim']:.3f}" if first else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _figures(scores: dict) -> str:
    return f"{scores['psnr']:.2f} / {scores['ssim']:.3f} / {scores['saturation_ratio']:.2f}"


def real_table(manifest: dict) -> str:
    """Markdown rows on the held-out real pairs (PSNR / SSIM / saturation ratio): each model alone
    and as run, then each official checkpoint compared with it, and auto-gamma once at the end."""
    lines = [
        "| model | parameters | alone | as run | official checkpoint (alone) |",
        "|---|---|---|---|---|",
    ]
    default = manifest.get("default")
    gamma = None
    for name, entry in sorted(manifest["models"].items()):
        real = entry["metrics"].get("real_validation")
        if real is None:
            continue
        gamma = real["auto_gamma"]
        label = f"`{name}`" + (" (default)" if name == default else "")
        officials = [key for key in sorted(real.get("official_files", {})) if key in real]
        theirs = "; ".join(f"{_official_label(name, entry, key, real)}: {_figures(real[key])}"
                           for key in officials)
        lines.append(f"| {label} | {entry['parameters']:,} | {_figures(real['alone'])} "
                     f"| **{_figures(real['as_run'])}** | {theirs} |")
    if gamma is not None:
        lines.append(f"| auto-gamma (mean luma to 0.4) | | {_figures(gamma)} | | |")
    return "\n".join(lines)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "weights" / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    print(real_table(manifest))
    print()
    print(table(manifest))


if __name__ == "__main__":
    main()

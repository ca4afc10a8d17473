"""Re-measure the held-out real-pair figures (``real_validation``) of the shipped weights with the
current code and write them into ``weights/MANIFEST.json`` (after a change to the enhance stage's
defaults, the "as run" figures change). Run from the project root, one thread:

    python3 scripts/refresh_real_validation.py [MODEL ...]
"""

from __future__ import annotations

import sys

import torch

from llie_video.training.export import refresh_real_validation


def main() -> None:
    torch.set_num_threads(1)
    for name, figures in refresh_real_validation(models=sys.argv[1:]).items():
        if figures is None:
            print(f"{name}: no real pairs found, figures unchanged")
        else:
            alone, as_run = figures["alone"], figures["as_run"]
            print(f"{name}: alone {alone['psnr']:.2f} dB / {alone['ssim']:.3f} / "
                  f"{alone['saturation_ratio']:.2f}; as run {as_run['psnr']:.2f} dB / "
                  f"{as_run['ssim']:.3f} / {as_run['saturation_ratio']:.2f}")


if __name__ == "__main__":
    main()

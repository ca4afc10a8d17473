"""Side-by-side image grids for a look at a model's outputs (``llie-video eval`` writes one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch

GRID_IMAGES = 4
TILE_HEIGHT = 256
GAP = 4


def _tile(image: torch.Tensor, height: int) -> np.ndarray:
    """``(3, H, W)`` in [0, 1] -> ``(height, W', 3)`` uint8 RGB, aspect ratio kept."""
    rgb = (image.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255).round()
    rgb = rgb.astype(np.uint8)
    width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
    interpolation = cv2.INTER_AREA if height < rgb.shape[0] else cv2.INTER_LINEAR
    return cv2.resize(rgb, (width, height), interpolation=interpolation)


def side_by_side(rows: Sequence[Sequence[torch.Tensor]], height: int = TILE_HEIGHT) -> np.ndarray:
    """A grid with one row per entry of ``rows`` (e.g. ``(input, output)`` or ``(input, output,
    reference)``, each ``(3, H, W)`` in [0, 1]); tiles are scaled to ``height`` and separated by
    black gaps; rows narrower than the widest are padded. Returns ``(H', W', 3)`` uint8 RGB."""
    if not rows:
        raise ValueError("side_by_side needs at least one row")
    strips = []
    for row in rows:
        tiles = [_tile(image, height) for image in row]
        gap = np.zeros((height, GAP, 3), np.uint8)
        strips.append(np.concatenate([part for t in tiles for part in (t, gap)][:-1], axis=1))
    width = max(s.shape[1] for s in strips)
    padded = [np.pad(s, ((0, GAP), (0, width - s.shape[1]), (0, 0))) for s in strips]
    return np.concatenate(padded, axis=0)[:-GAP]


def write_grid(path: Path, rows: Sequence[Sequence[torch.Tensor]], height: int = TILE_HEIGHT) -> Path:
    """Write :func:`side_by_side` of ``rows`` to ``path`` (PNG; folders created); returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    grid = side_by_side(rows, height)
    if not cv2.imwrite(str(path), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR)):
        raise OSError(f"cannot write {path}")
    return path


__all__ = ["GRID_IMAGES", "side_by_side", "write_grid"]

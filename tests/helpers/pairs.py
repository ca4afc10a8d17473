"""Tiny real-pair folders in the LOL layout."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from llie_video.data.splits import REAL_HELD_OUT_FRACTION, name_hash_fraction


def write_real_pairs(root: Path, count: int = 12) -> list[str]:
    """``count`` LOL-layout pairs ``root/{low,high}/N.png`` (48x40, a bright textured high and
    its low at a tenth); returns the names of the held-out ones (name hash < the real pairs'
    held-out fraction)."""
    (root / "low").mkdir(parents=True)
    (root / "high").mkdir()
    rng = np.random.default_rng(0)
    for i in range(count):
        high = rng.integers(60, 220, (40, 48, 3), dtype=np.uint8)
        cv2.imwrite(str(root / "high" / f"{i}.png"), high)
        cv2.imwrite(str(root / "low" / f"{i}.png"), (high.astype(np.float32) * 0.1).astype(np.uint8))
    names = [f"{i}.png" for i in range(count)]
    return [n for n in names if name_hash_fraction(n) < REAL_HELD_OUT_FRACTION]

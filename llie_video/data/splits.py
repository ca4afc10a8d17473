"""Deterministic train/validation split of an image folder, chosen by a hash of the file name.

A file belongs to the validation split when the first 8 bytes of the SHA-1 of its name, read as an
integer, fall in the lowest ``fraction`` of the range, so the split does not depend on the order or
number of files and never changes when files are added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

VALIDATION_FRACTION = 0.1
# Real pairs (``../shared/data/real_pairs/lol_train``): a pair whose file name hashes below this is
# HELD OUT (never trained on; every choice is made on these), the rest is the training part.
REAL_HELD_OUT_FRACTION = 0.2
Split = Literal["train", "validation", "all"]


def name_hash_fraction(name: str) -> float:
    """A number in [0, 1) fixed by ``name`` (SHA-1 of its UTF-8 bytes)."""
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_validation(path: Path, fraction: float = VALIDATION_FRACTION) -> bool:
    """Whether ``path`` (by its file name only) is held out for validation."""
    return name_hash_fraction(path.name) < fraction


def select_split(paths: Sequence[Path], split: Split, fraction: float = VALIDATION_FRACTION) -> list[Path]:
    """The files of ``paths`` in ``split`` (``"all"``: every file), in sorted order."""
    if split == "all":
        return sorted(paths)
    want_validation = split == "validation"
    return sorted(p for p in paths if is_validation(p, fraction) == want_validation)

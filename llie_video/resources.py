"""Locate the shipped ``weights/`` and ``configs/`` folders.

A wheel carries them inside the package (``llie_video/_weights``, ``llie_video/_configs``); a source
checkout or an editable install reads them from the repository root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(packaged: str, in_repository: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / in_repository


def weights_dir() -> Path:
    """The folder holding the shipped checkpoints and ``MANIFEST.json``."""
    return _locate("_weights", "weights")


def configs_dir() -> Path:
    """The folder holding the shipped YAML configurations."""
    return _locate("_configs", "configs")

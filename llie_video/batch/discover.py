"""Find the files of a batch: every video and image under a folder (recursively) or matching a
glob, each with its path relative to the input root (the same relative path in OUT_DIR)."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from llie_video.errors import UserError
from llie_video.images import IMAGE_SUFFIXES

VIDEO_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".avi", ".webm", ".ts", ".mts", ".m2ts", ".mpg", ".mpeg",
    ".flv", ".wmv", ".3gp", ".ogv", ".mxf", ".dv",
})
_GLOB_CHARS = frozenset("*?[")

Kind = Literal["video", "image"]


@dataclass(frozen=True)
class BatchItem:
    """One input file: ``source`` (absolute), ``relative`` (its path under OUT_DIR), ``kind``."""

    source: Path
    relative: Path
    kind: Kind


def kind_of(path: Path) -> Kind | None:
    """``video`` or ``image`` by the file's suffix; None for anything else (not listed)."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    return None


def discover(pattern: str, out_dir: Path) -> list[BatchItem]:
    """The videos and images of ``pattern`` (a folder, searched recursively; a glob such as
    ``'footage/**/*.mp4'``; or one file), sorted by relative path. Hidden files and folders (a
    run's temporary files among them) and anything inside ``out_dir`` are left out."""
    root, candidates = _candidates(pattern)
    out = out_dir.resolve()
    items = []
    for path in candidates:
        kind = kind_of(path)
        if kind is None or not path.is_file():
            continue
        source = path.resolve()
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or out in source.parents:
            continue
        items.append(BatchItem(source, relative, kind))
    if not items:
        raise UserError(f"no videos or images in {pattern}")
    return sorted(items, key=lambda item: item.relative.as_posix())


def _candidates(pattern: str) -> tuple[Path, Iterable[Path]]:
    """The root that relative paths start from, and the paths to consider."""
    path = Path(pattern)
    if path.is_dir():
        return path, path.rglob("*")
    if any(char in pattern for char in _GLOB_CHARS):
        parts = path.parts
        fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARS & set(part))
        root = Path(*parts[:fixed]) if fixed else Path(".")
        return root, (Path(p) for p in glob.glob(pattern, recursive=True))
    if path.is_file():
        return path.parent, [path]
    raise UserError(f"input not found: {pattern}")

"""Where outputs may be written, and under which temporary name (no codec, torch or Qt import).

Every writer (videos, images, sample clips) checks its target with :func:`check_output_path`
first, writes to :func:`partial_path` beside it, and renames that over the target on success.
"""

from __future__ import annotations

import os
from pathlib import Path

from llie_video.errors import UserError


def partial_path(target: Path) -> Path:
    """Temporary name beside ``target``, keeping its suffix so FFmpeg picks the same format."""
    return target.with_name(f".{target.stem}.partial-{os.getpid()}{target.suffix}")


def check_output_path(target: Path, overwrite: bool) -> None:
    """Refuse to clobber an existing file without ``overwrite``, or to write where we cannot."""
    if target.exists() and not overwrite:
        raise UserError(f"{target} exists; pass -y to overwrite it")
    if target.is_dir():
        raise UserError(f"{target} is a folder, not a file")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"output folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write to folder {folder}")

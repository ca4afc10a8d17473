"""Enhance still images and folders of images (OpenCV for reading and writing)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from llie_video.errors import UserError
from llie_video.video.frame_processor import FrameProcessor
from llie_video.output_paths import check_output_path, partial_path

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})


def is_image_path(path: Path) -> bool:
    """Whether ``path`` names an image file by its suffix."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_rgb(path: Path) -> np.ndarray:
    """Read an image as ``(H, W, 3)`` uint8 RGB (grey and alpha are converted)."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    if data is None:
        raise UserError(f"input not found: {path}")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"cannot read {path} as an image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def write_rgb(path: Path, rgb: np.ndarray) -> None:
    """Write ``(H, W, 3)`` uint8 RGB to ``path`` via a temporary file renamed on success."""
    ok, encoded = cv2.imencode(path.suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise UserError(f"cannot encode an image as {path.suffix}")
    temp = partial_path(path)
    try:
        encoded.tofile(str(temp))
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror}") from None


def enhance_image(source: Path, target: Path, processor: FrameProcessor, overwrite: bool) -> None:
    """Enhance one image file into another (no temporal state carries over between images)."""
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise UserError(f"unsupported image format {target.suffix!r} for {target}")
    check_output_path(target, overwrite)
    processor.reset_temporal()
    write_rgb(target, processor.process(read_rgb(source)))


def enhance_folder(
    source: Path,
    target: Path,
    processor: FrameProcessor,
    overwrite: bool,
    on_image: Callable[[Path], None] | None = None,
) -> int:
    """Enhance every image in ``source`` into the folder ``target`` (same names); returns the count."""
    images = sorted(p for p in source.iterdir() if p.is_file() and is_image_path(p))
    if not images:
        raise UserError(f"no images in {source}")
    if target.exists() and not target.is_dir():
        raise UserError(f"{target} exists and is not a folder")
    target.mkdir(parents=True, exist_ok=True)
    for image in images:
        enhance_image(image, target / image.name, processor, overwrite)
        if on_image is not None:
            on_image(image)
    return len(images)

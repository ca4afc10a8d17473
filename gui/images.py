"""Conversions between numpy RGB frames and QImages that own their pixels."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QImage


def upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """``rgb`` as it should be displayed: turned ``rotation`` degrees counter-clockwise (the
    sense of :attr:`av.VideoFrame.rotation`), rounded to a quarter turn; a view, not a copy."""
    quarter_turns = round(rotation / 90) % 4
    return np.rot90(rgb, quarter_turns) if quarter_turns else rgb


def array_to_qimage(rgb: np.ndarray, rotation: int = 0) -> QImage:
    """A QImage with its own copy of ``rgb`` ``(H, W, 3)`` uint8, safe to keep after ``rgb`` dies,
    turned upright by :func:`upright` when the frame carries a display ``rotation``."""
    rgb = np.ascontiguousarray(upright(rgb, rotation))
    height, width = rgb.shape[:2]
    view = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return view.copy()  # the view borrows rgb's buffer; the copy owns its pixels


def qimage_to_array(image: QImage) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB pixels of ``image`` (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    height, width, stride = rgb.height(), rgb.width(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits().asstring(stride * height), np.uint8)
    return buffer.reshape(height, stride)[:, : 3 * width].reshape(height, width, 3).copy()

"""Conversions between frame pixels, numpy RGB frames and QImages that own their pixels."""

from __future__ import annotations

import av
import cv2
import numpy as np
from PyQt6.QtGui import QImage

from llie_video.video.frame import rgb_pixels


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


def display_size(width: int, height: int, rotation: int,
                 box: tuple[int, int] | None) -> tuple[int, int]:
    """``(width, height)`` to convert a ``width`` x ``height`` frame to, so that, turned upright,
    it fits ``box`` ``(width, height)`` with its aspect ratio; never larger than the frame (the
    view scales up itself), the full size when ``box`` is None."""
    if box is None:
        return width, height
    box_width, box_height = box if round(rotation / 90) % 2 == 0 else box[::-1]
    scale = min(1.0, box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def display_image(pixels: np.ndarray | av.VideoFrame, rotation: int = 0,
                  box: tuple[int, int] | None = None) -> QImage:
    """A frame's pixels (an RGB array or a decoded frame) as an upright QImage that fits ``box``
    (see :func:`display_size`): decoded frames are scaled and converted to RGB in one step,
    so a preview converts only the pixels it shows."""
    height, width = (pixels.shape[:2] if isinstance(pixels, np.ndarray)
                     else (pixels.height, pixels.width))
    size = display_size(width, height, rotation, box)
    if size == (width, height):
        rgb = rgb_pixels(pixels)
    elif isinstance(pixels, np.ndarray):
        rgb = cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR)
    else:
        rgb = pixels.reformat(width=size[0], height=size[1], format="rgb24",
                              interpolation="BILINEAR").to_ndarray()
    return array_to_qimage(rgb, rotation)

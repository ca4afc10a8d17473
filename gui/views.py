"""Video views: one frame scaled to fit, and a single view split between original and enhanced."""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PyQt6.QtWidgets import QHBoxLayout, QStackedWidget, QWidget


def fit_rect(image: QImage, area: QRectF) -> QRectF:
    """The largest rectangle of ``image``'s aspect ratio centred in ``area``."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return QRectF(area)
    scale = min(area.width() / image.width(), area.height() / image.height())
    w, h = image.width() * scale, image.height() * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class VideoView(QWidget):
    """Shows one QImage scaled to fit, keeping its aspect ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.setMinimumSize(160, 120)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 20, 20))
        if not self.image.isNull():
            painter.drawImage(fit_rect(self.image, QRectF(self.rect())), self.image)


class SplitView(QWidget):
    """Original left of a draggable vertical line, enhanced right of it, in one picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = QImage()
        self.enhanced = QImage()
        self.split = 0.5  # position of the line, 0 (left edge) .. 1 (right edge) of the picture
        self.setMinimumSize(160, 120)
        self.setCursor(Qt.CursorShape.SplitHCursor)

    def set_images(self, original: QImage, enhanced: QImage) -> None:
        self.original, self.enhanced = original, enhanced
        self.update()

    def set_split(self, split: float) -> None:
        self.split = min(max(split, 0.0), 1.0)
        self.update()

    def _picture(self) -> QRectF:
        return fit_rect(self.enhanced, QRectF(self.rect()))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 20, 20))
        if self.enhanced.isNull():
            return
        target = self._picture()
        x = target.x() + self.split * target.width()
        sw, sh = self.enhanced.width(), self.enhanced.height()
        cut = self.split * sw
        painter.drawImage(QRectF(x, target.y(), target.right() - x, target.height()),
                          self.enhanced, QRectF(cut, 0, sw - cut, sh))
        if not self.original.isNull():
            painter.drawImage(QRectF(target.x(), target.y(), x - target.x(), target.height()),
                              self.original, QRectF(0, 0, cut, sh))
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.drawLine(QPointF(x, target.top()), QPointF(x, target.bottom()))

    def _drag(self, event: QMouseEvent) -> None:
        target = self._picture()
        if target.width() > 0:
            self.set_split((event.position().x() - target.x()) / target.width())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._drag(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event)


class ComparisonView(QStackedWidget):
    """Side by side (two views) or split (one view with a line); :meth:`set_split_mode` toggles.

    ``display_box_changed`` tells the size of the largest picture the current mode can show
    (see :meth:`display_box`) whenever it changes, so that frames are converted at that size.
    """

    display_box_changed = pyqtSignal(tuple)  # (width, height) in device pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original_view, self.enhanced_view = VideoView(), VideoView()
        side = QWidget()
        row = QHBoxLayout(side)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.original_view)
        row.addWidget(self.enhanced_view)
        self.split_view = SplitView()
        self.addWidget(side)
        self.addWidget(self.split_view)

    @property
    def split_mode(self) -> bool:
        return self.currentWidget() is self.split_view

    def set_split_mode(self, on: bool) -> None:
        self.setCurrentWidget(self.split_view if on else self.widget(0))
        self.display_box_changed.emit(self.display_box())

    def display_box(self) -> tuple[int, int]:
        """``(width, height)`` in device pixels of the largest picture shown: this whole view in
        split mode, half of it side by side."""
        ratio = self.devicePixelRatioF()
        width = self.width() if self.split_mode else self.width() // 2
        return max(1, round(width * ratio)), max(1, round(self.height() * ratio))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.display_box_changed.emit(self.display_box())

    def show_frames(self, original: QImage, enhanced: QImage) -> None:
        self.original_view.set_image(original)
        self.enhanced_view.set_image(enhanced)
        self.split_view.set_images(original, enhanced)

"""The control panel: enhancement sliders, model/device/source pickers, transport buttons."""

from __future__ import annotations

from dataclasses import replace

import torch
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.settings import GuiSettings
from llie_video.enhance.settings import slider_settings


def model_choices() -> list[str]:
    """``default`` and every model with shipped weights."""
    from llie_video.models.weights import Manifest

    return ["default", *sorted(Manifest.load().models)]


def device_choices() -> list[str]:
    """``auto``, ``cpu`` and ``cuda`` where a CUDA GPU is available."""
    return ["auto", "cpu", *(["cuda"] if torch.cuda.is_available() else [])]


class ValueSlider(QWidget):
    """A horizontal slider over ``[low, high]`` in ``steps`` steps, with its value shown."""

    changed = pyqtSignal(float)

    def __init__(self, low: float, high: float, steps: int, value: float) -> None:
        super().__init__()
        self.low, self.high, self.steps = low, high, steps
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, steps)
        self.label = QLabel()
        self.label.setMinimumWidth(36)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider)
        row.addWidget(self.label)
        self.slider.valueChanged.connect(self._moved)
        self.set_value(value)
        self._moved(self.slider.value())

    def value(self) -> float:
        return self.low + (self.high - self.low) * self.slider.value() / self.steps

    def set_value(self, value: float) -> None:
        self.slider.setValue(round((value - self.low) / (self.high - self.low) * self.steps))

    def _moved(self, _position: int) -> None:
        self.label.setText(f"{self.value():.2f}")
        self.changed.emit(self.value())


class ControlPanel(QWidget):
    """All controls; it emits what the user asked for and holds no state of the preview."""

    settings_changed = pyqtSignal(str, float)  # name, value (an EnhanceSettings field)
    engine_changed = pyqtSignal()  # model or device
    source_chosen = pyqtSignal(str)  # a source spec
    file_requested = pyqtSignal()
    folder_requested = pyqtSignal()

    def __init__(self, settings: GuiSettings) -> None:
        super().__init__()
        self.sliders: dict[str, ValueSlider] = {}  # one per slider setting, by name
        for name, spec in slider_settings():
            low, high, step = spec.slider  # type: ignore[misc]
            slider = ValueSlider(low, high, round((high - low) / step),
                                 getattr(settings.enhance, name))
            slider.setToolTip(spec.help[0].upper() + spec.help[1:] + ".")
            self.sliders[name] = slider
            setattr(self, name, slider)  # e.g. panel.gamma
        self.model = QComboBox()
        self.model.addItems(model_choices())
        self.model.setCurrentText(settings.model)
        self.device = QComboBox()
        self.device.addItems(device_choices())
        self.device.setCurrentText(settings.device)
        self.webcam = QSpinBox()
        self.webcam.setRange(0, 9)
        self.open_webcam = QPushButton("Webcam")
        self.open_file = QPushButton("File…")
        self.url = QLineEdit()
        self.url.setPlaceholderText("rtsp://host/stream")
        self.open_url = QPushButton("Open URL")
        self.play = QPushButton("Pause")
        self.play.setCheckable(True)  # checked: paused
        self.snapshot = QPushButton("Snapshot")
        self.record = QPushButton("Record")
        self.record.setCheckable(True)
        self.split = QCheckBox("Split view")
        self.split.setChecked(settings.split_mode)
        self.folder = QPushButton(settings.output_folder)
        self._layout()
        for name, slider in self.sliders.items():
            slider.changed.connect(
                lambda value, name=name: self.settings_changed.emit(name, value))
        self.model.currentTextChanged.connect(self.engine_changed)
        self.device.currentTextChanged.connect(self.engine_changed)
        self.open_webcam.clicked.connect(
            lambda: self.source_chosen.emit(f"webcam:{self.webcam.value()}"))
        self.open_url.clicked.connect(self._url_chosen)
        self.url.returnPressed.connect(self._url_chosen)
        self.open_file.clicked.connect(self.file_requested)
        self.folder.clicked.connect(self.folder_requested)

    def _layout(self) -> None:
        form = QFormLayout()
        for name, spec in slider_settings():
            form.addRow(spec.label, self.sliders[name])
        form.addRow("Model", self.model)
        form.addRow("Device", self.device)
        webcam = QHBoxLayout()
        webcam.addWidget(self.webcam)
        webcam.addWidget(self.open_webcam)
        webcam.addWidget(self.open_file)
        form.addRow("Source", webcam)
        url = QHBoxLayout()
        url.addWidget(self.url)
        url.addWidget(self.open_url)
        form.addRow("Stream", url)
        form.addRow("Save to", self.folder)
        buttons = QHBoxLayout()
        for button in (self.play, self.snapshot, self.record, self.split):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addStretch(1)

    def _url_chosen(self) -> None:
        if self.url.text().strip():
            self.source_chosen.emit(self.url.text().strip())

    def store(self, settings: GuiSettings) -> None:
        """Copy the controls' values into ``settings``."""
        settings.enhance = replace(settings.enhance, **{
            name: slider.value() for name, slider in self.sliders.items()})
        settings.model, settings.device = self.model.currentText(), self.device.currentText()
        settings.split_mode = self.split.isChecked()

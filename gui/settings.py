"""The window's persistent settings, stored with QSettings between runs."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from PyQt6.QtCore import QSettings

from llie_video.video.stage import EnhanceSettings

ORGANISATION, APPLICATION = "llie-video", "preview"
_ENHANCE = EnhanceSettings()  # the engine's defaults are the window's first-run values


@dataclass
class GuiSettings:
    """Everything the window remembers."""

    gamma: float = _ENHANCE.gamma
    strength: float = _ENHANCE.strength
    smoothing: float = _ENHANCE.smoothing
    brightness_ceiling: float = _ENHANCE.brightness_ceiling
    highlight_headroom: float = _ENHANCE.highlight_headroom
    model: str = "default"
    device: str = "auto"
    source: str = ""
    split_mode: bool = False
    split: float = 0.5
    output_folder: str = str(Path.home())

    @classmethod
    def load(cls, store: QSettings) -> GuiSettings:
        """Read from ``store``; missing or unreadable values keep their defaults."""
        settings = cls()
        for f in fields(cls):
            default = getattr(settings, f.name)
            value = store.value(f.name, default, type=type(default))
            setattr(settings, f.name, value)
        return settings

    def save(self, store: QSettings) -> None:
        for f in fields(self):
            store.setValue(f.name, getattr(self, f.name))
        store.sync()


def default_store() -> QSettings:
    """The per-user settings store."""
    return QSettings(ORGANISATION, APPLICATION)

"""The window's persistent settings, stored with QSettings between runs."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from PyQt6.QtCore import QSettings

ORGANISATION, APPLICATION = "llie-video", "preview"


@dataclass
class GuiSettings:
    """Everything the window remembers."""

    gamma: float = 1.0
    strength: float = 1.0
    smoothing: float = 0.6
    brightness_ceiling: float = 0.5
    highlight_headroom: float = 0.75
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

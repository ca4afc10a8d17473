"""The window's persistent settings, stored with QSettings between runs."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from PyQt6.QtCore import QSettings

from llie_video.enhance.settings import EnhanceSettings, slider_settings

ORGANISATION, APPLICATION = "llie-video", "preview"
_ENHANCE_GROUP = "enhance/"  # the store's keys of the enhancement settings


@dataclass
class GuiSettings:
    """Everything the window remembers."""

    enhance: EnhanceSettings = field(default_factory=EnhanceSettings)  # the engine's defaults
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
            if f.name != "enhance":
                default = getattr(settings, f.name)
                setattr(settings, f.name, store.value(f.name, default, type=type(default)))
        for name, _ in slider_settings():
            default = getattr(settings.enhance, name)
            value = store.value(_ENHANCE_GROUP + name, default, type=float)
            try:
                settings.enhance = replace(settings.enhance, **{name: value})
            except ValueError:  # out of range (an older version's value): keep the default
                pass
        return settings

    def save(self, store: QSettings) -> None:
        for f in fields(self):
            if f.name != "enhance":
                store.setValue(f.name, getattr(self, f.name))
        for name, _ in slider_settings():
            store.setValue(_ENHANCE_GROUP + name, getattr(self.enhance, name))
        store.sync()


def default_store() -> QSettings:
    """The per-user settings store."""
    return QSettings(ORGANISATION, APPLICATION)

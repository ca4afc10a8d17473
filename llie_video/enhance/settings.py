"""The enhancement settings as data: one table from which validation, CLI flags, YAML keys and the
preview's sliders are derived.

Each field of :class:`EnhanceSettings` carries a :class:`SettingSpec` in its metadata: its range,
help text and (for the preview) slider range and step. Adding a render option is one field here
plus its use in the render. This module imports nothing heavy (no torch, numba or av), so the
GUI and the config loader can read the settings without loading the engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LONG_SIDE = -1  # estimation_long_side: the model's own estimation resolution


@dataclass(frozen=True)
class SettingSpec:
    """How one setting is bounded, described and shown.

    Attributes:
        help: one sentence for ``--help``, YAML comments and tooltips.
        low, high: the valid range (``None``: unbounded on that side).
        low_open, high_open: whether ``low`` / ``high`` themselves are excluded.
        slider: ``(low, high, step)`` of the preview's slider, or None (no slider).
        label: the slider's label.
        flag: the CLI option (default ``--name-with-dashes``).
        metavar: the CLI option's value name.
    """

    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    slider: tuple[float, float, float] | None = None
    label: str = ""
    flag: str = ""
    metavar: str | None = None

    def check(self, name: str, value: Any) -> None:
        """Raise ValueError if ``value`` is outside the range."""
        if isinstance(value, bool) or value is None:
            return
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise ValueError(f"{name} must be {self.range_text()}, got {value}")
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise ValueError(f"{name} must be {self.range_text()}, got {value}")

    def range_text(self) -> str:
        """The range in words, e.g. ``within 0..1 (1 excluded)``."""
        if self.low is not None and self.high is not None:
            excluded = [str(v) for v, o in ((self.low, self.low_open), (self.high, self.high_open)) if o]
            note = f" ({' and '.join(excluded)} excluded)" if excluded else ""
            return f"within {_num(self.low)}..{_num(self.high)}{note}"
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {_num(self.low)}"
        return f"{'<' if self.high_open else '<='} {_num(self.high)}"


def _num(value: float) -> str:
    return f"{value:g}"


def setting(default: Any, spec: SettingSpec) -> Any:
    """A dataclass field with ``default`` and its :class:`SettingSpec`."""
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class EnhanceSettings:
    """Per-frame controls of the enhancement, safe to change while a pipeline runs (the stage's
    ``update``). The render applies them in this order: noise reduction of the input (spatial,
    then temporal), its black point and white balance, the model's render (parameters upsampled edge-aware), the brightness
    ceiling's gamma, highlight protection, saturation (faded in the noisiest shadows), strength
    (faded out in daylight, :mod:`llie_video.enhance.daylight`), then the user's gamma."""

    gamma: float = setting(1.0, SettingSpec(
        "post-process gamma on the finished picture, >1 brighter", low=0.0, low_open=True,
        slider=(0.5, 2.0, 0.01), label="Gamma"))
    strength: float = setting(1.0, SettingSpec(
        "blend with the input, 0 (input) .. 1 (fully enhanced)", low=0.0, high=1.0,
        slider=(0.0, 1.0, 0.01), label="Strength"))
    estimation_long_side: int | None = setting(DEFAULT_LONG_SIDE, SettingSpec(
        "long side in pixels of the frame the model looks at (-1: the model's default, "
        "null: full resolution)", flag="--estimate-size", metavar="PX"))
    smoothing: float = setting(0.7, SettingSpec(
        "temporal smoothing: parameter EMA and motion-adaptive noise reduction, 0 = off",
        low=0.0, high=1.0, high_open=True, slider=(0.0, 0.95, 0.01), label="Smoothing"))
    brightness_ceiling: float = setting(0.5, SettingSpec(
        "highest mean luma of the model's render of a frame, 0..1; brighter renders get a "
        "darker gamma, then less strength; 1 = off", low=0.0, high=1.0, low_open=True,
        slider=(0.3, 1.0, 0.01), label="Ceiling", metavar="LEVEL"))
    highlight_headroom: float = setting(0.75, SettingSpec(
        "share of the room above a pixel's brightest channel that the enhancement may use, "
        "so highlights keep gradation and hue; 1 = off", low=0.0, high=1.0,
        slider=(0.5, 1.0, 0.01), label="Highlights", metavar="SHARE"))
    denoise: float = setting(5.0, SettingSpec(
        "spatial noise reduction of the input before the render, in multiples of the noise "
        "measured in each frame (luma: edge-preserving bilateral; chroma: 5x5 Gaussian); "
        "clean frames pass untouched; 0 = off", low=0.0, high=8.0, slider=(0.0, 6.0, 0.1),
        label="Denoise", metavar="K"))
    black_clip: float = setting(0.0, SettingSpec(
        "percent of the darkest pixels whose level becomes black before the render, so a "
        "lifted black (pedestal, flare, noise floor) is not brightened into milky grey; the "
        "black point never exceeds 20 of 255 codes; 0 = off", low=0.0, high=5.0,
        slider=(0.0, 2.0, 0.05), label="Black clip", metavar="PERCENT"))
    white_balance: float = setting(0.0, SettingSpec(
        "automatic grey-world white balance of the input, 0 (off) .. 1 (full), so a sensor "
        "or street-light tint is not amplified with the picture", low=0.0, high=1.0,
        slider=(0.0, 1.0, 0.01), label="White balance", metavar="SHARE"))
    saturation: float = setting(1.0, SettingSpec(
        "colour saturation of the enhanced picture relative to the render, 0 (grey) .. 2",
        low=0.0, high=2.0, slider=(0.0, 1.5, 0.01), label="Saturation", metavar="S"))
    shadow_desaturation: float = setting(0.0, SettingSpec(
        "colour fades to grey in input pixels darker than this many times the noise measured "
        "in the frame, where colour is mostly sensor noise and tint (a dim grey wall stays "
        "grey); 0 = off (the default model's learned colour render does this where it should; "
        "16 suits the curve-only models)", low=0.0, high=64.0, slider=(0.0, 32.0, 0.5), label="Shadow grey",
        metavar="K"))
    daylight: float = setting(0.35, SettingSpec(
        "median input luma, 0..1, from which a scene counts as daylight and passes through "
        "untouched; the enhancement fades back in, over seconds, as the scene darkens to half "
        "of it; 1 = off (every scene enhanced)", low=0.0, high=1.0, low_open=True,
        slider=(0.1, 1.0, 0.01), label="Daylight", metavar="LUMA"))
    edge_aware: bool = setting(True, SettingSpec(
        "upsample the model's parameter maps guided by the full-resolution frame, so the lift "
        "follows object edges (no halos beside dark objects)"))

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            spec(f.name).check(f.name, getattr(self, f.name))
        long_side = self.estimation_long_side
        if long_side is not None and long_side != DEFAULT_LONG_SIDE and long_side < 8:
            raise ValueError(f"estimation_long_side must be >= 8, got {long_side}")


def spec(name: str) -> SettingSpec:
    """The :class:`SettingSpec` of the setting ``name``."""
    return _SPECS[name]


def setting_names() -> list[str]:
    """Every setting's name, in the order of :class:`EnhanceSettings`."""
    return list(_SPECS)


def slider_settings() -> list[tuple[str, SettingSpec]]:
    """The settings the preview shows as sliders, in order."""
    return [(name, s) for name, s in _SPECS.items() if s.slider is not None]


_SPECS: dict[str, SettingSpec] = {f.name: f.metadata["spec"]
                                  for f in dataclasses.fields(EnhanceSettings)}
_DEFAULTS = EnhanceSettings()


def _flag(name: str) -> str:
    return spec(name).flag or "--" + name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add one option per setting (``--name-with-dashes``, default None: not given)."""
    for f in dataclasses.fields(EnhanceSettings):
        s = spec(f.name)
        default = getattr(_DEFAULTS, f.name)
        if isinstance(default, bool):
            parser.add_argument(_flag(f.name), dest=f.name, action=argparse.BooleanOptionalAction,
                                default=None, help=f"{s.help} (default {'on' if default else 'off'})")
            continue
        kind = int if f.name == "estimation_long_side" else float
        parser.add_argument(_flag(f.name), dest=f.name, type=kind, metavar=s.metavar,
                            help=f"{s.help} (default {default})")


def given_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, by name (those not given are left out)."""
    return {name: getattr(args, name) for name in _SPECS if getattr(args, name, None) is not None}

"""The settings table: validation, CLI options and slider ranges all come from the field specs."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys

import pytest

from llie_video.enhance.settings import (
    EnhanceSettings,
    add_arguments,
    given_arguments,
    setting_names,
    slider_settings,
    spec,
)


def test_every_field_has_a_spec_and_defaults_are_valid() -> None:
    names = [f.name for f in dataclasses.fields(EnhanceSettings)]
    assert setting_names() == names
    for name in names:
        assert spec(name).help
        spec(name).check(name, getattr(EnhanceSettings(), name))


@pytest.mark.parametrize(("name", "bad", "good"), [
    ("gamma", 0.0, 0.01), ("strength", 1.01, 1.0), ("smoothing", 1.0, 0.99),
    ("brightness_ceiling", 0.0, 1.0), ("highlight_headroom", -0.1, 0.0),
    ("gamma", float("nan"), 2.0),
])
def test_range_checks_come_from_the_spec(name: str, bad: float, good: float) -> None:
    with pytest.raises(ValueError, match=name):
        EnhanceSettings(**{name: bad})
    assert getattr(EnhanceSettings(**{name: good}), name) == good


def test_estimation_long_side_accepts_default_and_none_but_not_tiny() -> None:
    assert EnhanceSettings(estimation_long_side=None).estimation_long_side is None
    with pytest.raises(ValueError, match="estimation_long_side"):
        EnhanceSettings(estimation_long_side=4)


def test_cli_options_are_derived_and_only_given_ones_are_returned() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--gamma", "1.3", "--highlight-headroom", "0.6",
                              "--estimate-size", "64"])
    assert given_arguments(args) == {"gamma": 1.3, "highlight_headroom": 0.6,
                                     "estimation_long_side": 64}
    flags = {a.dest: a.option_strings for a in parser._actions}
    for name in setting_names():
        assert flags[name], f"{name} has no CLI option"


def test_slider_ranges_lie_within_the_valid_range() -> None:
    assert slider_settings(), "the preview needs sliders"
    for name, s in slider_settings():
        low, high, step = s.slider  # type: ignore[misc]
        assert low < high and 0 < step <= high - low and s.label
        s.check(name, low)
        s.check(name, high)


def test_settings_module_imports_nothing_heavy() -> None:
    code = ("import sys, llie_video.enhance.settings; "
            "print(sorted(m for m in ('torch', 'numba', 'av', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_shipped_pipeline_config_spells_out_every_setting_at_its_default() -> None:
    """configs/pipeline/default.yaml documents the defaults: a new setting or a changed default
    must show up there too."""
    from pathlib import Path

    import yaml

    from llie_video.config import from_dict

    path = Path(__file__).resolve().parents[2] / "configs" / "pipeline" / "default.yaml"
    enhance = yaml.safe_load(path.read_text())["enhance"]
    assert sorted(enhance) == sorted(setting_names())
    assert from_dict(EnhanceSettings, enhance) == EnhanceSettings()

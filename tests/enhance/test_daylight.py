"""Day and night: the enhancement fades out in daylight and back in at dusk, smoothly, and a
headlight sweeping through a night scene does not pump it (llie_video.enhance.daylight)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.cli import main
from llie_video.enhance.daylight import DaylightFade, daylight_factor, scene_level
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.clips import decoded_rgb
from tests.helpers.daylight import Ramp, headlight_sweep


@pytest.fixture(scope="module")
def model():
    return create_model("default", pretrained=True)


def _y(frame) -> np.ndarray:
    return frame.to_ndarray(format="gray").astype(np.float64)


def test_the_factor_is_full_at_night_none_in_daylight_and_smooth_between():
    levels = np.linspace(0, 1, 201)
    factors = [daylight_factor(level, 0.35) for level in levels]
    assert factors[0] == 1.0 and daylight_factor(0.175, 0.35) == 1.0
    assert daylight_factor(0.35, 0.35) == 0.0 and daylight_factor(0.9, 0.35) == 0.0
    assert all(b <= a for a, b in zip(factors, factors[1:]))  # monotonic
    assert max(abs(b - a) for a, b in zip(factors, factors[1:])) < 0.1  # no jump
    assert all(daylight_factor(level, 1.0) == 1.0 for level in levels)  # off


def test_the_scene_level_is_the_same_from_planes_and_rgb_and_ignores_a_small_light():
    frames = dict(Ramp().frames())
    day = frames[60.0]
    assert scene_level(day) == pytest.approx(scene_level(day.to_ndarray(format="rgb24")),
                                             abs=0.02)
    assert 0.4 < scene_level(day) < 0.55
    night = frames[0.0].to_ndarray(format="rgb24")
    lamp = night.copy()
    lamp[10:30, 10:40] = 255  # a lamp in a fifth of the picture
    assert scene_level(lamp) == pytest.approx(scene_level(night), abs=0.02)


def test_night_to_day_to_night_fades_out_and_back_in_without_a_step(model):
    ramp = Ramp(night_s=4.0, ramp_s=20.0, day_s=20.0, fps=4.0)
    stage = EnhanceStage(model, torch.device("cpu"))
    rows = []
    for t, frame in ramp.frames():
        out = stage.process_planes(frame)
        rows.append((ramp.phase(t), _y(frame), _y(out)))
    night = [o.mean() - i.mean() for phase, i, o in rows if phase == "night"]
    assert min(night) > 50  # the night is lifted, at the start and again at the end
    day = [np.abs(o - i).mean() for phase, i, o in rows if phase == "day"]
    assert np.mean(day[-len(day) // 2:]) <= 2.0  # well-exposed daylight passes through
    steps_in = np.abs(np.diff([i.mean() for _, i, _ in rows]))
    steps_out = np.abs(np.diff([o.mean() for _, _, o in rows]))
    # the output never moves much more from one frame to the next than the scene does
    assert steps_out.max() <= 3 * steps_in.max() + 1.0


def test_a_headlight_sweep_does_not_pump_but_lasting_light_fades_the_lift(model):
    stage = EnhanceStage(model, torch.device("cpu"))
    corner = []
    for _, lit, frame in headlight_sweep():
        out = stage.process_planes(frame)
        assert stage.daylight.factor == 1.0
        if not lit:
            corner.append(_y(out)[-12:, :16].mean())  # out of the light throughout
    assert max(corner[5:]) - min(corner[5:]) < 3.0
    fade = DaylightFade()
    factors = [fade.update(0.05 if t < 5 else 0.45, 0.35, t / 15) for t in range(0, 40 * 15)]
    assert factors[5 * 15] == 1.0 and factors[-1] < 0.05  # a light that stays on


def test_unrelated_images_each_get_their_own_factor(model):
    stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=0.0))
    frames = dict(Ramp().frames())
    night, day = (frames[t].to_ndarray(format="rgb24") for t in (0.0, 60.0))
    assert stage.process(night).mean() > night.mean() + 50
    assert np.abs(stage.process(day).astype(int) - day).mean() <= 2.0


def test_a_well_exposed_file_passes_through_and_daylight_1_turns_the_fade_off(make_clip,
                                                                              tmp_path):
    clip = make_clip(frames=12, size=(96, 64), brightness=170.0, audio=False)
    source = decoded_rgb(clip)
    assert main([str(clip), str(tmp_path / "out.mp4"), "-q"]) == 0
    assert main([str(clip), str(tmp_path / "off.mp4"), "-q", "--daylight", "1"]) == 0
    out, off = decoded_rgb(tmp_path / "out.mp4"), decoded_rgb(tmp_path / "off.mp4")
    differences = [np.abs(o.astype(int) - s).mean() for o, s in zip(out, source)]
    assert len(out) == 12 and np.mean(differences) <= 2.0
    assert np.mean([np.abs(o.astype(int) - s).mean() for o, s in zip(off, source)]) > 5.0

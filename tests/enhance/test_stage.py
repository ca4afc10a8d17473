"""The enhance stage equals its documented recipe, written out here, whatever the banding and
settings: the model's estimate on a frame downscaled to the model's estimation size, its render
at full size under the brightness ceiling's gamma on the luma (then strength), highlight protection, the
blend with the input, the user's gamma."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from llie_video import create_model
from llie_video.models.weights import Manifest
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage

BT601 = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
MAX_EXPONENT = 2.5  # the ceiling darkens the render by at most this exponent
FREE_BELOW, PROTECT_FROM = 0.4, 0.8  # highlight levels with no protection / the full one


def _mean_luma(rgb: torch.Tensor) -> float:
    return float((rgb * BT601).sum(1).mean())


def _luma_power(rgb: torch.Tensor, exponent: float) -> torch.Tensor:
    """Each pixel's channels scaled together so that its luma is raised to ``exponent``."""
    return (rgb * (rgb * BT601).sum(1, keepdim=True).clamp(min=1e-6) ** (exponent - 1)).clamp(0, 1)


def _ceiling_hold(x_low: torch.Tensor, y_low: torch.Tensor, strength: float,
                  ceiling: float) -> tuple[float, float]:
    """The exponent on the render and the strength that hold the mean luma of the blend of the
    small frame and its render at ``max(ceiling, input luma)``: the exponent first (solved by
    bisection, at most MAX_EXPONENT), then the strength (the blend is linear in it)."""
    if ceiling >= 1.0 or strength == 0.0:
        return 1.0, strength
    y_low = y_low.clamp(1e-4, 1.0)
    input_luma = _mean_luma(x_low)
    target = max(ceiling, input_luma)

    def blended(exponent: float) -> float:
        return (1 - strength) * input_luma + strength * _mean_luma(_luma_power(y_low, exponent))

    if blended(1.0) <= target + 1e-5:
        return 1.0, strength
    if blended(MAX_EXPONENT) > target:
        rendered = _mean_luma(_luma_power(y_low, MAX_EXPONENT))
        if rendered <= input_luma:
            return MAX_EXPONENT, strength
        share = (target - input_luma) / (rendered - input_luma)
        return MAX_EXPONENT, min(max(share, 0.0), strength)
    low, high = 1.0, MAX_EXPONENT
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if blended(middle) > target else (low, middle)
    return high, strength


def _frame_headroom(x_low: torch.Tensor, headroom: float) -> float:
    """Full protection when the 99th percentile of the brightest channel is at PROTECT_FROM
    or above, none at FREE_BELOW or below, linear in between."""
    if headroom >= 1.0:
        return 1.0
    brightest = np.sort(x_low.amax(dim=1).flatten().numpy())
    level = brightest[math.ceil(0.99 * brightest.size) - 1]
    weight = min(max((level - FREE_BELOW) / (PROTECT_FROM - FREE_BELOW), 0.0), 1.0)
    return 1.0 - weight * (1.0 - headroom)


def _protect(x: torch.Tensor, y: torch.Tensor, headroom: float) -> torch.Tensor:
    """Each pixel's lift scaled down, by one factor for its three channels, so that none exceeds
    ``m + headroom * (1 - m)`` (``m``: its brightest input channel)."""
    m = x.amax(dim=1, keepdim=True)
    bound = m + headroom * (1 - m)
    lift = y - x
    share = torch.ones_like(y)
    over = y > bound
    share[over] = ((bound - x) / lift.clamp(min=1e-6))[over]
    return x + share.amin(dim=1, keepdim=True).clamp(0, 1) * lift


def _reference(model, rgb: np.ndarray, settings: EnhanceSettings) -> tuple[np.ndarray, float]:
    """The recipe for one frame (no temporal state); also the ceiling's exponent."""
    x = torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0).double() / 255
    height, width = rgb.shape[:2]
    long_side = model.estimation_long_side
    scale = 1.0 if long_side is None else max(1.0, max(height, width) / long_side)
    small = (max(1, int(height / scale)), max(1, int(width / scale)))
    x_low = F.interpolate(x, size=small, mode="bilinear", align_corners=False) if scale > 1 else x
    with torch.no_grad():
        params = model.estimate(x_low.float()).double()
        y_low = model.render(x_low.float(), params.float()).double()
        full = F.interpolate(params, size=(height, width), mode="bilinear", align_corners=True)
        spec = model.render_spec()
        if spec is not None and spec.colour_transform:  # its maps: one per 2x2 block
            blocks = F.interpolate(params[:, -12:], size=((height + 1) // 2, (width + 1) // 2),
                                   mode="bilinear", align_corners=True)
            blocks = blocks.repeat_interleave(2, -2).repeat_interleave(2, -1)
            full[:, -12:] = blocks[..., :height, :width]
        y = model.render(x.float(), full.float()).double()
    assert x_low.shape[-2] * x_low.shape[-1] <= 16384  # measured on every pixel of x_low
    exponent, strength = _ceiling_hold(x_low, y_low, settings.strength,
                                       settings.brightness_ceiling)
    y = _protect(x, _luma_power(y.clamp(min=0), exponent),
                 _frame_headroom(x_low, settings.highlight_headroom))
    y = (x + strength * (y - x)).clamp(min=0) ** (1 / settings.gamma)
    return (y[0].permute(1, 2, 0) * 255 + 0.5).floor().clamp(0, 255).byte().numpy(), exponent


def _test_frame(level: float, seed: int = 1) -> np.ndarray:
    """A noisy frame of mean level ``level`` (of 255) with a lamp-like highlight."""
    rng = np.random.default_rng(seed)
    rgb = rng.normal(level, 0.4 * level + 4, (77, 131, 3))
    rgb[10:25, 90:120] = [250, 235, 200]
    return np.clip(rgb, 0, 255).astype(np.uint8)


# the models' home ground (the ceiling idle), a dim frame (held by a darker render gamma), dusk
# (the darkest gamma allowed, then less strength), a bright frame (passes through)
FRAMES = {"very dark": _test_frame(18), "dim": _test_frame(30), "dusk": _test_frame(70),
          "bright": _test_frame(150)}


# the render steps this recipe leaves out (noise reduction, edge-aware upsampling, saturation,
# shadow desaturation, the daylight fade: tests/enhance/test_daylight.py) turned off
_RECIPE = {"denoise": 0.0, "edge_aware": False, "saturation": 1.0, "shadow_desaturation": 0.0,
           "daylight": 1.0}


@pytest.mark.parametrize("name", sorted(Manifest.load().models))
@pytest.mark.parametrize("settings", [
    EnhanceSettings(**_RECIPE),
    EnhanceSettings(gamma=1.4, strength=0.6, **_RECIPE),
    EnhanceSettings(brightness_ceiling=0.35, highlight_headroom=0.5, smoothing=0.0, **_RECIPE),
    EnhanceSettings(brightness_ceiling=1.0, highlight_headroom=1.0, **_RECIPE),
], ids=["ceiling-and-highlights", "gamma-strength", "low-ceiling", "all-off"])
def test_stage_follows_its_recipe(name, settings):
    model = create_model(name, pretrained=True)
    held = 0
    for frame_name, rgb in FRAMES.items():
        stage = EnhanceStage(model, torch.device("cpu"), settings=settings, band_rows=16)
        out = stage.process(rgb)
        expected, exponent = _reference(model, rgb, settings)
        assert out.shape == rgb.shape and out.dtype == np.uint8
        difference = np.abs(out.astype(int) - expected.astype(int))
        # float rounding (in-place rendering, OpenCV's upsampling) moves a few values by one code
        assert difference.max() <= 1 and difference.mean() < 0.05, (frame_name, difference.max())
        held += exponent > 1.0
    if settings.brightness_ceiling < 1.0:
        assert held  # the ceiling was at work on at least one of the frames


def test_settings_update_applies_to_next_frame():
    stage = EnhanceStage(create_model("zero_dce_pp"), torch.device("cpu"))
    rgb = np.full((32, 48, 3), 40, np.uint8)
    base = stage.process(rgb).mean()
    stage.update(gamma=1.8)
    assert stage.process(rgb).mean() > base + 5
    stage.update(strength=0.0, gamma=1.0)
    assert np.abs(stage.process(rgb).astype(int) - 40).max() <= 1


@pytest.mark.parametrize("bad", [{"gamma": 0.0}, {"strength": 1.5}, {"estimation_long_side": 2},
                                 {"brightness_ceiling": 0.0}, {"brightness_ceiling": 1.2}])
def test_invalid_settings_are_refused(bad):
    with pytest.raises(ValueError):
        EnhanceSettings(**bad)


def test_batches_are_consecutive_frames():
    model = create_model("zero_dce_pp")
    frames = torch.rand(3, 3, 24, 40) * 0.3
    batch = EnhanceStage(model, torch.device("cpu")).enhance_tensor(frames.clone())
    one_by_one_stage = EnhanceStage(model, torch.device("cpu"))
    one_by_one = torch.cat([one_by_one_stage.enhance_tensor(f[None].clone()) for f in frames])
    assert torch.allclose(batch, one_by_one)


def _moderately_dark_frame(height: int = 72, width: int = 128) -> np.ndarray:
    """Dusk-like: mean luma about 85 of 255, which the shipped default lifts far above 0.5."""
    rng = np.random.default_rng(3)
    return np.clip(rng.normal(85, 30, (height, width, 3)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("long_side", [-1, None])  # None: estimated (and measured) on 40K pixels
def test_brightness_ceiling_holds_a_moderately_dark_frame_at_its_level(long_side):
    model = create_model("zero_dce_pp", pretrained=True)
    rgb = _moderately_dark_frame(160, 256)
    free = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(
        brightness_ceiling=1.0, estimation_long_side=long_side, daylight=1.0))
    held = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(
        brightness_ceiling=0.5, estimation_long_side=long_side, daylight=1.0))
    assert free.process(rgb).mean() > 0.6 * 255  # without it the frame washes out
    assert abs(held.process(rgb).mean() - 0.5 * 255) < 0.04 * 255


def test_user_gamma_applies_on_top_of_the_ceiling():
    model = create_model("zero_dce_pp", pretrained=True)
    rgb = _moderately_dark_frame()
    means = {gamma: EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(
        gamma=gamma, brightness_ceiling=0.5)).process(rgb).mean() for gamma in (0.7, 1.0, 1.4)}
    assert means[0.7] + 10 < means[1.0] < means[1.4] - 10


def test_brightness_ceiling_is_the_same_on_the_plane_path():
    import av

    model = create_model("zero_dce_pp", pretrained=True)
    frame = av.VideoFrame.from_ndarray(_moderately_dark_frame(), format="rgb24").reformat(
        format="yuv420p")
    settings = EnhanceSettings(smoothing=0.0, daylight=1.0)  # the ceiling alone
    stage = EnhanceStage(model, torch.device("cpu"), settings=settings)
    fused = stage.process_planes(frame).to_ndarray(format="rgb24").astype(float)
    torch_stage = EnhanceStage(model, torch.device("cpu"), fused=False, settings=settings)
    plain = torch_stage.process_planes(frame).to_ndarray(format="rgb24").astype(float)
    assert abs(fused.mean() - 0.5 * 255) < 0.05 * 255
    assert np.abs(fused - plain).mean() < 2.0  # the two routes differ by about one code value


def test_a_dim_tinted_grey_wall_stays_grey():
    """Sensor noise and a faint lilac tint in a very dark flat area: with the shadows' colour
    faded by the measured noise (``shadow_desaturation``, off by default since the learned
    colour render), the enhanced wall is close to grey; without, the tint is amplified with it."""
    rng = np.random.default_rng(5)
    wall = np.clip(np.array([9.0, 7.0, 10.0]) + rng.normal(0, 2.5, (90, 120, 3)), 0, 255)
    wall = wall.astype(np.uint8)

    def chroma(settings):
        out = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"),
                           settings=settings).process(wall).astype(float)
        return np.abs(out - out.mean(2, keepdims=True)).mean(), out.mean()

    faded, lit = chroma(EnhanceSettings(smoothing=0.0, shadow_desaturation=16.0))
    tinted, _ = chroma(EnhanceSettings(smoothing=0.0, shadow_desaturation=0.0))
    assert lit > 15  # it was brightened
    assert faded < 0.5 * tinted


def test_the_estimator_runs_on_the_torch_threads_the_job_configured():
    """Loading the fused kernel resets the OpenMP thread count torch reads, and a pipeline's
    enhance thread starts from the default: the stage keeps the count the job set (one, so that
    the estimator does not spin on the codec's core). In a fresh process, where the kernel is
    loaded for the first time."""
    code = """
import threading, torch
from llie_video import create_model
from llie_video.enhance.stage import EnhanceStage
from llie_video.sample import decoded_sample_frames
torch.set_num_threads(1)
stage = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"), kernel_threads=1)
model = type(stage.model)
seen, estimate = [], model.estimate
model.estimate = lambda self, x: seen.append(torch.get_num_threads()) or estimate(self, x)
stage.prepare()
frames = decoded_sample_frames(3, 64, 48, 1.0)
worker = threading.Thread(target=lambda: [stage.process_planes(f) for f in frames])
worker.start(); worker.join()
print(seen)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(eval(out.stdout.strip().splitlines()[-1])) == {1}

"""The enhance stage equals the model's own forward pass, whatever the banding and settings."""

import numpy as np
import pytest
import torch

from llie_video import create_model, list_models
from llie_video.ops.color import adjust_gamma, blend
from llie_video.ops.highlights import protect_highlights
from llie_video.enhance.settings import EnhanceSettings
from llie_video.video.stage import EnhanceStage


def _reference(model, rgb, settings):
    x = torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0).float() / 255
    with torch.no_grad():
        y = model(x, long_side=settings.estimation_long_side)
    y = protect_highlights(x, y, settings.highlight_headroom)
    y = adjust_gamma(blend(x, y, settings.strength), settings.gamma)
    return (y[0].permute(1, 2, 0) * 255 + 0.5).clamp(0, 255).to(torch.uint8).numpy()


_PLAIN = {"brightness_ceiling": 1.0, "denoise": 0.0, "edge_aware": False, "saturation": 1.0,
          "shadow_desaturation": 0.0}  # the model's forward


@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize("settings", [
    EnhanceSettings(**_PLAIN),
    EnhanceSettings(gamma=1.4, strength=0.6, **_PLAIN),
    EnhanceSettings(highlight_headroom=1.0, **_PLAIN),
])
def test_stage_matches_model_forward(name, settings):
    torch.manual_seed(0)
    model = create_model(name)
    rgb = (np.random.default_rng(1).random((77, 131, 3)) * 70).astype(np.uint8)
    stage = EnhanceStage(model, torch.device("cpu"), settings=settings, band_rows=16)
    out = stage.process(rgb)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    # in-place rendering reassociates float ops: allow one code value
    assert np.abs(out.astype(int) - _reference(model, rgb, settings).astype(int)).max() <= 1


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
        brightness_ceiling=1.0, estimation_long_side=long_side))
    held = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(
        brightness_ceiling=0.5, estimation_long_side=long_side))
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
    stage = EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=0.0))
    fused = stage.process_planes(frame).to_ndarray(format="rgb24").astype(float)
    torch_stage = EnhanceStage(model, torch.device("cpu"), fused=False,
                               settings=EnhanceSettings(smoothing=0.0))
    plain = torch_stage.process_planes(frame).to_ndarray(format="rgb24").astype(float)
    assert abs(fused.mean() - 0.5 * 255) < 0.05 * 255
    assert np.abs(fused - plain).mean() < 2.0  # the two routes differ by about one code value


def test_a_dim_tinted_grey_wall_stays_grey():
    """Sensor noise and a faint lilac tint in a very dark flat area: with the shadows' colour
    faded by the measured noise, the enhanced wall is close to grey; without, the tint is
    amplified with it."""
    rng = np.random.default_rng(5)
    wall = np.clip(np.array([9.0, 7.0, 10.0]) + rng.normal(0, 2.5, (90, 120, 3)), 0, 255)
    wall = wall.astype(np.uint8)

    def chroma(settings):
        out = EnhanceStage(create_model("default", pretrained=True), torch.device("cpu"),
                           settings=settings).process(wall).astype(float)
        return np.abs(out - out.mean(2, keepdims=True)).mean(), out.mean()

    faded, lit = chroma(EnhanceSettings(smoothing=0.0))
    tinted, _ = chroma(EnhanceSettings(smoothing=0.0, shadow_desaturation=0.0))
    assert lit > 15  # it was brightened
    assert faded < 0.5 * tinted

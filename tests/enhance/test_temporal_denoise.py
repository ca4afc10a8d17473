"""Motion-adaptive temporal noise reduction: quieter static scenes, no ghosts, resets."""

import cv2
import numpy as np
import pytest
import torch

from llie_video.enhance.temporal_denoise import TemporalDenoiser, exposure_gain

GEN = torch.Generator().manual_seed(0)


def _frame(scene, sigma=0.03):
    return (scene + sigma * torch.randn(scene.shape, generator=GEN)).clamp(0, 1)


def _texture(seed=0):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((90, 140)).astype(np.float32), (0, 0), 3)


def _blocks(image):
    return torch.from_numpy(np.ascontiguousarray(image))[None, None]


def _run(denoiser, frames, smoothing):
    out = []
    for x in frames:
        x = x.clone()
        weights = denoiser.begin(x, smoothing)
        for top in range(0, x.shape[-2], 16):  # bands, as the stage does
            denoiser.filter_(x[:, :, top : top + 16], slice(top, top + 16), weights)
        out.append(x)
    return out


def test_static_noise_is_reduced():
    scene = torch.linspace(0.05, 0.3, 96).view(1, 1, 1, 96).expand(1, 3, 64, 96).contiguous()
    frames = [_frame(scene) for _ in range(12)]
    out = _run(TemporalDenoiser(), frames, 0.8)
    noise_in = torch.stack(frames[6:]).std(0).mean()
    noise_out = torch.stack(out[6:]).std(0).mean()
    assert noise_out < 0.6 * noise_in
    assert (torch.stack(out[6:]).mean(0) - scene).abs().mean() < 0.01  # no bias


def test_moving_object_leaves_no_ghost():
    frames = []
    for i in range(10):
        scene = torch.full((1, 3, 64, 128), 0.1)
        scene[:, :, 20:44, 8 + 10 * i : 32 + 10 * i] = 0.9
        frames.append(_frame(scene, 0.01))
    out = _run(TemporalDenoiser(), frames, 0.9)
    left_behind = out[-1][:, :, 20:44, 8 + 10 * 8 : 8 + 10 * 9]  # where the object was a frame ago
    assert left_behind.mean() < 0.15
    assert out[-1][:, :, 20:44, 8 + 10 * 9 + 2 : 32 + 10 * 9 - 2].mean() > 0.85


def test_a_brightening_scene_is_followed_without_lag():
    """Light rising 3% a frame: the filtered frame keeps the current level (a plain recursive
    average would lag ~2 frames behind: 6% too dark) while the noise still goes down."""
    scene = torch.linspace(0.05, 0.3, 96).view(1, 1, 1, 96).expand(1, 3, 64, 96).contiguous()
    lit = [scene * 1.03**t for t in range(12)]
    out = _run(TemporalDenoiser(), [_frame(s) for s in lit], 0.8)
    for filtered, target in zip(out[6:], lit[6:]):
        assert abs(float(filtered.mean() / target.mean()) - 1.0) < 0.01
    assert (out[-1] - lit[-1]).std() < 0.6 * 0.03


def test_exposure_gain_leaves_out_a_moving_object():
    previous = _texture() + 0.1
    current = 1.08 * previous
    current[30:50, 40:70] = 0.9  # an object that was not there
    assert exposure_gain(_blocks(previous), _blocks(current)) == pytest.approx(1.08, abs=0.002)
    black = np.zeros_like(previous)
    assert exposure_gain(_blocks(black), _blocks(previous)) == 1.0
    assert exposure_gain(_blocks(previous), _blocks(4 * previous)) == 1.5  # a flash: bounded


def test_smoothing_zero_and_reset_pass_frames_through():
    denoiser = TemporalDenoiser()
    a, b = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    assert torch.equal(_run(denoiser, [a, b], 0.0)[1], b)
    _run(denoiser, [a], 0.8)
    denoiser.reset()
    assert torch.equal(_run(denoiser, [b], 0.8)[0], b)

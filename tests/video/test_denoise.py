"""Motion-adaptive temporal noise reduction: quieter static scenes, no ghosts, resets."""

import cv2
import numpy as np
import pytest
import torch

from llie_video.video.denoise import (
    STILL,
    CameraMotion,
    TemporalDenoiser,
    exposure_gain,
    global_motion,
    move_image,
    move_on_device,
)

GEN = torch.Generator().manual_seed(0)


def _frame(scene, sigma=0.03):
    return (scene + sigma * torch.randn(scene.shape, generator=GEN)).clamp(0, 1)


def _run(denoiser, frames, strength):
    out = []
    for x in frames:
        x = x.clone()
        weights = denoiser.begin(x, strength)
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


def test_strength_zero_and_reset_pass_frames_through():
    denoiser = TemporalDenoiser()
    a, b = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    assert torch.equal(_run(denoiser, [a, b], 0.0)[1], b)
    _run(denoiser, [a], 0.8)
    denoiser.reset()
    assert torch.equal(_run(denoiser, [b], 0.8)[0], b)


def _texture(seed=0):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.random((90, 140)).astype(np.float32), (0, 0), 3)


def _blocks(image):
    return torch.from_numpy(np.ascontiguousarray(image))[None, None]


@pytest.mark.parametrize(("dy", "dx"), [(0, 2), (-1, 3), (2, -2), (0.375, 1.5), (-0.625, 0.0)])
def test_global_motion_follows_a_pan(dy, dx):
    """Block means moved by ``(dy, dx)`` blocks (4 pixels each), sub-block steps included: the
    shift is found in full-resolution pixels to within a tenth of a pixel."""
    image = _texture()
    moved = cv2.warpAffine(image, np.float32([[1, 0, dx], [0, 1, dy]]), image.shape[::-1],
                           flags=cv2.INTER_LINEAR)
    previous, current = image[20:80, 20:120], moved[20:80, 20:120]
    found = global_motion(_blocks(previous), _blocks(current))
    assert found.dy == pytest.approx(4 * dy, abs=0.1) and found.dx == pytest.approx(4 * dx, abs=0.1)
    assert found.scale == 1.0


@pytest.mark.parametrize(("scale", "dx"), [(1.01, 0.0), (0.994, 1.5), (1.004, -2.0)])
def test_global_motion_follows_a_zoom(scale, dx):
    """A zoom about the centre with a pan (``dx`` blocks): the scale is found to within 0.1%
    and the shift to within a tenth of a pixel."""
    image = _texture(1)
    cy, cx = (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    matrix = np.float32([[scale, 0, (1 - scale) * cx + dx], [0, scale, (1 - scale) * cy]])
    moved = cv2.warpAffine(image, matrix, image.shape[::-1], flags=cv2.INTER_LINEAR)
    previous, current = image[15:75, 20:120], moved[15:75, 20:120]
    found = global_motion(_blocks(previous), _blocks(current))
    assert found.scale == pytest.approx(scale, abs=0.001)
    assert found.dx == pytest.approx(4 * dx, abs=0.1) and found.dy == pytest.approx(0, abs=0.1)


def test_global_motion_ignores_a_static_scene_and_a_small_moving_object():
    scene = _texture()[20:80, 20:120]
    assert global_motion(_blocks(scene), _blocks(scene.copy())) == STILL
    before, after = scene.copy(), scene.copy()
    before[20:30, 10:20] += 3.0  # a bright object moves by 5 blocks; the scene stays
    after[20:30, 15:25] += 3.0
    assert global_motion(_blocks(before), _blocks(after)) == STILL


def test_move_image_zooms_about_the_centre():
    x = torch.zeros(1, 1, 9, 9)
    x[0, 0, 4, 4], x[0, 0, 4, 6] = 1.0, 1.0  # the centre, and a point 2 pixels right of it
    moved = move_image(x, CameraMotion(0, 0, 1.5))  # 2 pixels from the centre -> 3
    assert moved[0, 0, 4, 4] == pytest.approx(1.0) and moved[0, 0, 4, 7] == pytest.approx(1.0)


def test_move_image_moves_content_and_replicates_edges():
    x = torch.arange(12, dtype=torch.float32).reshape(1, 1, 3, 4)
    moved = move_image(x, CameraMotion(0, 1))
    assert moved[0, 0, :, 1:].tolist() == x[0, 0, :, :3].tolist()
    assert moved[0, 0, :, 0].tolist() == x[0, 0, :, 0].tolist()


@pytest.mark.parametrize("motion", [CameraMotion(0.3, -1.7), CameraMotion(-2.25, 0.5, 1.013),
                                    CameraMotion(0, 0, 0.98), CameraMotion(3, 4)])
def test_the_device_move_matches_the_opencv_move(motion):
    """CUDA frames are moved with grid_sample on the device; the same maths on the CPU equals
    OpenCV's move, edges included."""
    x = torch.rand(1, 3, 37, 53, generator=GEN)
    torch.testing.assert_close(move_on_device(x, motion), move_image(x, motion), atol=2e-5, rtol=0)

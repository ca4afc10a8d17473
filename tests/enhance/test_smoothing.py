"""Temporal smoothing: less flicker on static scenes, instant response to cuts and motion."""

import av
import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.enhance import smoothing
from llie_video.enhance.smoothing import ParamSmoother, look_at
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from llie_video.runtimes.cpu_estimator import CpuEstimate

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def model():
    return create_model("default", pretrained=True)


def _run(model, frames, smoothing):
    # the daylight fade, which smoothing also carries across a cut, is tested on its own
    settings = EnhanceSettings(smoothing=smoothing, daylight=1.0)
    stage = EnhanceStage(model, torch.device("cpu"), settings=settings)
    return [stage.process(f).astype(np.float64) for f in frames]


def _noisy_static(n=20, level=30.0, size=(72, 128), sigma=6.0):
    scene = np.linspace(0.5, 1.5, size[1])[None, :, None] * level * np.ones((*size, 3))
    return [np.clip(scene + RNG.normal(0, sigma, scene.shape), 0, 255).astype(np.uint8)
            for _ in range(n)]


def test_zero_smoothing_is_per_frame_exactly(model):
    frames = _noisy_static(6)
    per_frame = [EnhanceStage(model, torch.device("cpu"), settings=EnhanceSettings(smoothing=0.0))
                 .process(f) for f in frames]
    assert all((a == b).all() for a, b in zip(_run(model, frames, 0.0), per_frame, strict=True))


@pytest.mark.parametrize("sigma", [6.0, 12.0, 20.0])
def test_static_noisy_clip_parameters_jitter_less(model, sigma):
    frames = torch.stack([torch.from_numpy(f).permute(2, 0, 1).float() / 255
                          for f in _noisy_static(16, sigma=sigma)])
    with torch.no_grad():
        params = model.estimate(frames)
    smoother = ParamSmoother()
    smoothed = smoother(params, frames, 0.8)
    assert smoother.cuts == 0  # noise is not a scene cut
    assert smoothed[4:].std(0).mean() < 0.5 * params[4:].std(0).mean()


def test_scene_cut_resets_state(model):
    dark = _noisy_static(8, level=15.0)
    other = _noisy_static(3, level=90.0)
    smoothed = _run(model, dark + other, 0.9)
    per_frame = _run(model, dark + other, 0.0)
    assert np.abs(smoothed[8] - per_frame[8]).max() <= 1  # first frame after the cut


def test_moving_bright_object_leaves_no_trail(model):
    frames = []
    for i in range(12):
        f = np.full((64, 160, 3), 20, np.uint8)
        f[20:44, 10 + 10 * i : 34 + 10 * i] = 200  # bright square moving right
        frames.append(f)
    smoothed, per_frame = _run(model, frames, 0.9), _run(model, frames, 0.0)
    # the region the square just left must look like the per-frame result (no ghost)
    trail = (slice(20, 44), slice(10 + 10 * 10, 10 + 10 * 11))
    assert np.abs(smoothed[11][trail] - per_frame[11][trail]).mean() < 2.0
    # and the edge profile across the square is unchanged
    row = 32
    assert np.abs(smoothed[11][row] - per_frame[11][row]).max() <= 3


def test_reset_and_batches():
    smoother = ParamSmoother()
    frames = torch.rand(4, 3, 8, 8) * 0.2
    params = torch.rand(4, 3, 8, 8)
    batch = smoother(params, frames, 0.5)
    smoother.reset()
    sequential = torch.cat([smoother(params[i : i + 1], frames[i : i + 1], 0.5) for i in range(4)])
    assert torch.allclose(batch, sequential)
    assert torch.equal(batch[0], params[0])  # no history yet


def _to_tensor(frame: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255


def test_hold_keeps_the_parameters_only_while_nothing_changes():
    still = [_to_tensor(f) for f in _noisy_static(6)]
    params = torch.rand(1, 3, 72, 128)
    smoother = ParamSmoother()
    assert smoother.hold(still[0], 0.7) is None  # no history yet
    smoothed = smoother(params, still[0], 0.7)
    assert torch.equal(smoother.hold(still[1], 0.7), smoothed)
    assert torch.equal(smoother.hold(still[2], 0.7), smoothed)
    assert smoother.hold(still[3], 0.7) is None  # held max_hold frames in a row: estimate again
    smoother(params, still[3], 0.7)
    assert smoother.hold(still[4], 0.0) is None  # smoothing off: every frame estimated
    moved = still[4].clone()
    moved[..., 20:40, 30:60] += 0.5  # something moved
    assert smoother.hold(moved, 0.7) is None
    assert smoother.hold(still[4] * 1.05, 0.7) is None  # the light changed
    assert smoother.hold(still[4] * 0.1 + 0.6, 0.7) is None  # a cut


def test_each_frame_is_looked_at_once_and_the_look_kept_while_it_is_the_previous(monkeypatch):
    """The blur, the cut grid and the level of a frame are taken when it arrives and reused
    when the next one is compared with it, held or smoothed, with the same answers as looking
    afresh."""
    looked = []
    monkeypatch.setattr(smoothing, "look_at", lambda frame: looked.append(1) or look_at(frame))
    frames = [_to_tensor(f) for f in _noisy_static(6)]
    frames[4] = frames[4].clone()
    frames[4][..., 20:40, 30:60] += 0.5  # motion: held frames, then a smoothed one
    generator = torch.Generator().manual_seed(0)
    params = [torch.rand(1, 3, 72, 128, generator=generator) for _ in frames]
    ours, fresh = ParamSmoother(), ParamSmoother()
    outputs = []
    for frame, estimate in zip(frames, params):
        held = ours.hold(frame, 0.7)
        outputs.append(held if held is not None else ours(estimate, frame, 0.7))
    assert len(looked) == len(frames) + 1  # the first is looked at when the second comes
    assert torch.equal(outputs[1], outputs[0])  # held
    assert not torch.equal(outputs[4], outputs[3])  # moved: estimated
    for frame, estimate, out in zip(frames, params, outputs):
        fresh._frame_look = None  # forget what was kept: every comparison looks afresh
        expected = fresh.hold(frame, 0.7)
        fresh._frame_look = None
        expected = expected if expected is not None else fresh(estimate, frame, 0.7)
        assert torch.equal(out, expected)
    assert ours.cuts == 0


@pytest.mark.parametrize("path", ["rgb", "planes"])
def test_a_still_camera_skips_most_estimates_and_a_moving_scene_none(model, monkeypatch, path):
    calls = []
    estimate = CpuEstimate.__call__

    def counting_estimate(route, x):  # the stage's estimate, in torch or ONNX Runtime
        calls.append(1)
        return estimate(route, x)

    monkeypatch.setattr(CpuEstimate, "__call__", counting_estimate)

    def estimates(frames):
        calls.clear()
        stage = EnhanceStage(model, torch.device("cpu"))
        for f in frames:
            if path == "rgb":
                stage.process(f)
            else:
                stage.process_planes(av.VideoFrame.from_ndarray(f, format="rgb24").reformat(
                    format="yuv420p"))
        return len(calls)

    assert estimates(_noisy_static(12)) <= 6  # first two frames, then one in three
    moving = []
    for i in range(8):
        f = np.full((64, 160, 3), 20, np.uint8)
        f[20:44, 10 + 10 * i : 34 + 10 * i] = 200
        moving.append(f)
    assert estimates(moving) == 8

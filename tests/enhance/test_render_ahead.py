"""Rendering ahead: each frame's fused pass on its own thread while the next frame is estimated
gives the frames a pass on the calling thread gives, bit for bit, through motion, a scene cut,
a size change and a reset; a failed pass is raised where its frame is collected; a pass leaves a
thread to the estimate running beside it."""

import threading

import av
import numba
import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.enhance.render_ahead import RenderAhead
from llie_video.enhance.settings import EnhanceSettings
from llie_video.enhance.stage import EnhanceStage
from llie_video.sample import decoded_sample_frames
from llie_video.video.frame import Frame
from llie_video.video.frame_processor import enhance_in_order


def _flat_frame(width: int, height: int, value: int) -> av.VideoFrame:
    """A flat grey yuv420p frame (another scene: the smoother sees a cut)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, fill in zip(frame.planes, (value, 128, 128)):
        np.frombuffer(plane, np.uint8)[:] = fill
    return frame


def _clip() -> list[av.VideoFrame]:
    moving = decoded_sample_frames(8, 160, 96, noise=3.0)
    return moving[:5] + [_flat_frame(160, 96, 200)] + moving[5:] + decoded_sample_frames(
        3, 96, 64, noise=3.0)


def _planes(frames: list[Frame]) -> list[np.ndarray]:
    return [f.decoded.to_ndarray() for f in frames]


@pytest.mark.parametrize("kernel_threads", [1, 2])
def test_frames_rendered_ahead_are_the_frames_rendered_in_turn(kernel_threads):
    model = create_model("default", pretrained=True)
    settings = EnhanceSettings(smoothing=0.7)
    frames = [Frame(f, pts=i, time_base=None, index=i) for i, f in enumerate(_clip())]
    in_turn = EnhanceStage(model, torch.device("cpu"), settings=settings, kernel_threads=1)
    ahead = EnhanceStage(model, torch.device("cpu"), settings=settings,
                         kernel_threads=kernel_threads, render_ahead=True)
    assert in_turn.overlap == 0 and ahead.overlap == 1 and ahead.fused
    expected = _planes(list(enhance_in_order(in_turn, frames)))
    got = _planes(list(enhance_in_order(ahead, frames)))
    assert len(got) == len(frames)
    for a, b in zip(expected, got):
        assert np.array_equal(a, b)
    ahead.reset_temporal()
    in_turn.reset_temporal()
    again = _planes(list(enhance_in_order(ahead, frames[:3])))
    assert all(np.array_equal(a, b) for a, b in zip(expected[:3], again))


def test_the_pass_runs_on_the_render_thread_and_its_failure_reaches_the_collector():
    model = create_model("default", pretrained=True)
    stage = EnhanceStage(model, torch.device("cpu"), render_ahead=True)
    frame = decoded_sample_frames(1, 64, 48)[0]
    seen: list[str] = []
    route = stage._planes
    original = route.renderer.plan

    def plan(*args, **kwargs):
        fused_pass = original(*args, **kwargs)
        run = fused_pass.run

        def run_and_note():
            seen.append(threading.current_thread().name)
            return run()
        fused_pass.run = run_and_note
        return fused_pass
    def broken(*args, **kwargs):
        fused_pass = original(*args, **kwargs)
        fused_pass.previous = ()  # the kernel cannot be called with these
        return fused_pass
    try:
        route.renderer.plan = plan
        pending = stage.submit_frame(Frame(frame, pts=0, time_base=None, index=0))
        assert pending.result().decoded.format.name == "yuv420p"
        assert seen[0].startswith("stage-render")
        route.renderer.plan = broken
        pending = stage.submit_frame(Frame(frame, pts=1, time_base=None, index=1))
        with pytest.raises(TypeError):
            pending.result()
    finally:
        del route.renderer.plan  # no cycle through the stage: its render thread ends with it


class _ThreadCount:
    """A pass that notes the Numba threads it ran on."""

    def __init__(self, seen: list[int]) -> None:
        self.seen = seen

    def run(self) -> int:
        self.seen.append(numba.get_num_threads())
        return len(self.seen)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one core")
def test_a_pass_beside_the_next_estimate_leaves_it_a_thread():
    """Collected before the next frame (a live job): all the threads; left in flight while the
    next frame is submitted (a file job): one fewer, the estimate's."""
    seen: list[int] = []
    ahead = RenderAhead(2)
    ahead.submit(_ThreadCount(seen)).result()
    ahead.submit(_ThreadCount(seen)).result()
    in_flight = ahead.submit(_ThreadCount(seen))
    following = ahead.submit(_ThreadCount(seen))
    in_flight.result(), following.result()
    assert seen == [2, 2, 2, 1]

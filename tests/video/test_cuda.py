"""The CUDA route on a GPU: the same frames as the CPU's torch route, frames in flight equal to
frames one at a time, a job keeps its frames and timing. Skipped where there is no CUDA GPU
(CI has none); run them, then ``python bench/overlap.py``, on a machine with one."""

import av
import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.video.frame import Frame
from llie_video.video.frame_processor import enhance_in_order
from llie_video.video.job import enhance_video
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.clips import dark_frames, plane_copies

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")

CUDA = torch.device("cuda") if torch.cuda.is_available() else None


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _run(stage: EnhanceStage, frames: list[av.VideoFrame]) -> list[list[np.ndarray]]:
    """Enhance ``frames`` in order, ``stage.overlap`` frames in flight, as the pipeline does."""
    wrapped = (Frame(frame, pts=i, time_base=None, index=i) for i, frame in enumerate(frames))
    return [plane_copies(result.decoded) for result in enhance_in_order(stage, wrapped)]


@pytest.mark.parametrize("dtype, floor_db", [(torch.float32, 45.0), (torch.float16, 38.0)])
@pytest.mark.parametrize("fmt", ["yuv420p", "nv12", "yuv420p10le"])
def test_cuda_route_matches_the_cpu_route(dtype, floor_db, fmt):
    frames = dark_frames(5, (96, 64), fmt)
    model = create_model("default", pretrained=True)
    cpu = _run(EnhanceStage(model, torch.device("cpu"), fused=False, in_flight=1), frames)
    gpu = _run(EnhanceStage(create_model("default", pretrained=True), CUDA, dtype), frames)
    for ours, reference in zip(gpu, cpu):
        for plane, plane_reference in zip(ours, reference):
            assert _psnr(plane, plane_reference) >= floor_db


@pytest.mark.parametrize("depth", [2, 3])
def test_frames_in_flight_on_the_gpu_equal_frames_one_at_a_time(depth):
    frames = dark_frames(8, (128, 72), "yuv420p") + dark_frames(3, (136, 76), "nv12", 1)
    model = create_model("default", pretrained=True)
    one = _run(EnhanceStage(model, CUDA, in_flight=1), frames)
    many = _run(EnhanceStage(create_model("default", pretrained=True), CUDA, in_flight=depth),
                frames)
    for ours, reference in zip(many, one):
        for plane, plane_reference in zip(ours, reference):
            assert np.abs(plane.astype(int) - plane_reference).max() <= 1


def test_a_cuda_job_keeps_every_frame_and_its_time(make_clip, tmp_path):
    clip = make_clip(frames=12, size=(96, 64))
    out = tmp_path / "out.mp4"
    stage = EnhanceStage(create_model("default", pretrained=True), CUDA, torch.float16)
    assert stage.overlap == 1
    assert enhance_video(clip, out, stage).frames == 12

    def pts(path):
        with av.open(str(path)) as container:
            return [f.pts * f.time_base for f in container.decode(video=0)]

    assert pts(out) == pts(clip)

"""Frames in flight through the staged plane ring: same results as one frame at a time, in
order, whatever the layout, bit depth or size; a job keeps its frames and timing. On the CPU the
ring runs without streams (the CUDA route's bookkeeping, exercised without a GPU)."""

import av
import numpy as np
import pytest
import torch

from llie_video import create_model
from llie_video.video.frame import Frame
from llie_video.video.job import enhance_video
from llie_video.video.pipeline import Pipeline
from llie_video.enhance.plane_transfer import PlaneTransfer
from llie_video.video.sources import FileSource
from llie_video.enhance.stage import EnhanceStage
from tests.helpers.clips import dark_frames, plane_copies
from tests.helpers.pipeline_parts import ListSink

CPU = torch.device("cpu")


def _torch_route(in_flight: int) -> EnhanceStage:
    return EnhanceStage(create_model("default", pretrained=True), CPU, fused=False,
                        in_flight=in_flight)


@pytest.mark.parametrize("fmt, size", [("yuv420p", (64, 48)), ("nv12", (37, 29)),
                                       ("yuv420p10le", (50, 34))])
def test_frames_in_flight_equal_frames_one_at_a_time(fmt, size):
    frames = dark_frames(6, size, fmt) + dark_frames(3, (size[0] + 6, size[1] + 4), fmt, 1)
    one_at_a_time = _torch_route(1)
    expected = [plane_copies(one_at_a_time.process_planes(f)) for f in frames]

    in_flight = _torch_route(3)
    assert in_flight.overlap == 2
    pending = [in_flight.submit_frame(Frame(f, pts=i, time_base=None, index=i))
               for i, f in enumerate(frames[:3])]  # three in flight: the ring is full
    results = [pending.pop(0).result()]
    for i, f in enumerate(frames[3:], start=3):
        pending.append(in_flight.submit_frame(Frame(f, pts=i, time_base=None, index=i)))
        results.append(pending.pop(0).result())
    results += [p.result() for p in pending]
    assert [r.index for r in results] == list(range(len(frames)))
    for result, planes in zip(results, expected):
        assert result.decoded.format.name == "yuv420p"
        for ours, reference in zip(plane_copies(result.decoded), planes):
            np.testing.assert_array_equal(ours, reference)


def test_ring_refuses_more_frames_than_slots():
    transfer = PlaneTransfer(CPU, depth=2, staged=True)
    planes = [np.zeros((4, 4), np.uint8), np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8)]
    owed = [transfer.download(transfer.upload(planes), [torch.ones(4, 4, dtype=torch.uint8)])
            for _ in range(2)]
    with pytest.raises(RuntimeError, match="more than 2 frames in flight"):
        transfer.upload(planes)
    target = np.zeros((4, 4), np.uint8)
    owed[0].copy_to([target])
    assert (target == 1).all()
    transfer.upload(planes)  # its slot is free again


def test_unstaged_planes_are_used_where_they_lie():
    transfer = PlaneTransfer(CPU)
    assert not transfer.staged and transfer.overlap == 0
    luma = np.arange(12, dtype=np.uint16).reshape(3, 4)
    staged = transfer.upload([luma])
    assert staged.planes[0].dtype == torch.int16
    np.testing.assert_array_equal(staged.planes[0].numpy(), luma)


def test_a_pipeline_with_frames_in_flight_hands_on_the_same_frames(make_clip):
    clip = make_clip(frames=10, size=(64, 48))
    received = {}
    for depth in (1, 2):
        sink = ListSink()
        with FileSource(clip, decoded_frames=True) as source:
            Pipeline(source, _torch_route(depth), sink).run()
        received[depth] = sink

    assert [f.pts for f in received[2].video] == [f.pts for f in received[1].video]
    assert len(received[2].video) == 10 and len(received[2].audio) == len(received[1].audio) > 0
    for two, one in zip(received[2].video, received[1].video):
        for ours, reference in zip(plane_copies(two.decoded), plane_copies(one.decoded)):
            np.testing.assert_array_equal(ours, reference)


def test_a_job_with_frames_in_flight_keeps_every_frame_and_its_time(make_clip, tmp_path):
    clip = make_clip(frames=10, size=(64, 48))
    out = tmp_path / "out.mp4"
    assert enhance_video(clip, out, _torch_route(2)).frames == 10

    def pts(path):
        with av.open(str(path)) as container:
            return [f.pts * f.time_base for f in container.decode(video=0)]

    assert pts(out) == pts(clip)

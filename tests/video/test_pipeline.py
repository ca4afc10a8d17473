"""The threaded pipeline on its own: order, back-pressure, error propagation, stop."""

import threading
import time

import numpy as np
import pytest

from llie_video.video.frame import Frame, Reset
from llie_video.video.frame_processor import ReadyFrame
from llie_video.video.pipeline import Pipeline, StageError


def _frames(n, delay=0.0):
    for i in range(n):
        if delay:
            time.sleep(delay)
        yield Frame(image=np.full((4, 4, 3), i, np.uint8), pts=i, time_base=None, index=i)


class RgbProcessor:
    """A processor of RGB pixels, as the pipeline calls it."""

    overlap = 0

    def process(self, rgb):
        return rgb

    def process_frame(self, frame, keep_original=False):
        return frame.with_pixels(self.process(frame.rgb), keep_original)

    def submit_frame(self, frame, keep_original=False):
        return ReadyFrame(self.process_frame(frame, keep_original))

    def reset_temporal(self):
        pass


class Invert(RgbProcessor):
    def process(self, rgb):
        return 255 - rgb


class ListSink:
    def __init__(self, fail_at=None, delay=0.0):
        self.video, self.audio, self.fail_at, self.delay = [], [], fail_at, delay

    def write_video(self, frame):
        if frame.index == self.fail_at:
            raise OSError("disk full")
        time.sleep(self.delay)
        self.video.append(frame)

    def write_audio(self, packet):
        self.audio.append(packet)


def test_every_frame_arrives_in_order_with_timing():
    sink = ListSink(delay=0.002)  # slower than the source: back-pressure, no drops
    stats = Pipeline(_frames(50), Invert(), sink, queue_size=2).run()
    assert [f.pts for f in sink.video] == list(range(50))
    assert all((f.rgb == 255 - f.index).all() for f in sink.video)
    assert stats.frames_in == stats.frames_out == 50


def test_non_frame_items_pass_through_in_order():
    items = [*_frames(2), "audio-1", *(_frames(1)), "audio-2"]
    sink = ListSink()
    Pipeline(items, Invert(), sink).run()
    assert sink.audio == ["audio-1", "audio-2"]
    assert len(sink.video) == 3


def test_enhance_error_names_the_stage_and_stops_everything():
    class Broken(RgbProcessor):
        def process(self, rgb):
            raise ValueError("bad tensor")

    with pytest.raises(StageError, match="enhance stage failed: bad tensor") as info:
        Pipeline(_frames(1000), Broken(), ListSink(), queue_size=2).run()
    assert info.value.stage == "enhance"
    assert not [t for t in threading.enumerate() if t.name.startswith("llie-")]


def test_encode_error_names_the_stage():
    with pytest.raises(StageError, match="encode stage failed: disk full"):
        Pipeline(_frames(100), Invert(), ListSink(fail_at=3), queue_size=2).run()


def test_decode_error_names_the_stage():
    def broken_source():
        yield from _frames(2)
        raise RuntimeError("corrupt packet")

    with pytest.raises(StageError, match="decode stage failed: corrupt packet"):
        Pipeline(broken_source(), Invert(), ListSink()).run()


def test_stop_keeps_what_was_read():
    sink = ListSink()
    pipeline = Pipeline(_frames(10_000, delay=0.001), Invert(), sink, queue_size=2)
    threading.Timer(0.2, pipeline.stop).start()
    stats = pipeline.run()
    assert pipeline.interrupted
    assert 0 < len(sink.video) < 10_000
    assert stats.frames_in == stats.frames_out == len(sink.video)


def test_live_mode_drops_oldest_and_counts():
    sink = ListSink(delay=0.01)  # 100 fps sink, source as fast as it can

    class Slow(RgbProcessor):
        def process(self, rgb):
            time.sleep(0.01)
            return rgb

    stats = Pipeline(_frames(200), Slow(), sink, queue_size=1, live=True).run()
    assert stats.dropped > 0
    assert stats.frames_out + stats.dropped == 200
    pts = [f.pts for f in sink.video]
    assert pts == sorted(pts) and pts[-1] == 199  # newest frames win, order kept


def test_keep_original_carries_input_pixels():
    sink = ListSink()
    Pipeline(_frames(3), Invert(), sink, keep_original=True).run()
    assert all((f.original == 255 - f.rgb).all() for f in sink.video)


def test_live_mode_never_drops_or_reorders_non_frames():
    items = [*_frames(30), "audio-1", *(_frames(30)), "audio-2"]
    sink = ListSink(delay=0.005)

    class Slow(RgbProcessor):
        def process(self, rgb):
            time.sleep(0.005)
            return rgb

    Pipeline(items, Slow(), sink, queue_size=1, live=True).run()
    assert sink.audio == ["audio-1", "audio-2"]


class InFlight(Invert):
    """Keeps up to ``overlap`` frames in flight, as a GPU stage does; logs what happens."""

    def __init__(self, overlap):
        self.overlap = overlap
        self.log = []
        self.pending = 0
        self.most_pending = 0

    def submit_frame(self, frame, keep_original=False):
        processor = self
        self.pending += 1
        self.most_pending = max(self.most_pending, self.pending)

        class Pending:
            def result(self):
                processor.pending -= 1
                processor.log.append(("collect", frame.index))
                return processor.process_frame(frame, keep_original)

        return Pending()

    def reset_temporal(self):
        self.log.append(("reset", self.pending))


class OrderSink(ListSink):
    def __init__(self):
        super().__init__()
        self.order = []

    def write_video(self, frame):
        super().write_video(frame)
        self.order.append(frame.index)

    def write_audio(self, packet):
        super().write_audio(packet)
        self.order.append(packet)


def test_frames_in_flight_come_out_in_order_with_audio_behind_them():
    frames = list(_frames(6))
    items = [frames[0], "a0", frames[1], frames[2], "a1", frames[3], Reset(), frames[4],
             frames[5], "a2"]
    processor, sink = InFlight(overlap=1), OrderSink()
    stats = Pipeline(items, processor, sink).run()
    assert sink.order == [0, "a0", 1, 2, "a1", 3, 4, 5, "a2"]
    assert all((f.rgb == 255 - f.index).all() for f in sink.video)
    assert processor.most_pending == 2  # one in flight while the next was submitted
    assert ("reset", 0) in processor.log  # a reset waits for the frames in flight
    assert stats.frames_in == stats.frames_out == 6


def test_live_mode_keeps_no_frame_in_flight():
    processor, sink = InFlight(overlap=1), OrderSink()
    Pipeline(_frames(5), processor, sink, queue_size=1, live=True).run()
    assert processor.most_pending == 1
    assert sink.order == sorted(sink.order)


def test_fps_counts_the_run_only():
    sink = ListSink()
    pipeline = Pipeline(_frames(20), Invert(), sink)
    time.sleep(0.5)  # e.g. the first run's kernel compile, between construction and run
    stats = pipeline.run()
    fps = stats.fps
    assert fps > 20 / 0.5  # the half second before the run is not counted
    time.sleep(0.05)
    assert stats.fps == fps  # and the time after it neither

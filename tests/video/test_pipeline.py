"""The threaded pipeline on its own: order, back-pressure, error propagation, stop."""

import threading
import time

import pytest

from llie_video.video.frame import Reset
from llie_video.video.pipeline import Pipeline, StageError
from tests.helpers.pipeline_parts import InFlight, Invert, ListSink, OrderSink, RgbProcessor
from tests.helpers.pipeline_parts import numbered_frames as _frames


def test_every_frame_arrives_in_order_with_timing():
    sink = ListSink(delay=0.002)  # slower than the source: back-pressure, no drops
    stats = Pipeline(_frames(50), Invert(), sink, queue_size=2).run()
    assert [f.pts for f in sink.video] == list(range(50))
    assert all((f.rgb == 255 - f.index).all() for f in sink.video)
    assert stats.frames_in == stats.frames_out == 50


class BacklogSink(ListSink):
    """A slow sink that records, at each frame, how many frames were read but not yet written."""

    def __init__(self) -> None:
        super().__init__(delay=0.002)
        self.pipeline: Pipeline | None = None
        self.backlog: list[int] = []

    def write_video(self, frame):
        assert self.pipeline is not None
        stats = self.pipeline.stats
        self.backlog.append(stats.frames_in - stats.frames_out)
        super().write_video(frame)


@pytest.mark.parametrize("queue_size", [1, 2, 4])
def test_back_pressure_keeps_the_queues_bounded(queue_size):
    """A fast source and a slow sink: the source is held back; between them are at most two
    full queues, the frame being enhanced and the frame being written, however long the clip."""
    sink = BacklogSink()
    pipeline = Pipeline(_frames(60), Invert(), sink, queue_size=queue_size)
    sink.pipeline = pipeline
    pipeline.run()
    assert len(sink.video) == 60 and pipeline.stats.dropped == 0
    # unbounded, the source would be ~60 frames ahead by the time the sink wrote its first ones
    assert max(sink.backlog) <= 2 * queue_size + 2


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
    pipelines = []

    def stop_at_the_fifth_frame(frame):
        if frame.index == 4:
            pipelines[0].stop()

    pipeline = Pipeline(_frames(10_000), Invert(), sink, queue_size=2,
                        on_frame=stop_at_the_fifth_frame)
    pipelines.append(pipeline)
    stats = pipeline.run()
    assert pipeline.interrupted
    assert 5 <= len(sink.video) < 10_000
    assert stats.frames_in == stats.frames_out == len(sink.video)
    assert [f.index for f in sink.video] == list(range(len(sink.video)))


class HeldUntilReadAll(RgbProcessor):
    """Enhances nothing until the source has been read to its end: a stage that fell behind."""

    def __init__(self, source_done: threading.Event) -> None:
        self.source_done = source_done

    def process(self, rgb):
        assert self.source_done.wait(30), "the source was held back: live mode must not wait"
        return rgb


def _frames_then(n, done: threading.Event):
    yield from _frames(n)
    done.set()


def test_live_mode_drops_oldest_and_counts():
    source_done = threading.Event()
    sink = ListSink()
    stats = Pipeline(_frames_then(200, source_done), HeldUntilReadAll(source_done), sink,
                     queue_size=1, live=True).run()
    # the enhancer took one frame, then the source filled and kept replacing the one-frame queue
    assert stats.dropped > 0
    assert stats.frames_out + stats.dropped == 200 == stats.frames_in
    pts = [f.pts for f in sink.video]
    assert pts == sorted(pts) and pts[-1] == 199  # newest frames win, order kept


def test_keep_original_carries_input_pixels():
    sink = ListSink()
    Pipeline(_frames(3), Invert(), sink, keep_original=True).run()
    assert all((f.original == 255 - f.rgb).all() for f in sink.video)


def test_live_mode_never_drops_or_reorders_non_frames():
    source_done = threading.Event()

    def items():
        yield from [*_frames(30), "audio-1", *(_frames(30)), "audio-2"]
        source_done.set()

    sink = ListSink()
    stats = Pipeline(items(), HeldUntilReadAll(source_done), sink, queue_size=1, live=True).run()
    assert sink.audio == ["audio-1", "audio-2"]
    assert stats.dropped > 0  # frames were dropped around them


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
    time.sleep(0.2)  # e.g. the first run's kernel compile, between construction and run
    began = time.monotonic()
    stats = pipeline.run()
    ended = time.monotonic()
    # the clock ran from run() to its end only: the time before it is not counted
    assert began <= stats.started <= stats.finished <= ended
    assert stats.fps == pytest.approx(20 / (stats.finished - stats.started))
    fps = stats.fps
    time.sleep(0.05)
    assert stats.fps == fps  # and the time after it neither


class Signalling(Invert):
    """Inverts, and tells the source each time a frame has been enhanced."""

    def __init__(self) -> None:
        self.enhanced = threading.Semaphore(0)

    def process(self, rgb):
        self.enhanced.release()
        return super().process(rgb)


def test_live_mode_audio_never_pushes_out_a_frame():
    """A file played live: each frame's audio follows it at once, before the enhancer can take
    the frame from the one-slot queue. The audio must wait for it, not drop it (the enhancer
    keeps up: the source sends the next frame only once the last one is enhanced)."""
    processor = Signalling()

    def items():
        for frame in _frames(20):
            yield frame
            yield f"audio-{frame.index}"
            processor.enhanced.acquire(timeout=0.5)  # a dropped frame is never enhanced

    sink = OrderSink()
    stats = Pipeline(items(), processor, sink, queue_size=1, live=True).run()
    assert stats.dropped == 0
    assert sink.order == [x for i in range(20) for x in (i, f"audio-{i}")]


def test_live_mode_drops_a_frame_behind_audio():
    """A frame arriving when the queue holds audio and an older frame drops that frame, not the
    audio at the head, and keeps the order."""
    source_done = threading.Event()

    def items():
        frames = list(_frames(3))
        yield from [frames[0], "audio-0", frames[1], frames[2]]
        source_done.set()

    sink = OrderSink()
    stats = Pipeline(items(), HeldUntilReadAll(source_done), sink, queue_size=2, live=True).run()
    assert "audio-0" in sink.order and sink.order[-1] == 2
    numbers = [x for x in sink.order if isinstance(x, int)]
    assert numbers == sorted(numbers) and stats.dropped >= 1
    assert stats.frames_out + stats.dropped == 3

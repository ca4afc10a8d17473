"""The registry of sources and sinks: specs to kinds, real sources and sinks opened by it, and a
camera type added with one class and one registration."""

from __future__ import annotations

import time
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np
import pytest

from llie_video import UserError
from llie_video.video.endpoints import (
    SINKS,
    SOURCES,
    Endpoint,
    SinkOptions,
    SourceOptions,
    is_live_job,
    open_sink,
    open_source,
)
from llie_video.video.frame import Frame
from llie_video.video.live_sources import LiveTimeline
from llie_video.video.sinks import FileSink, NullSink
from llie_video.video.sources import ClosingSource, FileSource, StreamInfo


@pytest.mark.parametrize("spec, kind", [
    ("webcam:0", "webcam"), ("webcam:/dev/video2", "webcam"), ("rtsp://cam/stream", "stream"),
    ("RTSP://cam/stream", "stream"), ("http://host/live.m3u8", "stream"), ("clip.mp4", "file"),
    ("webcam", "file"), ("C:/videos/clip.mp4", "file"), ("notes:draft.mp4", "file"),
])
def test_source_specs_by_scheme(spec, kind):
    assert SOURCES.lookup(spec).scheme == kind


@pytest.mark.parametrize("spec, kind", [
    ("null", "null"), ("-", "-"), ("rtsp://server/out", "rtsp"), ("rtmp://server/out", "rtmp"),
    ("udp://127.0.0.1:5000", "udp"), ("out.mp4", "file"), ("null.mp4", "file"),
])
def test_sink_specs_by_scheme(spec, kind):
    assert SINKS.lookup(spec).scheme == kind


@pytest.mark.parametrize("source, sink, live", [
    ("in.mp4", "out.mp4", False), ("in.mp4", "null", True), ("in.mp4", "rtsp://s/out", True),
    ("webcam:0", "out.mp4", True), ("rtsp://cam/stream", "out.mp4", True),
])
def test_live_jobs_are_those_with_a_live_end(source, sink, live):
    assert is_live_job(source, sink) is live


def test_a_file_opens_as_a_file_source_with_planes(make_clip):
    with open_source(str(make_clip()), SourceOptions(decoded_frames=True)) as source:
        assert isinstance(source, FileSource)
        frame = next(item for item in source if isinstance(item, Frame))
    assert frame.decoded is not None and frame.decoded.format.name == "yuv420p"


def test_sinks_open_by_spec(make_clip, tmp_path):
    with FileSource(make_clip()) as source:
        info = source.info()
    assert isinstance(open_sink("null", info), NullSink)
    sink = open_sink(str(tmp_path / "out.mp4"), info)
    assert isinstance(sink, FileSink)
    sink.close(keep=False)
    (tmp_path / "taken.mp4").write_bytes(b"")
    with pytest.raises(UserError, match="exists"):
        open_sink(str(tmp_path / "taken.mp4"), info, SinkOptions(overwrite=False))
    with pytest.raises(UserError, match="cannot publish to http://"):
        open_sink("http://host/out", info)


class ChessboardCamera(ClosingSource):
    """A camera type of its own (synthetic frames), to show what adding one takes."""

    def __init__(self, size: int) -> None:
        self.name = f"chess:{size}"
        self.size = size
        self._timeline = LiveTimeline()

    @classmethod
    def from_spec(cls, spec: str, options: SourceOptions) -> ChessboardCamera:
        return cls(int(spec.partition(":")[2]))

    def info(self) -> StreamInfo:
        return StreamInfo(self.size, self.size, Fraction(1, 1000), Fraction(30), 0, (),
                          self.name)

    def __iter__(self) -> Iterator[Frame]:
        squares = (np.indices((self.size, self.size)).sum(0) // 8 % 2 * 60).astype(np.uint8)
        for index in range(5):
            arrival = time.monotonic()
            yield Frame(np.repeat(squares[..., None], 3, -1),
                        self._timeline.frame_pts(None, arrival), Fraction(1, 1000), index,
                        arrival=arrival)

    def close(self) -> None:
        pass


def test_a_new_camera_type_is_one_class_and_one_registration(tmp_path, monkeypatch):
    monkeypatch.setattr(SOURCES, "_entries", dict(SOURCES._entries))  # undone after the test
    SOURCES.add(Endpoint("chess", ChessboardCamera.from_spec, live=True))
    assert is_live_job("chess:32", "out.mp4")
    from llie_video.cli import main

    out = tmp_path / "chess.mp4"
    assert main(["chess:32", str(out), "-q"]) == 0
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) >= 1 and frames[0].shape == (32, 32, 3)

"""Sources: the audio a sink remuxes stays usable after the source closed (a preview recording
started at the end of a file, a stream that reconnected)."""

from __future__ import annotations

import av

from llie_video.video.frame import Frame
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import FileSource


def test_a_sink_opened_after_the_source_closed_remuxes_its_audio(make_clip, tmp_path):
    clip = make_clip(frames=24)
    with FileSource(clip) as source:
        info = source.info()
        items = list(source)
    # the source (and its container) is closed: only what it handed over is left
    sink = FileSink(tmp_path / "late.mp4", info, EncoderSettings())
    for item in items:
        (sink.write_video if isinstance(item, Frame) else sink.write_audio)(item)
    sink.close()
    with av.open(str(clip)) as original, av.open(str(tmp_path / "late.mp4")) as written:
        expected = [(p.pts, bytes(p)) for p in original.demux(audio=0) if p.dts is not None]
        got = [(p.pts, bytes(p)) for p in written.demux(audio=0) if p.dts is not None]
        assert written.streams.audio[0].time_base == original.streams.audio[0].time_base
    assert got == expected

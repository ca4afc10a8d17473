"""What of the input is kept besides its video: its tracks' parameters and tags (copies valid
after the input closes), its chapters and metadata, stale tags left out."""

from __future__ import annotations

import av

from llie_video.video.frame import Frame
from llie_video.video.kept_streams import ContainerTags, carried_streams, kept_metadata
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import FileSource
from tests.helpers.clips import CHAPTERS, TITLE, subtitle_texts, write_multitrack_clip


def test_stale_tags_are_left_out():
    tags = {"title": "Walk", "language": "eng", "ENCODER": "Lavf", "DURATION": "00:00:01.0",
            "_STATISTICS_TAGS": "BPS", "major_brand": "isom", "creation_time": "2026"}
    assert kept_metadata(tags) == {"title": "Walk", "language": "eng", "creation_time": "2026"}


def test_tracks_chapters_and_tags_are_read(tmp_path):
    path = write_multitrack_clip(tmp_path / "in.mkv")
    with av.open(str(path)) as container:
        kept = carried_streams(container)
        tags = ContainerTags.of(container, container.streams.video[0])
    assert [(k.index, k.kind, k.metadata.get("language")) for k in kept] == [
        (1, "audio", "eng"), (2, "audio", "fra"), (3, "subtitle", "eng"), (4, "subtitle", "deu")]
    assert kept[1].describe() == "audio track 2 (opus, fra)"
    assert tags.metadata["title"] == TITLE and "ENCODER" not in tags.metadata
    assert [c.metadata["title"] for c in tags.chapters] == [title for *_, title in CHAPTERS]


def test_a_sink_opened_after_the_source_closed_still_converts_its_subtitles(tmp_path):
    """The kept tracks' copies outlive the input (a preview recording started at the end of a
    file): its SRT track still becomes mov_text."""
    path = write_multitrack_clip(tmp_path / "in.mkv")
    with FileSource(path) as source:
        info = source.info()
        items = list(source)
    sink = FileSink(tmp_path / "late.mp4", info, EncoderSettings(preset="ultrafast"))
    for item in items:
        (sink.write_video if isinstance(item, Frame) else sink.write_audio)(item)
    sink.close()
    assert [text for *_, text in subtitle_texts(tmp_path / "late.mp4", 0)] == ["Hello", "World"]

"""Every track of the input into the output, through real multi-track files: audio remuxed
packet for packet, or transcoded to AAC where the container should not hold it; subtitles
remuxed, converted between text formats (SRT/ASS -> mov_text for MP4, mov_text -> SRT for
Matroska), or left out with one warning; chapters and the file's metadata kept."""

from __future__ import annotations

import logging
from pathlib import Path

import av
import pytest

from llie_video.video.frame import Frame
from llie_video.video.sinks import EncoderSettings, FileSink
from llie_video.video.sources import FileSource
from tests.helpers.clips import (
    AUDIO_TRACKS,
    CHAPTERS,
    CREATED,
    SUBTITLE_TEXTS,
    TITLE,
    subtitle_texts,
    write_multitrack_clip,
)

EXPECTED_TEXTS = [(start / 1000, duration / 1000, text) for start, duration, text in SUBTITLE_TEXTS]


def _copy(source_path: Path, target: Path) -> None:
    """Through FileSource and FileSink, frames as decoded (the tracks are what is tested)."""
    with FileSource(source_path) as source:
        sink = FileSink(target, source.info(), EncoderSettings(preset="ultrafast"))
        for item in source:
            (sink.write_video if isinstance(item, Frame) else sink.write_audio)(item)
        sink.close()


def _packets(path: Path, kind: str, index: int) -> list[tuple[float, bytes]]:
    """(time in seconds, payload) of every packet of a track."""
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[index]
        return [(round(float(p.pts * p.time_base), 4), bytes(p)) for p in container.demux(stream)
                if p.dts is not None and p.size]


def _subtitles(path: Path, index: int) -> list[tuple[float, float, str]]:
    """A subtitle track's (start, duration, text), the start from the first video frame (a
    muxer may shift every track alike, Matroska past the audio's negative start)."""
    with av.open(str(path)) as container:
        first = next(container.decode(video=0))
        offset = float(first.pts * first.time_base)
    return [(round(start - offset, 4), duration, text)
            for start, duration, text in subtitle_texts(path, index)]


def _stream_tags(path: Path, kind: str) -> list[tuple[str, dict[str, str]]]:
    with av.open(str(path)) as container:
        return [(s.codec_context.name, dict(s.metadata)) for s in getattr(container.streams, kind)]


def _chapters_and_title(path: Path) -> tuple[list[tuple[float, float, str]], str, str]:
    with av.open(str(path)) as container:
        chapters = [(float(c["start"] * c["time_base"]), float(c["end"] * c["time_base"]),
                     c["metadata"].get("title")) for c in container.chapters()]
        return chapters, container.metadata.get("title"), container.metadata.get("creation_time")


def _expected_chapters() -> list[tuple[float, float, str]]:
    return [(start / 1000, end / 1000, title) for start, end, title in CHAPTERS]


def test_mkv_to_mkv_keeps_every_track_packet_for_packet(tmp_path):
    source = write_multitrack_clip(tmp_path / "in.mkv")
    target = tmp_path / "out.mkv"
    _copy(source, target)
    for kind, count in (("audio", 2), ("subtitles", 2)):
        for i in range(count):
            assert _packets(target, kind, i) == _packets(source, kind, i), (kind, i)
    audio = _stream_tags(target, "audio")
    assert [(codec, tags.get("language"), tags.get("title")) for codec, tags in audio] == [
        ("aac", "eng", "English"), ("opus", "fra", None)]
    assert [(codec, tags.get("language")) for codec, tags in _stream_tags(target, "subtitles")] == [
        (codec, tags.get("language")) for codec, tags in _stream_tags(source, "subtitles")]
    assert [tags.get("language") for _, tags in _stream_tags(target, "subtitles")] == ["eng", "deu"]
    assert _chapters_and_title(target) == (_expected_chapters(), TITLE, CREATED)


def test_mkv_to_mp4_converts_text_subtitles_to_mov_text(tmp_path):
    source = write_multitrack_clip(tmp_path / "in.mkv")
    target = tmp_path / "out.mp4"
    _copy(source, target)
    for i in range(len(AUDIO_TRACKS)):  # AAC and Opus both go into MP4 unchanged
        assert _packets(target, "audio", i) == _packets(source, "audio", i)
    subtitles = _stream_tags(target, "subtitles")
    assert [(codec, tags.get("language")) for codec, tags in subtitles] == [
        ("mov_text", "eng"), ("mov_text", "deu")]
    assert _subtitles(target, 0) == _subtitles(target, 1) == EXPECTED_TEXTS
    assert _chapters_and_title(target) == (_expected_chapters(), TITLE, CREATED)


def test_mp4_to_mkv_converts_mov_text_to_srt(tmp_path):
    source = write_multitrack_clip(tmp_path / "in.mp4", subtitles=(("mov_text", "eng"),))
    target = tmp_path / "out.mkv"
    _copy(source, target)
    assert [codec for codec, _ in _stream_tags(target, "subtitles")] == ["srt"]  # SubRip
    assert _subtitles(target, 0) == EXPECTED_TEXTS
    assert len(_stream_tags(target, "audio")) == 2
    assert _chapters_and_title(target) == (_expected_chapters(), TITLE, CREATED)


def test_pcm_audio_goes_into_mp4_as_aac(tmp_path):
    source = write_multitrack_clip(tmp_path / "in.mkv", subtitles=(),
                                   audio=(("aac", 16000, "mono", "eng", ""),
                                          ("pcm_s16le", 16000, "stereo", "fra", "")))
    target = tmp_path / "out.mp4"
    _copy(source, target)
    assert [(codec, tags.get("language")) for codec, tags in _stream_tags(target, "audio")] == [
        ("aac", "eng"), ("aac", "fra")]
    assert _packets(target, "audio", 0) == _packets(source, "audio", 0)
    with av.open(str(target)) as container:
        decoded = sum(f.samples for f in container.decode(audio=1))
    assert decoded >= 8000  # the half second of the PCM track, transcoded


def test_tracks_a_container_cannot_hold_are_left_out_with_one_warning(tmp_path, caplog):
    """WebM holds Opus and WebVTT only: the AAC track has nowhere to go (WebM takes no AAC),
    the SRT track becomes WebVTT."""
    source = write_multitrack_clip(tmp_path / "in.mkv", subtitles=(("subrip", "eng"),))
    target = tmp_path / "out.webm"
    with caplog.at_level(logging.WARNING):
        with FileSource(source) as src:
            sink = FileSink(target, src.info(), EncoderSettings(codec="libvpx-vp9"))
            for item in src:
                (sink.write_video if isinstance(item, Frame) else sink.write_audio)(item)
            sink.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["audio track 1 (aac, eng) cannot go into .webm; left out (Matroska holds "
                        "it: write .mkv)"]
    assert [codec for codec, _ in _stream_tags(target, "audio")] == ["opus"]
    assert [codec for codec, _ in _stream_tags(target, "subtitles")] == ["webvtt"]
    assert _subtitles(target, 0) == EXPECTED_TEXTS


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_a_file_without_other_tracks_gets_none(make_clip, tmp_path, suffix):
    source = make_clip(frames=4, audio=False)
    target = tmp_path / f"out{suffix}"
    _copy(source, target)
    with av.open(str(target)) as container:
        assert [s.type for s in container.streams] == ["video"]
        assert container.chapters() == []


def test_a_container_ffmpeg_cannot_be_asked_about_gets_the_audio_as_it_is(tmp_path, caplog):
    """MPEG-TS has no codec table to ask (as RTSP, where live jobs publish): its audio tracks
    are remuxed and the muxer takes them; subtitles are left out with a warning each."""
    source = write_multitrack_clip(tmp_path / "in.mkv")
    target = tmp_path / "out.ts"
    with caplog.at_level(logging.WARNING):
        _copy(source, target)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.split(" cannot go")[0] for w in warnings] == [
        "subtitle track 3 (srt, eng)", "subtitle track 4 (ssa, deu)"]
    for i in range(len(AUDIO_TRACKS)):  # (MPEG-TS puts an ADTS header before each AAC frame)
        written, original = _packets(target, "audio", i), _packets(source, "audio", i)
        assert len(written) == len(original)
        assert all(w.endswith(o) for (_, w), (_, o) in zip(written, original))

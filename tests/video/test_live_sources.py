"""The live clock of streams and webcams (:class:`LiveTimeline`), on timestamps as a stream
delivers them."""

from __future__ import annotations

from fractions import Fraction

import av

from llie_video.video.live_sources import MAX_AHEAD_S, LiveTimeline

VIDEO_TB, AUDIO_TB = Fraction(1, 90000), Fraction(1, 16000)


def video_frame(pts: int | None) -> av.VideoFrame:
    frame = av.VideoFrame(16, 16, "yuv420p")
    frame.pts, frame.time_base = pts, VIDEO_TB
    return frame


def audio_packet(pts: int) -> av.Packet:
    packet = av.Packet(b"\x00" * 8)
    packet.pts = packet.dts = pts
    packet.duration = 1024
    packet.time_base = AUDIO_TB
    return packet


def test_a_connection_keeps_the_streams_timing_and_sync():
    """A burst (a server's buffer) arrives at once: the frames and the audio keep the spacing
    and the sync the stream gave them, not their arrival times."""
    timeline = LiveTimeline()
    audio = [timeline.shift_packet(audio_packet(1024 * i), arrival=100.0).pts for i in range(4)]
    video = [timeline.frame_pts(video_frame(3000 * i + 3000), arrival=100.0) for i in range(4)]
    assert audio == [0, 1024, 2048, 3072]
    assert video == [33, 67, 100, 133]  # 1/30 s apart, the first 1/30 s after the audio's


def test_a_reconnect_starts_after_what_was_placed():
    """A restarted server restarts its timestamps: the next connection continues the clock,
    at the arrival time, and keeps its own spacing."""
    timeline = LiveTimeline()
    first = [timeline.frame_pts(video_frame(3000 * i), arrival=10.0 + i / 30) for i in range(30)]
    timeline.new_connection()
    second = [timeline.frame_pts(video_frame(3000 * i), arrival=13.0 + i / 30) for i in range(3)]
    assert second[0] == 3000 > first[-1]
    assert [b - a for a, b in zip(second, second[1:])] == [33, 34]


def test_a_timestamp_jump_is_reanchored():
    """Backwards, or far ahead of the arrival clock: placed at the arrival time instead."""
    timeline = LiveTimeline()
    assert timeline.frame_pts(video_frame(90000), arrival=5.0) == 0
    assert timeline.frame_pts(video_frame(0), arrival=5.5) == 500  # backwards
    far = int((MAX_AHEAD_S + 5) * 90000)
    assert timeline.frame_pts(video_frame(far), arrival=6.0) == 1000  # far ahead


def test_frames_without_timestamps_take_their_arrival():
    timeline = LiveTimeline()
    stamps = [timeline.frame_pts(video_frame(None), arrival=2.0 + t) for t in (0.0, 0.04, 0.04)]
    assert stamps == [0, 40, 41]  # monotonic even when two arrive together

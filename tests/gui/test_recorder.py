"""Preview recordings keep the source's audio: a file played live, recorded from the window."""

from __future__ import annotations

from pathlib import Path

import av

from tests.helpers.preview import wait_frames


def audio_packets(path: Path) -> list[tuple[int, bytes]]:
    with av.open(str(path)) as container:
        return [(p.pts, bytes(p)) for p in container.demux(audio=0) if p.dts is not None]


def test_recording_keeps_the_audio_packets_and_their_timing(qtbot, window, make_clip,
                                                            tmp_path):
    clip = make_clip(frames=96, fps=24)  # 4 s with a 16 kHz AAC track
    window.open_source(str(clip))
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 24)
    window.controls.record.setChecked(False)
    recording = next(tmp_path.glob("recording-*.mp4"))
    recorded, source = audio_packets(recording), audio_packets(clip)
    assert len(recorded) >= 10  # about a second of 64 ms packets
    start = source.index(recorded[0])  # same payload, same timestamp
    assert recorded == source[start:start + len(recorded)]
    with av.open(str(recording)) as container:
        first_frame = next(container.decode(video=0))
    video_start = float(first_frame.pts * first_frame.time_base)
    assert abs(recorded[0][0] / 16000 - video_start) < 0.2  # in step with the video

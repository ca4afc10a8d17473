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
    clip = make_clip(frames=192, fps=24)  # 8 s with a 16 kHz AAC track
    window.open_source(str(clip))
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    # 24 frames shown, or the clip played to its end: a loaded machine drops frames of a file
    # played live, and the audio is recorded all the same
    target = window.frames_shown + 24
    qtbot.waitUntil(lambda: window.frames_shown >= target or not window.controller.running,
                    timeout=60000)
    window.controls.record.setChecked(False)
    recording = next(tmp_path.glob("recording-*.mp4"))
    recorded, source = audio_packets(recording), audio_packets(clip)
    assert len(recorded) >= 10  # about a second of 64 ms packets
    start = source.index(recorded[0])  # same payload, same timestamp
    assert recorded == source[start:start + len(recorded)]
    with av.open(str(recording)) as container:
        times = [float(f.pts * f.time_base) for f in container.decode(video=0)]
    # in step with the video: the file's own timestamps, over the same stretch of it (give or
    # take the packets demuxed around the first and last frame)
    assert recorded[0][0] / 16000 - 0.25 <= times[0] <= times[-1] <= recorded[-1][0] / 16000 + 0.25

"""The preview window end to end: real Qt (offscreen), real clips, real RTSP streams (the
``rtsp_server`` fixture of tests/conftest.py), the real engine (the ``window`` fixture and the
stream options: tests/gui/conftest.py).

No test bounds how long something takes: each waits for a condition (frames shown, threads
finished), and a prompt stop is shown by the worker ending while what it would otherwise wait
for (a source minutes long, a connection that never answers) is still going on."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import pytest
from PyQt6.QtCore import QCoreApplication, QEvent, QPoint, QSettings, Qt, QTimer
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QApplication

import gui.app
from gui.images import qimage_to_array
from gui.window import MainWindow
from llie_video.enhance.settings import EnhanceSettings
from llie_video.job_config import JobConfig, ModelConfig
from llie_video.video import live_sources
from tests.helpers.clips import decoded_rgb, decoded_times
from tests.helpers.preview import (
    FRAMES_IN_FLIGHT,
    PATIENT_S,
    TIMEOUT_MS,
    wait_finished,
    wait_frames,
    wait_frames_after_a_change,
)
from tests.helpers.rtsp import needs_rtsp

def test_file_source_fills_both_views(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 2)
    original = qimage_to_array(window.views.original_view.image)
    enhanced = qimage_to_array(window.views.enhanced_view.image)
    assert original.shape == enhanced.shape == (64, 96, 3)
    assert enhanced.mean() > original.mean() + 10  # a dark clip is brightened
    qtbot.waitUntil(lambda: "parameters" in window.model_label.text(), timeout=TIMEOUT_MS)


def test_gamma_slider_acts_on_next_frames(qtbot, window, make_clip):
    window.controls.smoothing.set_value(0.0)
    window.controls.brightness_ceiling.set_value(0.4)  # the gamma acts on the finished picture
    window.open_source(str(make_clip(frames=240, audio=False)))
    means = {}
    for gamma in (0.5, 2.0):
        window.controls.gamma.set_value(gamma)
        wait_frames_after_a_change(qtbot, window)
        means[gamma] = qimage_to_array(window.last_frames[1]).mean()
    assert means[2.0] > means[0.5] + 10


def test_ceiling_slider_holds_down_a_moderately_dark_clip(qtbot, window, make_clip):
    window.controls.smoothing.set_value(0.0)
    window.open_source(str(make_clip(frames=240, audio=False, brightness=90.0)))
    means = {}
    for ceiling in (1.0, 0.4):
        window.controls.brightness_ceiling.set_value(ceiling)
        wait_frames_after_a_change(qtbot, window)
        means[ceiling] = qimage_to_array(window.last_frames[1]).mean()
    assert means[1.0] > means[0.4] + 10
    assert means[0.4] < 0.4 * 255 + 10


def test_highlight_slider_names_its_setting(qtbot, window):
    """The highlights slider emits the EnhanceSettings field the worker's stage updates."""
    with qtbot.waitSignal(window.controls.settings_changed) as changed:
        window.controls.highlight_headroom.set_value(0.5)
    name, value = changed.args
    assert name == "highlight_headroom" and value == pytest.approx(0.5)
    assert EnhanceSettings(**{name: value}).highlight_headroom == pytest.approx(0.5)


def test_split_view_shows_original_left_enhanced_right(qtbot, window, make_clip):
    window.controls.split.setChecked(True)
    assert window.views.split_mode
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 2)
    view = window.views.split_view
    middle = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=middle)
    assert view.split == pytest.approx(0.5, abs=0.02)
    shot = qimage_to_array(view.grab().toImage())
    mid = shot.shape[1] // 2
    picture_rows = shot[shot.shape[0] // 2 - 10: shot.shape[0] // 2 + 10]
    left, right = picture_rows[:, mid - 40: mid - 5], picture_rows[:, mid + 5: mid + 40]
    assert right.mean() > left.mean() + 10


def test_record_writes_the_enhanced_frames_at_their_times(qtbot, window, make_clip, tmp_path):
    clip = make_clip(frames=96)
    window.open_source(str(clip))
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 6)
    window.controls.record.setChecked(False)
    recordings = list(tmp_path.glob("recording-*.mp4"))
    assert len(recordings) == 1
    frames, times = decoded_rgb(recordings[0]), decoded_times(recordings[0])
    assert len(frames) >= 5 and frames[0].shape == (64, 96, 3)
    # the enhanced pictures, not the originals
    source_frames, source_times = decoded_rgb(clip), decoded_times(clip)
    assert np.mean(frames) > np.mean(source_frames) + 20
    # each frame at its own time in the clip (the muxer may shift them all by a few ticks),
    # strictly increasing: the frames recorded are a subset of the clip's, in order
    assert times == sorted(set(times))
    offset = times[0] - min(source_times, key=lambda t: abs(t - times[0]))
    assert abs(offset) < 0.002
    assert all(min(abs(t - offset - s) for s in source_times) < 1e-3 for t in times)


def test_snapshot_saves_both_views_as_shown(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 1)
    shown = [qimage_to_array(image) for image in window.last_frames]  # no event runs until saved
    paths = window.save_snapshot()
    assert [p.name.rsplit("-", 1)[1] for p in paths] == ["original.png", "enhanced.png"]
    saved = [qimage_to_array(QImage(str(path))) for path in paths]
    for picture, on_screen in zip(saved, shown):
        np.testing.assert_array_equal(picture, on_screen)  # PNG: lossless
    assert saved[1].mean() > saved[0].mean() + 10


def test_pause_holds_the_picture_and_play_resumes(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=480, audio=False)))  # 20 s at 24 fps
    wait_frames(qtbot, window, 2)
    window.controls.play.setChecked(True)  # checked: paused
    assert window.controls.play.text() == "Play"
    paused_at = window.frames_shown
    qtbot.wait(1000)  # 24 frames of playing time: a paused preview shows none of them
    assert window.frames_shown <= paused_at + FRAMES_IN_FLIGHT
    window.controls.play.setChecked(False)
    assert window.controls.play.text() == "Pause"
    wait_frames(qtbot, window, FRAMES_IN_FLIGHT + 2)


def test_file_plays_at_its_own_rate(qtbot, window, make_clip):
    """A file is paced by its timestamps, not shown as fast as it decodes."""
    fps = 12
    shown_at: list[float] = []
    window.controller.frame_ready.connect(lambda *images: shown_at.append(time.monotonic()))
    window.open_source(str(make_clip(frames=36, fps=fps, audio=False)))  # 3 s
    qtbot.waitUntil(lambda: len(shown_at) >= 24, timeout=TIMEOUT_MS)
    # released no faster than their timestamps (frames in flight may arrive bunched together)
    assert shown_at[-1] - shown_at[0] >= (len(shown_at) - 1 - FRAMES_IN_FLIGHT) / fps


def wait_error(qtbot, win: MainWindow) -> str:
    """Wait for an error in the message line; returns its text."""
    qtbot.waitUntil(lambda: win.message.text().startswith("Error:"), timeout=TIMEOUT_MS)
    return win.message.text()


def still_usable(qtbot, win: MainWindow, make_clip) -> None:
    """After an error the window plays another source, opened once the failed session is gone
    (its thread ended, its worker deleted), as when a user reads the error first."""
    qtbot.waitUntil(lambda: not win.controller.threads, timeout=TIMEOUT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    win.open_source(str(make_clip("after-error.mp4", frames=24)))
    wait_frames(qtbot, win, 1)


@pytest.mark.parametrize("spec, says", [("missing.mp4", "missing.mp4"), ("webcam:9", "webcam 9"),
                                        ("rtsp: nothing listening", "/nothing")])
def test_bad_source_shows_error_and_app_stays_usable(qtbot, window, make_clip, quick_streams,
                                                     refused_url, spec, says):
    window.open_source(refused_url if spec.startswith("rtsp") else spec)
    assert says in wait_error(qtbot, window)
    still_usable(qtbot, window, make_clip)


def test_the_command_line_job_config_reaches_the_stage(qtbot, tmp_path, make_clip):
    """The preview builds its stage as the CLI does: ``--weights`` is honoured (here, a file
    that is not there is the error shown)."""
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    weights = tmp_path / "missing.pt"
    win = MainWindow(store, job=JobConfig(model=ModelConfig(weights=str(weights))))
    qtbot.addWidget(win)
    win.show()
    win.open_source(str(make_clip(frames=24)))
    assert f"weights file not found: {weights}" in wait_error(qtbot, win)
    win.close()


def test_the_window_stays_usable_once_a_file_has_ended(qtbot, window, make_clip):
    """Resizing, recording and playing again after the session ended on its own (its worker
    gone) act on no deleted worker."""
    window.open_source(str(make_clip(frames=6, audio=False)))
    qtbot.waitUntil(lambda: "Open it again" in window.message.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.controller.threads, timeout=TIMEOUT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    window.resize(900, 500)  # the views' new size goes to the current worker, if any
    qtbot.waitUntil(lambda: window.views.display_box()[0] > 0, timeout=TIMEOUT_MS)
    window.controls.record.setChecked(True)
    assert "nothing to record" in window.message.text()
    assert not window.controls.record.isChecked()
    window.controls.play.setChecked(True)
    window.controls.play.setChecked(False)  # play: the file again
    wait_frames(qtbot, window, 1)


def recorded_frames(folder: Path) -> int:
    """Frames in the one recording in ``folder`` (it must decode)."""
    recordings = list(folder.glob("recording-*.mp4"))
    assert len(recordings) == 1
    with av.open(str(recordings[0])) as container:
        return sum(1 for _ in container.decode(video=0))


@needs_rtsp
def test_stream_lost_mid_play_shows_error_and_app_stays_usable(qtbot, window, make_clip,
                                                                rtsp_server, quick_streams,
                                                                tmp_path):
    window.open_source(rtsp_server.url)
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 4)
    rtsp_server.stop()
    assert rtsp_server.url in wait_error(qtbot, window)
    qtbot.waitUntil(lambda: not window.controls.record.isChecked(), timeout=TIMEOUT_MS)
    qtbot.wait(100)  # nothing else arrives to replace the error
    assert window.message.text().startswith("Error:")
    assert recorded_frames(tmp_path) >= 3
    still_usable(qtbot, window, make_clip)


def test_close_stops_the_worker_long_before_the_clip_ends(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=240, fps=4, audio=False)))  # a minute of playing
    wait_frames(qtbot, window, 2)
    reader, threads = window.controller.worker.reader, window.controller.threads
    window.close()
    wait_finished(qtbot, threads)
    assert threads and reader.stopped


def test_close_while_a_stream_connects_leaves_the_connection_behind(qtbot, window, silent_server,
                                                                    patient_streams):
    window.open_source(silent_server.url)
    qtbot.waitUntil(lambda: bool(silent_server.connections), timeout=TIMEOUT_MS)
    reader, threads = window.controller.worker.reader, window.controller.threads
    window.close()
    wait_finished(qtbot, threads)
    assert threads and not reader.closed  # the worker ended; the open still waits for an answer
    silent_server.close()  # the abandoned open fails now: its thread cleans up and ends
    assert reader.wait_closed(PATIENT_S / 4)


def test_app_exits_while_a_stream_still_connects(qtbot, tmp_path, monkeypatch, silent_server,
                                                  patient_streams):
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(gui.app, "default_store", lambda: store)
    readers = []
    give_up = time.monotonic() + TIMEOUT_MS / 1000  # never leave main() running

    def close_once_connecting() -> None:
        ready = silent_server.connections or time.monotonic() > give_up
        if ready and not readers:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, MainWindow) and widget.isVisible():
                    readers.append(widget.controller.worker.reader)
                    widget.close()

    timer = QTimer()
    timer.timeout.connect(close_once_connecting)
    timer.start(20)
    assert gui.app.main([silent_server.url]) == 0
    timer.stop()
    # main() returned while the source was still connecting (it would wait PATIENT_S)
    assert silent_server.connections and readers and not readers[0].closed


@needs_rtsp
def test_close_while_a_stream_stalls_finalises_the_recording(qtbot, window, rtsp_server,
                                                             patient_streams, tmp_path):
    window.open_source(rtsp_server.url)
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 4)
    rtsp_server.freeze()  # the reader blocks in a read for PATIENT_S
    try:
        threads = window.controller.threads
        window.close()
        wait_finished(qtbot, threads)
    finally:
        rtsp_server.thaw()
    assert recorded_frames(tmp_path) >= 3


def test_rotated_clip_shown_and_saved_upright(qtbot, window, make_clip):
    # the clip brightens from left to right; turned 90 degrees counter-clockwise for display,
    # its right edge is at the top
    window.open_source(str(make_clip("rotated.mp4", frames=24, rotation=90, brightness=120)))
    wait_frames(qtbot, window, 1)
    views = window.views
    shown = [qimage_to_array(view.image) for view in (views.original_view, views.enhanced_view)]
    saved = [qimage_to_array(QImage(str(path))) for path in window.save_snapshot()]
    for image in shown + saved:
        assert image.shape == (96, 64, 3)
        assert image[:10].mean() > image[-10:].mean() + 10


def test_settings_persist(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    first = MainWindow(store)
    qtbot.addWidget(first)
    first.controls.gamma.set_value(1.5)
    first.controls.highlight_headroom.set_value(0.6)
    first.controls.split.setChecked(True)
    first.close()
    second = MainWindow(QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.controls.gamma.value() == pytest.approx(1.5)
    assert second.controls.highlight_headroom.value() == pytest.approx(0.6)
    assert second.views.split_mode


def test_first_kernel_compile_is_announced(qtbot, window, make_clip, monkeypatch):
    monkeypatch.setattr("llie_video.ops.fused_yuv.kernel_loaded", lambda: False)
    with qtbot.waitSignal(window.controller.notice, timeout=TIMEOUT_MS) as notice:
        window.open_source(str(make_clip(frames=24)))
    assert "Preparing the fast path" in notice.args[0]
    wait_frames(qtbot, window, 2)


@needs_rtsp
def test_a_restarting_server_is_reconnected_and_the_recording_goes_on(qtbot, window,
                                                                      rtsp_server, tmp_path):
    said: list[str] = []
    window.controller.source_status.connect(said.append)
    window.open_source(rtsp_server.url)
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 4)
    before = window.frames_shown
    rtsp_server.stop()
    qtbot.waitUntil(lambda: "retrying" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT_MS)  # said, and kept, while the server is down
    down = len(said)
    rtsp_server.start()
    qtbot.waitUntil(lambda: any(t.endswith("reconnected") for t in said[down:]),
                    timeout=TIMEOUT_MS)
    wait_frames(qtbot, window, 4)
    assert window.controls.record.isChecked()
    assert not window.message.text().startswith("Error")
    after = window.frames_shown
    window.controls.record.setChecked(False)
    qtbot.waitUntil(lambda: window.message.text().startswith("Saved"), timeout=TIMEOUT_MS)
    assert recorded_frames(tmp_path) >= after - before  # one recording, through the restart


def test_a_webcam_that_disappears_is_reported_and_retried(qtbot, window, make_clip,
                                                          monkeypatch, tmp_path):
    """No camera here: a clip stands in for the device (see tests/video/test_live.py)."""
    clip = make_clip("camera.mkv", frames=24, audio=False)
    aside = tmp_path / "unplugged.mkv"
    monkeypatch.setattr(live_sources, "webcam_input", lambda device: (str(clip), "matroska"))
    said: list[str] = []
    window.controller.source_status.connect(said.append)
    window.open_source("webcam:0")
    wait_frames(qtbot, window, 2)
    clip.rename(aside)  # unplugged: it is missing when the source reopens it
    qtbot.waitUntil(lambda: "retrying" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT_MS)  # said, and kept, while the webcam is missing
    missing = len(said)
    aside.rename(clip)  # plugged back in
    qtbot.waitUntil(lambda: "webcam:0: reconnected" in said[missing:], timeout=TIMEOUT_MS)
    wait_frames(qtbot, window, 2)
    assert not window.message.text().startswith("Error")

"""The preview window end to end: real Qt (offscreen), real clips, the real engine."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QSettings, Qt

from gui.images import qimage_to_array
from gui.window import MainWindow

TIMEOUT_MS = 15000


@pytest.fixture
def window(qtbot, tmp_path: Path):
    """A window with settings in a temporary ini file and the output folder in tmp_path."""
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(store)
    win.set_output_folder(tmp_path)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def wait_frames(qtbot, win: MainWindow, count: int) -> None:
    target = win.frames_shown + count
    qtbot.waitUntil(lambda: win.frames_shown >= target, timeout=TIMEOUT_MS)


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
    window.open_source(str(make_clip(frames=96, audio=False)))
    means = {}
    for gamma in (0.5, 2.0):
        window.controls.gamma.set_value(gamma)
        wait_frames(qtbot, window, 4)  # frames enhanced before the change have left by now
        means[gamma] = qimage_to_array(window.last_frames[1]).mean()
    assert means[2.0] > means[0.5] + 10


def test_split_view_shows_original_left_enhanced_right(qtbot, window, make_clip):
    window.controls.split.setChecked(True)
    assert window.views.split_mode
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 2)
    view = window.views.split_view
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2, view.height() // 2))
    assert view.split == pytest.approx(0.5, abs=0.02)
    shot = qimage_to_array(view.grab().toImage())
    mid = shot.shape[1] // 2
    picture_rows = shot[shot.shape[0] // 2 - 10: shot.shape[0] // 2 + 10]
    assert picture_rows[:, mid + 5: mid + 40].mean() > picture_rows[:, mid - 40: mid - 5].mean() + 10


def test_record_writes_a_playable_file(qtbot, window, make_clip, tmp_path):
    window.open_source(str(make_clip(frames=48)))
    wait_frames(qtbot, window, 1)
    window.controls.record.setChecked(True)
    wait_frames(qtbot, window, 6)
    window.controls.record.setChecked(False)
    recordings = list(tmp_path.glob("recording-*.mp4"))
    assert len(recordings) == 1
    with av.open(str(recordings[0])) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) >= 5 and frames[0].shape == (64, 96, 3)


def test_snapshot_saves_both_views(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 1)
    paths = window.save_snapshot()
    assert [p.name.rsplit("-", 1)[1] for p in paths] == ["original.png", "enhanced.png"]
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize("spec", ["missing.mp4", "webcam:9"])
def test_bad_source_shows_error_and_app_stays_usable(qtbot, window, make_clip, spec):
    window.open_source(spec)
    qtbot.waitUntil(lambda: window.message.text().startswith("Error:"), timeout=TIMEOUT_MS)
    window.open_source(str(make_clip(frames=24)))
    wait_frames(qtbot, window, 1)


def test_close_stops_the_worker_within_a_second(qtbot, window, make_clip):
    window.open_source(str(make_clip(frames=240, audio=False)))
    wait_frames(qtbot, window, 2)
    threads = window.controller.threads
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 1.0
    assert threads and all(t.isFinished() for t in threads)


def test_settings_persist(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    first = MainWindow(store)
    qtbot.addWidget(first)
    first.controls.gamma.set_value(1.5)
    first.controls.split.setChecked(True)
    first.close()
    second = MainWindow(QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.controls.gamma.value() == pytest.approx(1.5)
    assert second.views.split_mode

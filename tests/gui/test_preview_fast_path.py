"""The preview on the CLI's fast path: decoded planes through the stage's plane route, RGB only
for display and only at the size the view shows (real Qt offscreen, real clips, real engine)."""

from __future__ import annotations

import av
import pytest
from PyQt6.QtGui import QImage

from gui.images import qimage_to_array
from tests.helpers.preview import TIMEOUT_MS, wait_frames


def fits(image: QImage, box: tuple[int, int]) -> bool:
    """``image`` fits ``box`` and fills it along one side (give or take rounding)."""
    width, height = image.width(), image.height()
    return (width <= box[0] and height <= box[1]
            and (abs(width - box[0]) <= 1 or abs(height - box[1]) <= 1))


@pytest.fixture
def small_window(qtbot, window):
    """The window, made small enough that a 640x360 clip is shown scaled down."""
    window.resize(700, 420)
    qtbot.waitUntil(lambda: window.views.display_box()[0] < 320, timeout=TIMEOUT_MS)
    return window


def test_frames_travel_as_planes_and_are_shown_at_the_views_size(qtbot, small_window,
                                                                 make_clip):
    win = small_window
    win.open_source(str(make_clip(frames=90, size=(640, 360), fps=30, audio=False)))
    wait_frames(qtbot, win, 3)
    frame = win.last_frame
    assert isinstance(frame.image, av.VideoFrame) and frame.image.format.name == "yuv420p"
    assert isinstance(frame.original, av.VideoFrame)  # no RGB copy of the input either
    assert frame.size == (360, 640)
    box = win.views.display_box()
    original, enhanced = win.last_frames
    assert fits(original, box) and fits(enhanced, box)
    assert abs(enhanced.width() / enhanced.height() - 640 / 360) < 0.02
    shown = qimage_to_array(enhanced)
    assert shown.mean() > qimage_to_array(original).mean() + 10  # enhanced, not a copy


def test_split_mode_shows_larger_pictures(qtbot, small_window, make_clip):
    win = small_window
    win.open_source(str(make_clip(frames=120, size=(640, 360), fps=30, audio=False)))
    wait_frames(qtbot, win, 2)
    side_by_side = win.last_frames[1].width()
    win.controls.split.setChecked(True)
    wait_frames(qtbot, win, 3)
    assert win.last_frames[1].width() > side_by_side
    assert fits(win.last_frames[1], win.views.display_box())


def test_snapshot_keeps_the_full_resolution(qtbot, small_window, make_clip):
    win = small_window
    win.open_source(str(make_clip(frames=60, size=(640, 360), fps=30, audio=False)))
    wait_frames(qtbot, win, 1)
    assert win.last_frames[0].width() < 640
    for path in win.save_snapshot():
        assert qimage_to_array(QImage(str(path))).shape == (360, 640, 3)

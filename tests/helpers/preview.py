"""Waiting on the preview window (pytest-qt's ``qtbot``) for what it shows."""

from __future__ import annotations

from collections.abc import Iterable

from PyQt6.QtCore import QThread

from gui.window import MainWindow
from gui.worker import MAX_FRAMES_IN_FLIGHT

TIMEOUT_MS = 15000  # generous: a wait only ends this early when its condition never comes
PATIENT_S = 120.0  # stream timeouts of the tests that show a stop does not wait for a source
# frames that may still be shown after a change, made before it: the one being enhanced, the one
# waiting for the sink, the one the sink is emitting and those emitted but not yet shown
FRAMES_IN_FLIGHT = 3 + MAX_FRAMES_IN_FLIGHT


def wait_frames(qtbot, win: MainWindow, count: int) -> None:
    """Wait until ``win`` has shown ``count`` more frames."""
    target = win.frames_shown + count
    qtbot.waitUntil(lambda: win.frames_shown >= target, timeout=TIMEOUT_MS)


def wait_frames_after_a_change(qtbot, win: MainWindow) -> None:
    """Wait until a frame enhanced after a settings change is shown."""
    wait_frames(qtbot, win, FRAMES_IN_FLIGHT + 1)


def wait_finished(qtbot, threads: Iterable[QThread]) -> None:
    """Wait until every one of ``threads`` has finished."""
    qtbot.waitUntil(lambda: all(t.isFinished() for t in threads), timeout=TIMEOUT_MS)

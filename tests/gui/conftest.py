"""Fixtures of the preview's tests: a window, and streams that hang or give up soon."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings

import gui.sources
from gui.window import MainWindow
from llie_video.video.live_sources import ReconnectPolicy, StreamOptions
from tests.helpers.preview import PATIENT_S
from tests.helpers.rtsp import SilentServer


@pytest.fixture
def window(qtbot, tmp_path: Path, fast_path_compiled):
    """A window with settings in a temporary ini file and the output folder in tmp_path."""
    store = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(store)
    win.set_output_folder(tmp_path)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def silent_server():
    """A stream URL that accepts connections and never answers."""
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def quick_streams(monkeypatch):
    """Preview stream options that give up on a dead stream within a few seconds."""
    quick = StreamOptions(open_timeout_s=3.0, read_timeout_s=3.0,
                          reconnect=ReconnectPolicy(attempts=1, interval_s=0.1))
    monkeypatch.setattr(gui.sources, "PREVIEW_STREAM_OPTIONS", quick)


@pytest.fixture
def patient_streams(monkeypatch):
    """Preview stream options that wait ``PATIENT_S`` for a connection or a packet: a stop that
    waited for the source would take that long, far beyond the tests' waits."""
    patient = StreamOptions(open_timeout_s=PATIENT_S, read_timeout_s=PATIENT_S,
                            reconnect=ReconnectPolicy(attempts=0))
    monkeypatch.setattr(gui.sources, "PREVIEW_STREAM_OPTIONS", patient)

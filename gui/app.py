"""Entry point: ``python -m gui [SOURCE]`` (SOURCE: a file, a stream URL, ``webcam:N`` or N)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PyQt6.QtWidgets import QApplication

from gui.settings import default_store
from gui.window import MainWindow


def main(argv: Sequence[str] | None = None) -> int:
    """Open the preview window and run until it is closed; returns the exit status."""
    parser = argparse.ArgumentParser(prog="llie-video preview", description=__doc__)
    parser.add_argument("source", nargs="?", help="a video file, a stream URL, webcam:N or N")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = MainWindow(default_store(), args.source)
    window.show()
    code = app.exec()
    window.controller.wait_finished()  # the window is gone; a worker still loading ends first
    return code

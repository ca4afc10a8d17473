"""Render the preview window offscreen on a real frame and save ``docs/screenshot.png``.

Usage: ``python scripts/screenshot.py [PHOTO_OR_VIDEO] [--out docs/screenshot.png]``. Without an
input, a synthetic dark clip is written with :func:`llie_video.sample.write_sample_clip`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PyQt6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from gui.window import MainWindow  # noqa: E402
from llie_video.sample import write_sample_clip  # noqa: E402


def wait_until(app: QApplication, done, timeout_s: float) -> bool:
    """Run the event loop until ``done()`` or ``timeout_s``."""
    loop, timer = QEventLoop(), QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() else None)
    timer.start(50)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    return done()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input", nargs="?", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    args = parser.parse_args()
    app = QApplication([sys.argv[0]])
    with tempfile.TemporaryDirectory() as tmp:
        source = args.input or write_sample_clip(Path(tmp) / "sample.mp4", seconds=3)
        store = QSettings(str(Path(tmp) / "gui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store)
        window.resize(1280, 560)
        window.show()
        window.open_source(str(source))
        if not wait_until(app, lambda: window.frames_shown >= 20
                          or (args.input is not None and window.frames_shown >= 1), 30):
            print(f"no frames: {window.message.text()}", file=sys.stderr)
            return 1
        window.controls.play.setChecked(True)  # pause on this frame
        wait_until(app, lambda: False, 0.7)  # let the status bar show fps
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(args.out), "PNG", 0)  # 0: smallest file
        window.close()
    print(f"wrote {args.out}" if ok else f"cannot write {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

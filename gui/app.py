"""Entry point: ``python -m gui [SOURCE] [--weights FILE] [--backend NAME] [--threads N]``
(SOURCE: a file, a stream URL, ``webcam:N`` or N)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace

from PyQt6.QtWidgets import QApplication

from gui.settings import default_store
from gui.window import MainWindow
from llie_video.arguments import UserErrorParser
from llie_video.errors import UserError
from llie_video.job_config import JobConfig
from llie_video.runtimes.backends import BACKENDS


def main(argv: Sequence[str] | None = None) -> int:
    """Open the preview window and run until it is closed; returns the exit status."""
    parser = UserErrorParser(prog="llie-video preview", description=__doc__)
    parser.add_argument("source", nargs="?", help="a video file, a stream URL, webcam:N or N")
    parser.add_argument("--weights", help="checkpoint file to load instead of the shipped "
                        "weights (of the model chosen in the window)")
    parser.add_argument("--backend", choices=BACKENDS.names(),
                        help="what runs the model's estimator (default torch)")
    parser.add_argument("--threads", type=int, help="CPU threads of the enhance stage (default 1)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    job = JobConfig()
    try:
        job = replace(job, model=replace(job.model, weights=args.weights),
                      runtime=replace(job.runtime, **{k: v for k, v in (
                          ("backend", args.backend), ("threads", args.threads)) if v is not None}))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = MainWindow(default_store(), args.source, job)
    window.show()
    code = app.exec()
    window.controller.wait_finished()  # the window is gone; a worker still loading ends first
    return code

"""One batch at a time per OUT_DIR: an exclusive lock on the folder for the whole run.

Two runs into one folder would each take the other's temporary files for a killed run's
leftovers and delete them, and both would write every file. The lock is an advisory ``flock``
on the folder itself (nothing is created), released when the run ends or its process dies;
where ``fcntl`` does not exist (Windows) runs are not locked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from llie_video.errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@contextmanager
def exclusive_run(folder: Path) -> Iterator[None]:
    """Hold the lock on ``folder`` (which must exist) for the ``with`` block; a
    :class:`UserError` when another process holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another llie-video batch is writing into {folder}; wait for it "
                            "to end (or stop it) and run this again") from None
        yield
    finally:
        os.close(descriptor)  # releases the lock

"""One batch at a time per OUT_DIR: an exclusive lock on the folder for the whole run, held by
the run's worker processes too.

Two runs into one folder would each take the other's temporary files for a killed run's
leftovers and delete them, and both would write every file. The lock is an advisory ``flock``
on the folder itself (nothing is created), released when the run ends or its process dies;
where ``fcntl`` does not exist (Windows) runs are not locked.

A ``flock`` belongs to the open folder, not to a process: the local engine hands the open folder
to each worker process it spawns (:meth:`FolderLock.shared`), so the lock stays held until the
last of them has ended too. A rerun started while a killed run's workers are still winding down
is refused, not let loose on their files.
"""

from __future__ import annotations

import multiprocessing.context
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from llie_video.errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class FolderLock:
    """The lock on ``folder``: ``descriptor`` is the locked open folder (None: not locked)."""

    folder: Path
    descriptor: int | None

    def shared(self) -> SharedLock | None:
        """What a process being spawned takes along to hold the lock with this one (None when
        not locked)."""
        return None if self.descriptor is None else SharedLock(self.descriptor)


class SharedLock:
    """The locked open folder, handed to a child process as it is spawned (pass it in the
    process's arguments: the descriptor travels with it, the lock with the descriptor). The
    child holds it until it exits; it can only be pickled while spawning a process."""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def __reduce__(self) -> tuple[object, tuple[object]]:
        popen = multiprocessing.context.get_spawning_popen()
        if popen is None:
            raise TypeError("a SharedLock only travels to a process being spawned")
        return _inherited, (popen.DupFd(popen.duplicate_for_child(self.descriptor)),)


def _inherited(duplicate: object) -> SharedLock:
    """In the child: the descriptor it was handed."""
    return SharedLock(duplicate.detach())  # type: ignore[attr-defined]


@contextmanager
def exclusive_run(folder: Path) -> Iterator[FolderLock]:
    """Hold the lock on ``folder`` (which must exist) for the ``with`` block; a
    :class:`UserError` when another process holds it (a run, or a run's worker)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield FolderLock(folder, None)
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another llie-video batch is writing into {folder}; wait for it "
                            "to end (or stop it) and run this again") from None
        yield FolderLock(folder, descriptor)
    finally:
        os.close(descriptor)  # releases the lock, unless a worker still holds it

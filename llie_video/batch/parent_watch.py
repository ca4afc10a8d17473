"""A worker process that dies with its parent, whatever killed the parent.

A batch's parent may end without a word to its workers: SIGKILL from the out-of-memory killer,
a crash. Its workers must not live on, writing into OUT_DIR, or sleep forever.
:func:`die_with_parent` makes the calling process run ``on_death`` (remove its temporary file)
and exit within about a second of its parent's death, by two means:

- on Linux, the kernel's parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGTERM)``), which
  arrives at once; SIGTERM from anyone else (a pool terminating its workers) ends the process
  the same way;
- everywhere, a daemon thread that checks every :data:`POLL_S` that the parent is still the
  parent (an orphan is adopted by another process), which also covers a parent that died
  before the signal was asked for.

The parent-death signal follows the thread that started the process: the pool's processes must
be started by a thread that lives as long as they do (the local engine starts them from the
batch's own thread, which waits for them).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

POLL_S = 0.25  # how often the fallback watch looks at the parent
EXIT_CODE = 128 + signal.SIGTERM  # what a worker that outlived its parent exits with
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int, on_death: Callable[[], None]) -> None:
    """Run ``on_death`` and exit (code :data:`EXIT_CODE`) when process ``parent_pid``, this
    process's parent, dies or when SIGTERM arrives. Call it once, from the main thread."""
    lock = threading.Lock()

    def end() -> None:
        if not lock.acquire(blocking=False):
            return  # the other means is already ending the process
        try:
            on_death()
        finally:
            os._exit(EXIT_CODE)  # now: no other thread may write on

    signal.signal(signal.SIGTERM, lambda signum, frame: end())
    if sys.platform.startswith("linux"):
        _ask_for_parent_death_signal()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_S)
        end()

    threading.Thread(target=watch, name="llie-parent-watch", daemon=True).start()


def _ask_for_parent_death_signal() -> None:
    """SIGTERM to this process when its parent dies (Linux); quietly nothing if prctl is not
    there (the watch thread still runs)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass

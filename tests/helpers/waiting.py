"""Waiting for conditions instead of sleeping: events set by what the code under test does."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Generous: a wait only ends this early when the condition it waits for never comes (a failure).
PATIENCE_S = 60.0


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = PATIENCE_S,
             poll_s: float = 0.02) -> None:
    """Poll ``condition`` until it holds; fail the test, naming ``what``, after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(poll_s)


class _MatchHandler(logging.Handler):
    def __init__(self, pattern: str) -> None:
        super().__init__(logging.DEBUG)
        self.pattern = re.compile(pattern)
        self.event = threading.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.pattern.search(message):
            self.messages.append(message)
            self.event.set()


@contextmanager
def log_watch(logger: str, pattern: str) -> Iterator[_MatchHandler]:
    """While inside, ``handler.event`` is set (and ``handler.messages`` grows) each time
    ``logger`` logs a message matching ``pattern``, from any thread."""
    handler = _MatchHandler(pattern)
    log = logging.getLogger(logger)
    previous = log.level
    log.addHandler(handler)
    if log.getEffectiveLevel() > logging.WARNING:
        log.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)


class FrameCounter:
    """An ``on_frame`` callback that counts frames written and lets a test wait for a count."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        return self._count

    def __call__(self, frame: object) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_until(self, count: int, timeout_s: float = PATIENCE_S) -> int:
        """Block until at least ``count`` frames were written; returns the count then."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._count >= count, timeout_s):
                raise AssertionError(f"timed out after {timeout_s:g} s waiting for {count} "
                                     f"frames ({self._count} written)")
            return self._count

"""Opening and reading a source on a thread of its own, which nobody has to wait for.

PyAV offers no way to abort a blocking call from another thread: opening a stream whose server
accepts the connection and never answers blocks for the open timeout (times the reconnect
policy's attempts), and a stalled stream blocks a read for the read timeout. A preview must
still close within a second, so :class:`SourceReader` opens, iterates and closes the source on a
daemon thread and hands the items over through a short queue. Its consumers (the worker while
the source opens, then the pipeline's decode thread) only ever wait on it in short polls, so
:meth:`SourceReader.stop` releases them at once. The reader thread itself notices the stop as
soon as the call it is blocked in returns (a timeout at the latest); it then closes the source
and ends.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from gui.sources import OpenedSource, open_source

_POLL_S = 0.05  # longest uninterrupted wait of a consumer, and of the reader on a full queue
_END = object()  # the source ended (or failed: then ``error`` is set first)


class SourceReader:
    """Opens ``spec`` with ``opener`` and reads it on the daemon thread ``llie-preview-source``.

    Call :meth:`start`, then :meth:`wait_opened`, then iterate; :meth:`stop` (any thread) ends
    both waits within ``_POLL_S``. Errors of the opener or the source are re-raised to the
    consumer, from :meth:`wait_opened` or from the iteration.
    """

    def __init__(self, spec: str, opener: Callable[[str], OpenedSource] = open_source,
                 queue_size: int = 2) -> None:
        self.spec = spec
        self.opener = opener
        self.error: BaseException | None = None
        self._opened: OpenedSource | None = None
        self._items: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._ready = threading.Event()  # opened, or failed to
        self._stop = threading.Event()
        self._closed = threading.Event()  # the reader thread is done with the source
        self._thread = threading.Thread(target=self._run, name="llie-preview-source", daemon=True)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def closed(self) -> bool:
        """Whether the reader thread has ended (after closing the source, if it opened)."""
        return self._closed.is_set()

    def start(self) -> None:
        """Start opening the source (call it once); after :meth:`stop`, nothing is opened."""
        if self._stop.is_set():
            self._closed.set()
            return
        self._thread.start()

    def stop(self) -> None:
        """Release every consumer now; the reader thread closes the source when it can."""
        self._stop.set()

    def wait_closed(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the reader thread to end; True when it has."""
        return self._closed.wait(timeout_s)

    def wait_opened(self) -> OpenedSource | None:
        """The opened source, once it is open; None when stopped first. Raises the opener's
        error (e.g. a :class:`~llie_video.errors.UserError`: the source cannot be opened)."""
        while not self._ready.wait(_POLL_S):
            if self._stop.is_set():
                return None
        if self._opened is None:
            assert self.error is not None
            raise self.error
        return None if self._stop.is_set() else self._opened

    def __iter__(self) -> Iterator[object]:
        """The source's items in order; ends at its end or on :meth:`stop`, raises its error."""
        while not self._stop.is_set():
            try:
                item = self._items.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                if self.error is not None:
                    raise self.error
                return
            yield item

    # -- the reader thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            try:
                self._opened = self.opener(self.spec)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                self.error = exc
                return
            finally:
                self._ready.set()
            self._read(self._opened)
        finally:
            self._closed.set()

    def _read(self, opened: OpenedSource) -> None:
        try:
            if self._stop.is_set():
                return  # stopped while opening
            for item in opened.source:
                if not self._put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self.error = exc
        finally:
            opened.source.close()
        self._put(_END)

    def _put(self, item: object) -> bool:
        """Queue ``item`` for the consumer; False when stopped first."""
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

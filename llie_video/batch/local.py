"""The local engine: a pool of worker processes on this machine.

Processes are started with ``spawn`` so that each owns its threads (torch's, the fused kernel's,
ONNX Runtime's) and loads the model once (:class:`~llie_video.batch.worker.BatchWorker`). Workers
ignore SIGINT: on Ctrl-C the parent asks them to stop, and a running file job ends without
writing its output. A worker that dies (a crash in a decoder, the OOM killer) breaks the pool:
the files that had not started go to a fresh pool, the files being enhanced get one more try
there, and fail if the pool breaks under them again.

Workers die with the batch (:mod:`llie_video.batch.parent_watch`): a parent killed outright
(SIGKILL, the OOM killer) takes its workers with it within about a second, each removing the
temporary file of the file it was writing. Each worker also holds the run's lock on OUT_DIR
(:mod:`llie_video.batch.lock`) until it exits, so a rerun cannot start while one still writes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.queues import SimpleQueue
from pathlib import Path

from llie_video.batch.engine import BatchEngine, jobs_and_threads
from llie_video.batch.lock import FolderLock, SharedLock
from llie_video.batch.parent_watch import die_with_parent
from llie_video.batch.worker import (
    BatchWorker, FileResult, FileTask, OnFrames, OnResult, one_line)
from llie_video.job_config import JobConfig
from llie_video.output_paths import partial_path

_REPORT_S = 0.1  # how often a worker reports its frame count
_POLL_S = 0.05


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# -- in the worker processes ------------------------------------------------------------------

_worker: BatchWorker | None = None
_init_error = ""
_messages: SimpleQueue | None = None
_stop = None
_lock: SharedLock | None = None  # held (never read) until the process exits
_current_target: str | None = None  # the file being written, if any
_TRIES = 2  # times a file is run before a worker dying under it fails it


def _init_worker(config: JobConfig, threads: int, messages: SimpleQueue, stop: object,
                 parent_pid: int, lock: SharedLock | None) -> None:
    global _worker, _init_error, _messages, _stop, _lock
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    die_with_parent(parent_pid, _remove_temporary_file)
    _messages, _stop, _lock = messages, stop, lock
    try:
        _worker = BatchWorker(config, threads)
    except Exception as exc:  # noqa: BLE001 - every file of this worker then fails with it
        _init_error = f"the worker could not start: {one_line(exc)}"


def _remove_temporary_file() -> None:
    """What a worker leaves behind when it must end at once: the file it was writing."""
    target = _current_target
    if target is not None:
        partial_path(Path(target)).unlink(missing_ok=True)


def _run_task(index: int, task: FileTask) -> FileResult:
    global _current_target
    assert _messages is not None and _stop is not None
    if _worker is None:
        return FileResult("failed", error=_init_error)
    _messages.put(("start", index, 0))
    pending, last = 0, time.monotonic()

    def on_frames(count: int) -> None:
        nonlocal pending, last
        pending += count
        now = time.monotonic()
        if now - last >= _REPORT_S:
            _messages.put(("frames", index, pending))
            pending, last = 0, now

    _current_target = task.target
    try:
        result = _worker.run(task, on_frames, _stop.is_set)  # type: ignore[attr-defined]
    finally:
        _current_target = None
    if pending:
        _messages.put(("frames", index, pending))
    return result


# -- in the parent ----------------------------------------------------------------------------


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so that they never take Ctrl-C themselves
    (a Python started with SIGINT ignored keeps ignoring it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class LocalEngine(BatchEngine):
    """``--engine local``: a pool of ``jobs`` processes of ``threads`` threads each, within
    this machine's cores (a UserError now if ``--jobs`` and ``--threads`` do not fit)."""

    description = "a process pool on this machine"

    def __init__(self, config: JobConfig, options: object, jobs: int | None, files: int) -> None:
        super().__init__(config, options, jobs, files)
        jobs, self.threads = jobs_and_threads(jobs, config.runtime.threads, available_cores())
        self.processes = min(jobs, files)

    def run(self, tasks: Sequence[FileTask], on_result: OnResult, on_frames: OnFrames,
            lock: FolderLock) -> None:
        """Each process shares ``lock`` until it exits; a KeyboardInterrupt stops the workers
        (their files end unwritten), reports what finished, and propagates."""
        context = multiprocessing.get_context("spawn")
        # a SimpleQueue writes in the calling thread: a "start" is sent before the file is touched
        messages = context.SimpleQueue()
        stop = context.Event()
        tries = [0] * len(tasks)
        remaining = list(range(len(tasks)))
        while remaining:
            remaining = _run_pool(tasks, remaining, tries, self.config,
                                  min(self.processes, len(remaining)), self.threads, context,
                                  messages, stop, on_result, on_frames, lock.shared())


def _run_pool(tasks: Sequence[FileTask], indices: list[int], tries: list[int], config: JobConfig,
              jobs: int, threads: int, context: multiprocessing.context.BaseContext,
              messages: SimpleQueue, stop: object, on_result: OnResult,
              on_frames: OnFrames, lock: SharedLock | None) -> list[int]:
    """Run ``indices`` on one pool; returns those to run again on a fresh pool when a worker
    died (``tries`` counts the runs each file started)."""

    def drain() -> None:
        while not messages.empty():
            kind, index, count = messages.get()
            if kind == "start":
                tries[index] += 1
            else:
                on_frames(index, count)

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                               initargs=(config, threads, messages, stop, os.getpid(), lock))
    futures: dict[Future[FileResult], int] = {}
    reported: set[int] = set()
    retry: list[int] = []

    def report(index: int, result: FileResult) -> None:
        reported.add(index)
        on_result(index, result)

    try:
        with _sigint_ignored():  # the workers start here and inherit it from their first line
            futures = {pool.submit(_run_task, i, tasks[i]): i for i in indices}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            drain()
            for future in sorted(done, key=futures.__getitem__):  # in plan order
                index = futures[future]
                try:
                    report(index, future.result())
                except BrokenProcessPool:
                    if tries[index] < _TRIES:
                        retry.append(index)
                    else:
                        report(index, FileResult("failed", error="the worker process died "
                                                 "while enhancing this file (a crash, or killed)"))
    except KeyboardInterrupt:
        stop.set()  # type: ignore[attr-defined]
        pool.shutdown(wait=True, cancel_futures=True)
        drain()
        for future, index in futures.items():
            if index in reported or not future.done() or future.cancelled():
                continue
            if future.exception() is None and future.result().status != "stopped":
                report(index, future.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    drain()
    return sorted(retry)

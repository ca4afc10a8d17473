"""What a batch engine is: a class that runs a batch's file tasks, with options of its own.

The runner (:mod:`llie_video.batch.runner`) plans the files and keeps the manifest; an engine
only runs :class:`~llie_video.batch.worker.FileTask` s and reports each one's result. Engines
are registered by name in :data:`llie_video.batch.engines.ENGINES` (``--engine NAME``); a new
one is a subclass in its own module and one line there.
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from llie_video.batch.lock import FolderLock
from llie_video.batch.worker import FileTask, OnFrames, OnResult
from llie_video.errors import UserError
from llie_video.job_config import JobConfig


@dataclass(frozen=True)
class NoOptions:
    """The options of an engine that has none of its own."""


class BatchEngine(ABC):
    """Runs file tasks with ``config``'s model, ``jobs`` files at once (None: as many as its
    cores allow); ``files`` is how many the batch has (no more jobs than files are started).

    The constructor checks what it can at once (a UserError before any file is touched); its
    :attr:`Options` (a frozen dataclass) are what this engine alone is told, set on the command
    line by the arguments :meth:`add_arguments` adds.
    """

    Options: ClassVar[type] = NoOptions
    description: ClassVar[str] = ""

    def __init__(self, config: JobConfig, options: object, jobs: int | None, files: int) -> None:
        self.config = config
        self.options = options
        self.jobs = jobs
        self.files = files

    @classmethod
    def add_arguments(cls, group: argparse._ArgumentGroup) -> None:
        """Add this engine's own command-line options (each defaulting to None: not given)."""

    @classmethod
    def options_from(cls, args: argparse.Namespace) -> object:
        """This engine's :attr:`Options` from the parsed command line."""
        return cls.Options()

    @abstractmethod
    def run(self, tasks: Sequence[FileTask], on_result: OnResult, on_frames: OnFrames,
            lock: FolderLock) -> None:
        """Enhance ``tasks``; ``on_result(index, result)`` as each file ends, ``on_frames(index,
        n)`` as its frames are written. ``lock`` is the run's lock on OUT_DIR, for engines whose
        processes can share it. A KeyboardInterrupt reports what finished and propagates."""


def jobs_and_threads(jobs: int | None, threads: int, cores: int) -> tuple[int, int]:
    """Files at once and enhance threads per file within ``cores``: ``jobs x threads <= cores``.

    By default each job is also given a core for its decoder and encoder (x264 keeps one busy):
    on two cores one job already uses both, and a second only adds its start-up (measured in
    docs/scale.md).

    >>> jobs_and_threads(None, 1, 2), jobs_and_threads(None, 1, 16), jobs_and_threads(None, 3, 16)
    ((1, 1), (8, 1), (4, 3))
    >>> jobs_and_threads(2, 1, 2)
    (2, 1)
    """
    if threads < 1:
        raise UserError(f"--threads must be at least 1 in a batch, got {threads}")
    if jobs is None:
        return max(1, cores // (threads + 1)), threads
    if jobs * threads > cores:
        raise UserError(f"--jobs {jobs} x --threads {threads} is more threads than the "
                        f"{cores} cores here; lower one of them")
    return jobs, threads

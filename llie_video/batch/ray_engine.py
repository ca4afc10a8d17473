"""The Ray engine: the same batch on a Ray cluster, with Ray Data.

One row per file, one block per row (so each file's result comes back as soon as it ends); a
pool of ``jobs`` actors of :class:`RayEnhancer`, each loading the model once and reserving
``threads`` CPUs (and ``gpus_per_job`` GPUs); the actors write the outputs into OUT_DIR, which
every node must reach under the same path (a shared file system), as it must the inputs. The
driver keeps the manifest. Ray is the optional extra ``llie-video[ray]``.

Start a cluster with ``ray start --head`` on one node and ``ray start --address HEAD:6379`` on
the others, then run ``llie-video batch ... --engine ray --address auto`` on any of them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from llie_video.batch.worker import (
    BatchWorker, FileResult, FileTask, OnFrames, OnResult, one_line)
from llie_video.errors import UserError
from llie_video.optional import require
from llie_video.video.pipeline import StageError

if TYPE_CHECKING:
    from llie_video.batch.runner import BatchOptions
from llie_video.job_config import JobConfig


class RayEnhancer:
    """A Ray Data actor: a :class:`BatchWorker` built once, one file per row."""

    def __init__(self, config: JobConfig, threads: int) -> None:
        self.worker = BatchWorker(config, threads)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        task = FileTask(**{k: row[k] for k in FileTask.__dataclass_fields__})
        return {"index": row["index"], **asdict(self.worker.run(task))}


def run_ray(tasks: Sequence[FileTask], config: JobConfig, options: BatchOptions,
            on_result: OnResult, on_frames: OnFrames) -> None:
    """Enhance ``tasks`` on the Ray cluster at ``options.address`` (or a local Ray instance;
    one already initialised in this process is used as it is)."""
    ray = require_ray()
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(address=options.address, include_dashboard=False, log_to_driver=False,
                     logging_level="ERROR")
        except ConnectionError as exc:
            raise UserError(f"cannot reach the Ray cluster at {options.address}: {exc}") from None
    try:
        jobs, threads = _actors(ray, options, config.runtime.threads)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        rows = [{"index": i, **asdict(task)} for i, task in enumerate(tasks)]
        with warnings.catch_warnings():
            # Ray Data restarts a dead actor and retries its task forever by default, so a
            # file that crashes its worker would loop; max_restarts=0 turns that off, and Ray
            # 2.60 takes it only through its remote arguments, which it marks as deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map(
                RayEnhancer, fn_constructor_kwargs={"config": config, "threads": threads},
                compute=ray.data.ActorPoolStrategy(size=jobs), num_cpus=threads,
                num_gpus=options.gpus_per_job or None, max_restarts=0)
        try:
            for row in _quietly(dataset.iter_rows()):
                index = int(row["index"])
                result = FileResult(row["status"], int(row["frames"]), float(row["seconds"]),
                                    float(row["fps"]), str(row["error"]))
                on_frames(index, result.frames)
                on_result(index, result)
        except ray.exceptions.RayError as exc:  # an actor died (a crash, a lost node)
            raise StageError("ray", RuntimeError(f"{one_line(exc)}; the files done so far are "
                                                 "in the manifest, run again to resume")) from None
    finally:
        if started_here:
            ray.shutdown()


def _quietly(rows: Iterator[Any]) -> Iterator[Any]:
    """``rows``, with Ray Data's notes on its own execution (progress bars off, execution
    finished) kept off the batch's stderr: its errors still show."""
    loggers = [logging.getLogger(name) for name in ("ray.data", "ray")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield from rows
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def require_ray() -> Any:
    """The ``ray`` module with Ray Data, or a UserError saying how to install them."""
    ray = require("ray", "ray")
    require("ray.data", "ray")
    return ray


def _actors(ray: Any, options: BatchOptions, threads: int) -> tuple[int, int]:
    """Actors and CPUs per actor within the cluster's CPUs (``jobs x threads <= CPUs``)."""
    from llie_video.batch.runner import jobs_and_threads

    cpus = int(ray.cluster_resources().get("CPU", 1))
    jobs, threads = jobs_and_threads(options.jobs, threads, cpus)
    if options.gpus_per_job:
        gpus = ray.cluster_resources().get("GPU", 0)
        if gpus < options.gpus_per_job * jobs:
            raise UserError(f"{jobs} jobs x {options.gpus_per_job:g} GPUs is more than the "
                            f"{gpus:g} GPUs of the Ray cluster")
    return jobs, threads

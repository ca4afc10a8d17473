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

import argparse
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from llie_video.batch.engine import BatchEngine, jobs_and_threads
from llie_video.batch.lock import FolderLock
from llie_video.batch.worker import (
    BatchWorker, FileResult, FileTask, OnFrames, OnResult, one_line)
from llie_video.errors import UserError
from llie_video.job_config import JobConfig
from llie_video.optional import require
from llie_video.video.pipeline import StageError


@dataclass(frozen=True)
class RayOptions:
    """The Ray engine's own options.

    Attributes:
        address: the Ray cluster to join (``auto``, ``ray://host:10001``, ``host:6379``);
            None starts a Ray instance on this machine.
        gpus_per_job: GPUs each actor reserves (fractions share one).
    """

    address: str | None = None
    gpus_per_job: float = 0.0

    def __post_init__(self) -> None:
        if self.gpus_per_job < 0:
            raise ValueError(f"gpus per job must not be negative, got {self.gpus_per_job}")


class RayEnhancer:
    """A Ray Data actor: a :class:`BatchWorker` built once, one file per row."""

    def __init__(self, config: JobConfig, threads: int) -> None:
        self.worker = BatchWorker(config, threads)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        task = FileTask(**{k: row[k] for k in FileTask.__dataclass_fields__})
        return {"index": row["index"], **asdict(self.worker.run(task))}


class RayEngine(BatchEngine):
    """``--engine ray``: ``jobs`` actors on a Ray cluster (Ray is asked for its CPUs and GPUs
    when the run starts; a UserError now if Ray is not installed)."""

    Options = RayOptions
    description = "a Ray cluster (pip install 'llie-video[ray]')"

    def __init__(self, config: JobConfig, options: object, jobs: int | None, files: int) -> None:
        assert isinstance(options, RayOptions)
        super().__init__(config, options, jobs, files)
        self.ray_options = options
        require_ray()

    @classmethod
    def add_arguments(cls, group: argparse._ArgumentGroup) -> None:
        group.add_argument("--address", metavar="ADDR",
                           help="Ray cluster to join, e.g. auto or ray://head:10001 (default: "
                           "start Ray on this machine)")
        group.add_argument("--gpus-per-job", type=float, metavar="G",
                           help="GPUs each Ray worker reserves (default 0)")

    @classmethod
    def options_from(cls, args: argparse.Namespace) -> RayOptions:
        given = {"address": args.address, "gpus_per_job": args.gpus_per_job}
        return RayOptions(**{k: v for k, v in given.items() if v is not None})

    def run(self, tasks: Sequence[FileTask], on_result: OnResult, on_frames: OnFrames,
            lock: FolderLock) -> None:
        """Enhance ``tasks`` on the Ray cluster at ``address`` (or a local Ray instance; one
        already initialised in this process is used as it is). Actors on other nodes cannot
        share a flock: the run's process holds ``lock`` alone."""
        options = self.ray_options
        ray = require_ray()
        started_here = not ray.is_initialized()
        if started_here:
            try:
                ray.init(address=options.address, include_dashboard=False, log_to_driver=False,
                         logging_level="ERROR")
            except ConnectionError as exc:
                raise UserError(f"cannot reach the Ray cluster at {options.address}: "
                                f"{exc}") from None
        try:
            jobs, threads = _actors(ray, self.jobs, options.gpus_per_job,
                                    self.config.runtime.threads)
            _map_files(ray, tasks, self.config, jobs, threads, options.gpus_per_job,
                       on_result, on_frames)
        finally:
            if started_here:
                ray.shutdown()


def _map_files(ray: Any, tasks: Sequence[FileTask], config: JobConfig, jobs: int, threads: int,
               gpus_per_job: float, on_result: OnResult, on_frames: OnFrames) -> None:
    """One Ray Data row per file through a pool of ``jobs`` :class:`RayEnhancer` actors."""
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
            num_gpus=gpus_per_job or None, max_restarts=0)
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


def _actors(ray: Any, jobs: int | None, gpus_per_job: float, threads: int) -> tuple[int, int]:
    """Actors and CPUs per actor within the cluster's CPUs (``jobs x threads <= CPUs``)."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    jobs, threads = jobs_and_threads(jobs, threads, cpus)
    if gpus_per_job:
        gpus = ray.cluster_resources().get("GPU", 0)
        if gpus < gpus_per_job * jobs:
            raise UserError(f"{jobs} jobs x {gpus_per_job:g} GPUs is more than the "
                            f"{gpus:g} GPUs of the Ray cluster")
    return jobs, threads

"""Run a batch: find the files, skip those done before, hand the rest to an engine, record
each result in the manifest as it arrives, and sum up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from llie_video.batch.discover import BatchItem, discover
from llie_video.batch.lock import FolderLock, exclusive_run
from llie_video.batch.manifest import InputState, Manifest, Record, Status
from llie_video.batch.progress import BatchProgress
from llie_video.batch.worker import FileResult, FileTask, OnFrames, OnResult, partial_files
from llie_video.errors import UserError
from llie_video.job_config import JobConfig

Engine = Literal["local", "ray"]


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch.

    Attributes:
        jobs: files enhanced at once (local: processes; Ray: actors); None: one per
            ``threads + 1`` cores (``threads``: the job config's ``runtime.threads``, the
            enhance threads of a job; the other core is its decoder's and encoder's).
        engine: ``local`` (a process pool on this machine) or ``ray`` (a Ray cluster).
        address: the Ray cluster to join (``auto``, ``ray://host:10001``, ``host:6379``);
            None starts a Ray instance on this machine.
        gpus_per_job: GPUs each Ray actor reserves (fractions share one).
        overwrite: replace outputs the manifest does not know of.
        progress: show the progress bar.
    """

    jobs: int | None = None
    engine: Engine = "local"
    address: str | None = None
    gpus_per_job: float = 0.0
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.jobs is not None and self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")
        if self.gpus_per_job < 0:
            raise ValueError(f"gpus per job must not be negative, got {self.gpus_per_job}")


@dataclass
class BatchSummary:
    """What a run did: files done, failed (with their errors), skipped as done before."""

    manifest: Path
    done: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    skipped: int = 0
    interrupted: bool = False
    not_run: int = 0  # handed over but not finished when interrupted


@dataclass(frozen=True)
class _Planned:
    item: BatchItem
    state: InputState
    task: FileTask


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


def run_batch(source: str, out_dir: Path, config: JobConfig,
              options: BatchOptions) -> BatchSummary:
    """Enhance every video and image of ``source`` into ``out_dir`` (same relative paths).
    A KeyboardInterrupt ends the run with the summary's ``interrupted`` set: finished files are
    in the manifest, the others have no output and are redone by the next run."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir} exists and is not a folder")
    out_dir = out_dir.absolute()  # workers may run elsewhere (other folders, other nodes)
    if config.model.weights is not None:
        config = replace(config, model=replace(
            config.model, weights=str(Path(config.model.weights).absolute())))
    items = discover(source, out_dir)
    with ExitStack() as held:
        # another run may be writing here: lock before reading
        lock = held.enter_context(exclusive_run(out_dir)) if out_dir.is_dir() else None
        manifest = Manifest(out_dir)
        summary = BatchSummary(manifest.path)
        plan = []
        for item in items:
            state = InputState.of(item.source)
            if manifest.is_done(state, item.relative.as_posix()):
                summary.skipped += 1
                continue
            task = FileTask(str(item.source), str(out_dir / item.relative), item.kind,
                            options.overwrite or manifest.knows(state), _expected_frames(item))
            plan.append(_Planned(item, state, task))
        if not plan:
            return summary
        # the longest files first: the pool ends sooner when short ones fill in at the end
        plan.sort(key=lambda p: p.state.size, reverse=True)
        _check_config(config)
        engine = _engine(config, options, len(plan))
        if lock is None:  # a new folder, made only once the options are known to be good
            out_dir.mkdir(parents=True, exist_ok=True)
            lock = held.enter_context(exclusive_run(out_dir))
        manifest.append(*(_record(p, "started") for p in plan))
        _run_plan(plan, engine, options, manifest, summary, lock)
    return summary


# (tasks, on_result, on_frames, the run's lock on OUT_DIR, which the engine's processes share)
EngineRun = Callable[[Sequence[FileTask], OnResult, OnFrames, FolderLock], None]


def _engine(config: JobConfig, options: BatchOptions, files: int) -> EngineRun:
    """How to run the tasks: the engine with its jobs and threads (a UserError now if the
    local machine's cores do not allow them; a Ray cluster is asked when the run starts)."""
    if options.engine == "ray":
        from llie_video.batch.ray_engine import require_ray, run_ray

        require_ray()
        # actors on other nodes cannot share a flock: the run's process holds it alone
        return lambda tasks, on_result, on_frames, lock: run_ray(tasks, config, options,
                                                                 on_result, on_frames)
    from llie_video.batch.local import available_cores, run_local

    jobs, threads = jobs_and_threads(options.jobs, config.runtime.threads, available_cores())
    jobs = min(jobs, files)
    return lambda tasks, on_result, on_frames, lock: run_local(tasks, config, jobs, threads,
                                                               on_result, on_frames, lock)


def _run_plan(plan: Sequence[_Planned], engine: EngineRun, options: BatchOptions,
              manifest: Manifest, summary: BatchSummary, lock: FolderLock) -> None:
    tasks = [p.task for p in plan]
    progress = BatchProgress(sum(t.frames for t in tasks), len(tasks), options.progress)
    counted = [0] * len(tasks)
    ended: set[int] = set()

    def on_frames(index: int, count: int) -> None:
        counted[index] += count
        progress.frames(count)

    def on_result(index: int, result: FileResult) -> None:
        if result.status == "stopped":
            return
        planned = plan[index]
        ended.add(index)
        status = "done" if result.status == "done" else "failed"
        manifest.append(_record(planned, status, result))
        if status == "done":
            summary.done.append(planned.item.source)
        else:
            summary.failed.append((planned.item.source, result.error))
        progress.file_ended(status == "failed", tasks[index].frames, counted[index])

    try:
        engine(tasks, on_result, on_frames, lock)
    except KeyboardInterrupt:
        summary.interrupted = True
        summary.not_run = len(tasks) - len(ended)
        for index, task in enumerate(tasks):  # workers killed mid-file leave these behind
            if index not in ended:
                for stale in partial_files(Path(task.target)):
                    stale.unlink(missing_ok=True)
    finally:
        progress.close()


def _record(planned: _Planned, status: Status, result: FileResult | None = None) -> Record:
    """The manifest line for ``planned`` (``result``: how it ended, for done and failed)."""
    result = result or FileResult("stopped")
    return Record(input=planned.state.path, size=planned.state.size, mtime=planned.state.mtime,
                  output=planned.item.relative.as_posix(), status=status, frames=result.frames,
                  seconds=round(result.seconds, 3), fps=round(result.fps, 2), error=result.error)


def _expected_frames(item: BatchItem) -> int:
    """Frames the file should have (for the progress bar); 1 for an image, 0 when unknown."""
    if item.kind == "image":
        return 1
    from llie_video.video.sources import FileSource

    try:
        with FileSource(item.source) as source:
            return source.info().frames
    except UserError:
        return 0  # a bad file: its worker will say why


def _check_config(config: JobConfig) -> None:
    """Fail now, once, on what would fail every file: an unknown model or codec, bad weights,
    a device that is not there, a backend that is not installed; the ONNX Runtime backend's
    estimator is exported here, so that workers only load it."""
    from llie_video.models import create_model
    from llie_video.video.device import select_device

    config.encoder.check()
    select_device(config.runtime.device)
    model = create_model(config.model.name, pretrained=config.model.weights is None,
                         weights=config.model.weights)
    if config.runtime.backend == "onnxruntime":
        from llie_video.runtimes.onnxruntime import cached_estimator

        cached_estimator(model)

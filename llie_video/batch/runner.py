"""Run a batch: find the files, skip those done before, hand the rest to an engine, record
each result in the manifest as it arrives, and sum up."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from llie_video.batch.discover import BatchItem, discover
from llie_video.batch.engine import BatchEngine
from llie_video.batch.engines import ENGINES
from llie_video.batch.lock import FolderLock, exclusive_run
from llie_video.batch.manifest import InputState, Manifest, Record, Status
from llie_video.batch.progress import BatchProgress
from llie_video.batch.worker import FileResult, FileTask, partial_files
from llie_video.errors import UserError
from llie_video.job_config import JobConfig

@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch.

    Attributes:
        jobs: files enhanced at once (local: processes; Ray: actors); None: one per
            ``threads + 1`` cores (``threads``: the job config's ``runtime.threads``, the
            enhance threads of a job; the other core is its decoder's and encoder's).
        engine: the name of a registered engine (:data:`~llie_video.batch.engines.ENGINES`):
            ``local`` (a process pool on this machine), ``ray`` (a Ray cluster).
        engine_options: that engine's own options (its ``Options``); None: their defaults.
        overwrite: replace outputs the manifest does not know of.
        progress: show the progress bar.
    """

    jobs: int | None = None
    engine: str = "local"
    engine_options: object | None = None
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.jobs is not None and self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")


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


def _engine(config: JobConfig, options: BatchOptions, files: int) -> BatchEngine:
    """The engine ``options`` names, with its options (a UserError now if it cannot run what
    it is asked: too many jobs for the cores here, Ray not installed)."""
    engine = ENGINES.get(options.engine)
    engine_options = options.engine_options
    return engine(config, engine.Options() if engine_options is None else engine_options,
                  options.jobs, files)


def _run_plan(plan: Sequence[_Planned], engine: BatchEngine, options: BatchOptions,
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
        engine.run(tasks, on_result, on_frames, lock)
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
    a device that is not there, a backend that is not installed; the backend prepares here
    what workers then only load (ONNX Runtime: the exported estimator)."""
    from llie_video.models import create_model
    from llie_video.runtimes.backends import BACKENDS
    from llie_video.video.device import select_device
    from llie_video.video.encoder_probe import check_settings

    check_settings(config.encoder)
    select_device(config.runtime.device)
    model = create_model(config.model.name, pretrained=config.model.weights is None,
                         weights=config.model.weights)
    BACKENDS.get(config.runtime.backend).prepare(model)

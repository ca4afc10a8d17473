"""Batch engines: classes of one interface, registered by name, each with its own options; a
new engine is one class and one registration, and the runner drives it like the others."""

from pathlib import Path

from llie_video.batch.engine import BatchEngine
from llie_video.batch.engines import ENGINES
from llie_video.batch.local import LocalEngine
from llie_video.batch.ray_engine import RayEngine, RayOptions
from llie_video.batch.runner import BatchOptions, run_batch
from llie_video.batch.worker import FileResult
from llie_video.cli import main
from llie_video.job_config import JobConfig


def test_every_engine_is_a_batch_engine_with_options_of_its_own():
    assert ENGINES.get("local") is LocalEngine and ENGINES.get("ray") is RayEngine
    assert all(issubclass(ENGINES.get(name), BatchEngine) for name in ENGINES)
    assert RayEngine.Options is RayOptions
    assert "gpus_per_job" not in BatchOptions.__dataclass_fields__


class RecordingEngine(BatchEngine):
    """Fails every file at once, saying which engine ran it."""

    def run(self, tasks, on_result, on_frames, lock):
        for index, task in enumerate(tasks):
            on_result(index, FileResult("failed", error=f"recorded {Path(task.source).name}"))


def test_a_new_engine_is_one_registration(mixed_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(ENGINES, "_entries", dict(ENGINES._entries))  # undone after the test
    ENGINES.register("recording", RecordingEngine)
    summary = run_batch(str(mixed_folder), tmp_path / "out", JobConfig(),
                        BatchOptions(engine="recording", progress=False))
    assert summary.failed and all(error.startswith("recorded ") for _, error in summary.failed)


def test_an_engine_option_given_to_another_engine_is_a_user_error(mixed_folder, tmp_path,
                                                                   capsys):
    assert main(["batch", str(mixed_folder), str(tmp_path / "out"), "--gpus-per-job", "1"]) == 2
    assert "--gpus-per-job is for --engine ray" in capsys.readouterr().err

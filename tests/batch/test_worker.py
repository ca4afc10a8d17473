"""One worker, in this process: files done, failed with one line, or stopped with nothing written."""

import pytest

from llie_video.batch.worker import BatchWorker, FileTask, partial_files
from llie_video.job_config import JobConfig
from tests.helpers.clips import decoded_rgb


@pytest.fixture(scope="module")
def worker(fast_path_compiled):
    return BatchWorker(JobConfig(), threads=1)


def test_video_and_image_done(worker, mixed_folder, tmp_path):
    out = tmp_path / "out"
    seen = []
    result = worker.run(FileTask(str(mixed_folder / "a.mp4"), str(out / "deep" / "a.mp4"),
                                 "video"), seen.append)
    assert result.status == "done" and result.frames == 8 and sum(seen) == 8
    assert result.seconds > 0 and result.fps > 0 and not result.error
    assert len(decoded_rgb(out / "deep" / "a.mp4")) == 8
    image = worker.run(FileTask(str(mixed_folder / "night" / "still.png"), str(out / "s.png"),
                                "image"))
    assert image.status == "done" and image.frames == 1 and (out / "s.png").is_file()


@pytest.mark.parametrize(("name", "reason"), [("truncated.mp4", "video"),
                                              ("not_a_video.mp4", "cannot open")])
def test_bad_file_fails_with_one_line_and_writes_nothing(worker, mixed_folder, tmp_path, name,
                                                         reason):
    target = tmp_path / "out" / name
    result = worker.run(FileTask(str(mixed_folder / name), str(target), "video"))
    assert result.status == "failed" and reason in result.error
    assert "\n" not in result.error and "Traceback" not in result.error
    assert not target.exists() and not partial_files(target)


def test_stopped_mid_file_leaves_no_output(worker, mixed_folder, tmp_path):
    target = tmp_path / "out" / "b.mkv"
    written = []
    result = worker.run(FileTask(str(mixed_folder / "night" / "b.mkv"), str(target), "video"),
                        written.append, should_stop=lambda: len(written) >= 3)
    assert result.status == "stopped" and len(written) == 3
    assert not target.exists() and not partial_files(target)


def test_existing_output_needs_overwrite_and_stale_partials_go(worker, mixed_folder, tmp_path):
    target = tmp_path / "out" / "a.mp4"
    target.parent.mkdir()
    target.write_bytes(b"someone else's")
    stale = target.with_name(".a.partial-99999.mp4")
    stale.write_bytes(b"left by a killed run")
    task = FileTask(str(mixed_folder / "a.mp4"), str(target), "video")
    refused = worker.run(task)
    assert refused.status == "failed" and "pass -y" in refused.error
    assert target.read_bytes() == b"someone else's" and not stale.exists()
    assert worker.run(FileTask(task.source, task.target, "video", overwrite=True)).status == "done"
    assert len(decoded_rgb(target)) == 8

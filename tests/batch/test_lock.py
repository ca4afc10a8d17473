"""One batch at a time per OUT_DIR: the folder lock, and a second run refused with one line."""

import subprocess
import sys

import pytest

from llie_video.batch.lock import exclusive_run
from llie_video.batch.manifest import MANIFEST_NAME
from llie_video.cli import EXIT_USER_ERROR, main
from llie_video.errors import UserError
from tests.helpers.cli import one_error_line

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no flock on Windows")

HOLD = """
import sys, time
from pathlib import Path
from llie_video.batch.lock import exclusive_run
with exclusive_run(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path):
    with exclusive_run(tmp_path):
        with pytest.raises(UserError, match="another llie-video batch"):
            with exclusive_run(tmp_path):
                pass
    with exclusive_run(tmp_path):  # released
        pass
    assert list(tmp_path.iterdir()) == []  # the lock creates nothing


def test_a_batch_into_a_folder_another_process_is_writing_exits_2_and_writes_nothing(
        mixed_folder, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["batch", str(mixed_folder), str(out)]) == EXIT_USER_ERROR
        assert "another llie-video batch is writing into" in one_error_line(capsys)
        assert list(out.iterdir()) == []
    finally:
        holder.communicate("\n", timeout=30)
    assert main(["batch", str(mixed_folder), str(out), "--quiet"]) != EXIT_USER_ERROR
    assert (out / MANIFEST_NAME).is_file()


def test_a_spawned_worker_holds_the_lock_after_the_run_lets_go_until_it_ends(tmp_path):
    import multiprocessing

    from tests.helpers.processes import hold_lock

    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    with exclusive_run(tmp_path) as lock:
        child = context.Process(target=hold_lock, args=(lock.shared(), ready, release))
        child.start()
        assert ready.wait(120)
    try:
        with pytest.raises(UserError, match="another llie-video batch"):
            with exclusive_run(tmp_path):  # the run let go; its worker has not
                pass
    finally:
        release.set()
        child.join(120)
    assert child.exitcode == 0
    with exclusive_run(tmp_path):  # the last holder ended
        pass

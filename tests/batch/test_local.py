"""``llie-video batch`` on the local engine: mixed good and bad files, resume, Ctrl-C, exit codes."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from llie_video.batch.manifest import MANIFEST_NAME
from llie_video.cli import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USER_ERROR, main
from tests.helpers.cli import one_error_line
from llie_video.batch.worker import partial_files
from tests.helpers.clips import decoded_rgb
from tests.helpers.processes import command_line, descendants, running
from tests.helpers.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]


def _records(out):
    return [json.loads(line) for line in (out / MANIFEST_NAME).read_text().splitlines()]


def _frames(path):
    return len(decoded_rgb(path))


def _outputs(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and p.name != MANIFEST_NAME)


def test_mixed_folder_bad_files_recorded_rest_done_then_resume(mixed_folder, tmp_path, capsys,
                                                               make_clip, fast_path_compiled):
    out = tmp_path / "out"
    assert main(["batch", str(mixed_folder), str(out), "--jobs", "2", "-q"]) == EXIT_FAILURE
    assert _outputs(out) == ["a.mp4", "night/b.mkv", "night/still.png"]
    assert _frames(out / "a.mp4") == 8 and _frames(out / "night" / "b.mkv") == 10
    ended = {Path(r["input"]).name: r for r in _records(out) if r["status"] != "started"}
    assert {n: r["status"] for n, r in ended.items()} == {
        "a.mp4": "done", "b.mkv": "done", "still.png": "done",
        "truncated.mp4": "failed", "not_a_video.mp4": "failed"}
    assert ended["a.mp4"]["frames"] == 8 and ended["a.mp4"]["fps"] > 0
    assert ended["b.mkv"]["output"] == "night/b.mkv"
    assert "cannot open" in ended["not_a_video.mp4"]["error"]
    err = capsys.readouterr().err
    failed_lines = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert len(failed_lines) == 2 and "Traceback" not in err
    assert any("truncated.mp4" in line for line in failed_lines)

    # again, after one input changed: done files are skipped, the changed one and the failed
    # ones are redone (the changed one's old output is the manifest's, so no -y is needed)
    kept = (out / "night" / "b.mkv").stat().st_mtime_ns
    make_clip("in/a.mp4", frames=5, size=(64, 48), seed=7)
    count = len(_records(out))
    assert main(["batch", str(mixed_folder), str(out), "--jobs", "1", "-q"]) == EXIT_FAILURE
    new = _records(out)[count:]
    assert sorted(Path(r["input"]).name for r in new if r["status"] != "started") == [
        "a.mp4", "not_a_video.mp4", "truncated.mp4"]
    assert (out / "night" / "b.mkv").stat().st_mtime_ns == kept
    assert _frames(out / "a.mp4") == 5


def test_ctrl_c_leaves_no_partial_output_and_the_rerun_does_each_file_once(make_clip, tmp_path,
                                                                           fast_path_compiled):
    (tmp_path / "in").mkdir()
    for i in range(3):
        make_clip(f"in/clip{i}.mp4", frames=150, size=(160, 120), audio=False, seed=i)
    (tmp_path / "in" / "corrupt.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    source, out = tmp_path / "in", tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "llie_video", "batch", str(source), str(out),
                             "--jobs", "1", "-q"], stderr=subprocess.PIPE, text=True, env=env)
    manifest = out / MANIFEST_NAME
    wait_for(lambda: proc.poll() is not None
             or (manifest.is_file() and '"done"' in manifest.read_text()), "a file done")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err
    done = [r for r in _records(out) if r["status"] == "done"]
    assert 1 <= len(done) < 3
    assert _outputs(out) == sorted(r["output"] for r in done)  # no partial or unfinished file

    assert main(["batch", str(source), str(out), "--jobs", "1", "-q"]) == EXIT_FAILURE
    done = [Path(r["input"]).name for r in _records(out) if r["status"] == "done"]
    assert sorted(done) == ["clip0.mp4", "clip1.mp4", "clip2.mp4"]  # each exactly once
    assert all(_frames(out / f"clip{i}.mp4") == 150 for i in range(3))
    latest = {Path(r["input"]).name: r["status"] for r in _records(out)}
    assert latest["corrupt.mp4"] == "failed"
    assert _outputs(out) == ["clip0.mp4", "clip1.mp4", "clip2.mp4"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_mid_file_takes_every_worker_along_and_the_rerun_does_each_file_once(
        make_clip, tmp_path, capsys, fast_path_compiled):
    (tmp_path / "in").mkdir()
    for i in range(3):
        make_clip(f"in/clip{i}.mp4", frames=150, size=(160, 120), audio=False, seed=i)
    source, out = tmp_path / "in", tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "llie_video", "batch", str(source), str(out),
                             "--jobs", "1", "-q"], stderr=subprocess.DEVNULL, env=env)
    targets = [out / f"clip{i}.mp4" for i in range(3)]
    wait_for(lambda: proc.poll() is not None or any(partial_files(t) for t in targets),
             "a file being written")
    started = descendants(proc.pid)
    workers = [pid for pid in started if "spawn_main" in command_line(pid)]
    assert proc.poll() is None and workers, "the batch ended before it could be killed"
    for pid in workers:  # held still, so that the lock is seen outliving the parent
        os.kill(pid, signal.SIGSTOP)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    try:
        assert main(["batch", str(source), str(out), "--jobs", "1", "-q"]) == EXIT_USER_ERROR
        assert "another llie-video batch is writing into" in one_error_line(capsys)
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    wait_for(lambda: not any(running(pid) for pid in started), "every process of the batch gone")
    assert not any(partial_files(t) for t in targets)

    assert main(["batch", str(source), str(out), "--jobs", "1", "-q"]) == 0
    done = [Path(r["input"]).name for r in _records(out) if r["status"] == "done"]
    assert sorted(done) == ["clip0.mp4", "clip1.mp4", "clip2.mp4"]  # each exactly once
    assert all(_frames(t) == 150 for t in targets)
    assert _outputs(out) == ["clip0.mp4", "clip1.mp4", "clip2.mp4"]


@pytest.mark.parametrize(("args", "message"), [
    (["{missing}", "{out}"], "not found"),
    (["{src}", "{file}"], "not a folder"),
    (["{src}", "{out}", "--jobs", "100000"], "cores"),
    (["{src}", "{out}", "--jobs", "0"], "at least 1"),
    (["{src}", "{out}", "--address", "auto"], "--engine ray"),
    (["{src}", "{out}", "--model", "nope"], "unknown model"),
    (["{src}", "{out}", "--codec", "nonsense"], "codec"),
])
def test_user_mistakes_exit_2_with_one_line_and_touch_nothing(mixed_folder, tmp_path, capsys,
                                                             args, message):
    (tmp_path / "file").write_text("x")
    paths = {"missing": tmp_path / "nope", "src": mixed_folder, "out": tmp_path / "out",
             "file": tmp_path / "file"}
    assert main(["batch", *(a.format(**paths) for a in args)]) == EXIT_USER_ERROR
    assert message in one_error_line(capsys)
    assert not (tmp_path / "out").exists()

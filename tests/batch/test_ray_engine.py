"""``--engine ray`` on a Ray instance started here: the same frames as the local engine, the same
manifest (resume is the runner's, shared by both engines: see test_local); a clear line when Ray
is not installed."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from llie_video.batch.manifest import MANIFEST_NAME
from llie_video.cli import EXIT_FAILURE, EXIT_USER_ERROR, main
from tests.helpers.cli import one_error_line
from tests.helpers.clips import decoded_rgb

REPO = Path(__file__).resolve().parents[2]
# Ray Data reads its own deprecated settings when it starts
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def ray_instance(fast_path_compiled):
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}})
    yield ray
    ray.shutdown()


def _ended(out):
    lines = (out / MANIFEST_NAME).read_text().splitlines()
    return {Path(r["input"]).name: r for r in map(json.loads, lines) if r["status"] != "started"}


def test_ray_gives_the_frames_of_the_local_engine(ray_instance, make_clip, tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    names = ["a.mp4", "sub/b.mp4", "c.mkv"]
    for i, name in enumerate(names):
        make_clip(f"in/{name}", frames=6 + 2 * i, size=(64, 48), seed=i)
    (tmp_path / "in" / "broken.mp4").write_text("not a video")
    source, local, remote = tmp_path / "in", tmp_path / "local", tmp_path / "ray"
    assert main(["batch", str(source), str(local), "--jobs", "1", "-q"]) == EXIT_FAILURE
    assert main(["batch", str(source), str(remote), "--engine", "ray", "--jobs", "2",
                 "-q"]) == EXIT_FAILURE
    for name in names:
        ours, theirs = decoded_rgb(local / name), decoded_rgb(remote / name)
        assert len(ours) == len(theirs) > 0
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))
    ended = _ended(remote)
    assert {n: r["status"] for n, r in ended.items()} == {
        "a.mp4": "done", "b.mp4": "done", "c.mkv": "done", "broken.mp4": "failed"}
    assert "cannot open" in ended["broken.mp4"]["error"] and ended["c.mkv"]["frames"] == 10


def test_missing_ray_says_how_to_install_it(mixed_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    code = main(["batch", str(mixed_folder), str(tmp_path / "out"), "--engine", "ray", "-q"])
    assert code == EXIT_USER_ERROR
    assert "pip install 'llie-video[ray]'" in one_error_line(capsys)
    assert not (tmp_path / "out" / MANIFEST_NAME).exists()

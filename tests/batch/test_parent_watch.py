"""A process that dies with its parent: killed outright (SIGKILL), the parent takes the child
along, which cleans up first (llie_video.batch.parent_watch)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.processes import running
from tests.helpers.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]

# the parent starts a child that watches it, says the child's pid, and sleeps
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]])
print(child.pid, flush=True)
time.sleep(600)
"""
CHILD = """
import os, sys, time
from pathlib import Path
from llie_video.batch.parent_watch import die_with_parent
marker = Path(sys.argv[1])
die_with_parent(os.getppid(), lambda: marker.write_text("cleaned up"))
Path(sys.argv[2]).write_text("watching")
time.sleep(600)
"""


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGTERM])
def test_the_child_cleans_up_and_exits_when_its_parent_is_killed(tmp_path, kill):
    marker, watching = tmp_path / "marker", tmp_path / "watching"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, str(marker), str(watching)],
                              stdout=subprocess.PIPE, text=True, env=env)
    child = int(parent.stdout.readline())
    wait_for(watching.is_file, "the child watching its parent")
    parent.send_signal(kill)
    parent.wait(timeout=60)
    wait_for(lambda: not running(child), "the child gone")
    assert marker.read_text() == "cleaned up"

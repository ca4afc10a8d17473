"""Servers on loopback: a real RTSP server (GStreamer's gst-rtsp-server, tests/rtsp_server.py, run
by the system Python), one that accepts connections and never answers, and a port that refuses
them."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "rtsp_server.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def gstreamer_available() -> bool:
    """Whether the system Python has Debian's GStreamer RTSP server bindings."""
    probe = ("import gi; gi.require_version('GstRtspServer', '1.0'); "
             "from gi.repository import GstRtspServer")
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True,
                              timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_rtsp = pytest.mark.skipif(
    not gstreamer_available(),
    reason="GStreamer RTSP server not installed (scripts/setup-tests.sh installs it as root)")


class RtspServer:
    """Serves a clip at rtsp://127.0.0.1:PORT/test (or, with ``record``, accepts a published
    stream there into that .ts file); ``audio=False`` for a clip without audio. The first
    :meth:`start` lets the system pick the port; a restart after :meth:`stop` listens on the
    same one, so :attr:`url` stays valid."""

    def __init__(self, clip: Path | None = None, record: Path | None = None,
                 audio: bool = True) -> None:
        self.args = ["--record", str(record)] if record else [str(clip)]
        if not audio:
            self.args.insert(0, "--no-audio")
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        assert self.port, "start the server first"
        return f"rtsp://127.0.0.1:{self.port}/test"

    def start(self, attempts: int = 20) -> None:
        """Start serving; a restart retries while the old port is still being released."""
        for _ in range(attempts):
            self.process = subprocess.Popen(
                [SYSTEM_PYTHON, str(SERVER), *self.args, str(self.port)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert self.process.stdout is not None
            words = self.process.stdout.readline().split()
            if words[:1] == ["ready"]:
                self.port = int(words[1])
                return
            self.stop()
            if not self.port:
                break
            time.sleep(0.1)  # a fixed port not free yet: try again
        raise AssertionError(f"RTSP server did not start: {' '.join(words)}")

    def stop(self) -> None:
        """Kill the server (its connections drop at once)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        """Stall the server (SIGSTOP): connections stay open and nothing arrives."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Undo :meth:`freeze`."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that is bound but not listening while inside: connections to it are
    refused at once, and no other process can take it meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


class SilentServer:
    """A loopback TCP server that accepts connections and never answers: a stream URL that hangs
    while connecting. :meth:`close` drops the connections and stops listening."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"rtsp://127.0.0.1:{self._listener.getsockname()[1]}/hangs"
        self.connections: list[socket.socket] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                self.connections.append(self._listener.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._thread.join()
        self._listener.close()
        for connection in self.connections:
            connection.close()
